import { TokenwardenError } from '../errors.js'

/**
 * tokenwarden makes random ids (sign-ins, tabs, outbox entries) and keys with WebCrypto, which
 * browsers give only to secure contexts: https, or http on localhost and 127.0.0.1. A page served
 * over plain http on a LAN address has neither `crypto.randomUUID` nor `crypto.subtle`.
 */
export function assertSecureContext(): void {
  const { isSecureContext, crypto } = globalThis as { isSecureContext?: boolean; crypto?: { randomUUID?: unknown } }
  if (isSecureContext !== false && typeof crypto?.randomUUID === 'function') return
  throw new TokenwardenError(
    'insecure-context',
    'tokenwarden needs WebCrypto, which browsers give only to secure contexts: serve the app over https (or, in development, from http://localhost or http://127.0.0.1).',
  )
}
