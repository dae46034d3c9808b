// Fault switches of the dev server: every switch, its default, its validation and what it does
// to a request live in this file (the adapter and the provider config only ask `isOn`).
//
// Faults (all off after reset()):
// - latencyMs: delay before every request except /__control (discovery, /auth, /token, …).
// - tokenLatencyMs: extra delay for POST /token only, before it is processed.
// - tokenResponseDelayMs: delay of the answer to POST /token, after it was processed.
// - revocation (POST /token/revocation only; preflights are never faulted):
//   'ok'        the provider answers (200, empty text/plain body; the whole grant dies);
//   '503-once'  503 + Retry-After once per distinct (token, token_type_hint) pair, then the
//               provider answers; setting `revocation` again (or reset) re-arms it;
//   '503-always' 503 + Retry-After every time; '500' 500 every time;
//   'hang'      never answers (the socket stays open until close(), which destroys it);
//   'unsupported-access-token' 400 unsupported_token_type when the token is a live access
//               token (or is unknown and hinted access_token); refresh tokens go through.
//   Fault answers carry CORS headers for the SPA origins and expose Retry-After.
// - retryAfterSeconds: Retry-After of the 503s (default 1).
// - revokeOnlyPresented: the provider still validates the request and destroys the presented
//   token, but its grant and sibling tokens survive (applied by the adapter and the provider's
//   revokeGrantPolicy, which read it through `current()`).
// - tokenDpopNonce: the token endpoint demands a DPoP nonce (400 use_dpop_nonce + DPoP-Nonce
//   for a proof without a valid one; applied by the provider's features.dPoP.requireNonce).
// - apiDpopNonce: /api/me demands a DPoP nonce (401 WWW-Authenticate: DPoP
//   error="use_dpop_nonce" + DPoP-Nonce; applied by api.js).

import type { Context, Middleware, Next, SetCors } from './koa.js'
import type { OidcProvider } from './provider.js'
import { LOG_ENTRY } from './request-log.js'
import type { Faults, LoggedRequest, RevocationFault } from './types.js'

const REVOCATION_MODES = new Set<unknown>(['ok', '503-once', '503-always', '500', 'hang', 'unsupported-access-token'])

const defaultFaults = (latencyMs: number): Faults => ({
  latencyMs,
  tokenLatencyMs: 0,
  tokenResponseDelayMs: 0,
  revocation: 'ok',
  retryAfterSeconds: 1,
  revokeOnlyPresented: false,
  tokenDpopNonce: false,
  apiDpopNonce: false,
})

/** The valid switches; throws TypeError on unknown keys or bad values. */
function validateFaults(partial: unknown): Partial<Faults> {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new TypeError('faults must be an object')
  }
  const out: Partial<Record<keyof Faults, unknown>> = {}
  for (const [key, value] of Object.entries(partial)) {
    switch (key) {
      case 'latencyMs':
      case 'tokenLatencyMs':
      case 'tokenResponseDelayMs':
      case 'retryAfterSeconds':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
          throw new TypeError(`faults.${key} must be a non-negative number`)
        }
        out[key] = value
        break
      case 'revocation':
        if (!REVOCATION_MODES.has(value)) {
          throw new TypeError(`faults.revocation must be one of ${[...REVOCATION_MODES].join(', ')}`)
        }
        out[key] = value
        break
      case 'revokeOnlyPresented':
      case 'tokenDpopNonce':
      case 'apiDpopNonce':
        if (typeof value !== 'boolean') throw new TypeError(`faults.${key} must be a boolean`)
        out[key] = value
        break
      default:
        throw new TypeError(`unknown fault ${key}`)
    }
  }
  return out as Partial<Faults>
}

/** The switches of one server, their public API and the middleware that applies them. */
export function createFaults({ latencyMs, setCors }: { latencyMs: number; setCors: SetCors }) {
  let faults = defaultFaults(latencyMs)
  /** (token, hint) pairs already answered 503 by '503-once' */
  let seen503 = new Set<string>()

  // Pending delays, so that close() can end them instead of leaving timers behind.
  const timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: (value: undefined) => void }>()
  let closed = false
  const sleep = (ms: number) =>
    new Promise<undefined>((resolve) => {
      if (!(ms > 0) || closed) return resolve(undefined)
      const timer = setTimeout(() => {
        timers.delete(entry)
        resolve(undefined)
      }, ms)
      const entry = { timer, resolve }
      timers.add(entry)
    })

  const api = {
    set(partial: unknown) {
      const valid = validateFaults(partial)
      if ('revocation' in valid) seen503 = new Set()
      faults = { ...faults, ...valid }
    },
    reset() {
      faults = defaultFaults(latencyMs)
      seen503 = new Set()
    },
    get(): Faults {
      return { ...faults }
    },
  }

  /**
   * Runs after the request log (which hands over the entry through ctx.state), before the
   * provider: latency, then the revocation faults, then the late token answer.
   */
  const middleware =
    (provider: Pick<OidcProvider, 'AccessToken' | 'RefreshToken'>): Middleware =>
    async (ctx: Context, next: Next) => {
      if (ctx.path.startsWith('/__control')) return next()
      const entry = ctx.state[LOG_ENTRY] as LoggedRequest | undefined

      // Logged on arrival, answered after the added latency: tests can see a request in flight.
      await sleep(faults.latencyMs)
      if (ctx.method === 'POST' && ctx.path === '/token') await sleep(faults.tokenLatencyMs)

      if (entry?.endpoint === 'revocation' && ctx.method === 'POST' && faults.revocation !== 'ok') {
        const mode: RevocationFault = faults.revocation
        const { token, token_type_hint: hint } = entry.body
        const corsExpose = 'Retry-After, WWW-Authenticate'
        const unavailable = () => {
          setCors(ctx, { expose: corsExpose })
          ctx.status = 503
          ctx.set('Retry-After', String(faults.retryAfterSeconds))
          ctx.set('Cache-Control', 'no-store')
          ctx.body = { error: 'temporarily_unavailable', error_description: 'revocation is temporarily unavailable (dev server fault)' }
        }
        if (mode === 'hang') {
          // Never answer; close() destroys the socket.
          ctx.respond = false
          return
        }
        if (mode === '503-always') {
          unavailable()
          return
        }
        if (mode === '503-once') {
          const key = JSON.stringify([token ?? null, hint ?? null])
          if (!seen503.has(key)) {
            seen503.add(key)
            unavailable()
            return
          }
        }
        if (mode === '500') {
          setCors(ctx, { expose: corsExpose })
          ctx.status = 500
          ctx.body = { error: 'server_error', error_description: 'revocation failed (dev server fault)' }
          return
        }
        if (mode === 'unsupported-access-token' && typeof token === 'string') {
          const [asAccess, asRefresh] = await Promise.all([provider.AccessToken.find(token), provider.RefreshToken.find(token)])
          const isAccessToken = Boolean(asAccess) || (!asRefresh && hint === 'access_token')
          if (isAccessToken) {
            setCors(ctx, { expose: corsExpose })
            ctx.status = 400
            ctx.set('Cache-Control', 'no-store')
            ctx.body = {
              error: 'unsupported_token_type',
              error_description: 'revocation of access tokens is not supported (dev server fault)',
            }
            return
          }
        }
      }

      await next()
      // The grant is processed already (a refresh token rotated), only the answer is late.
      if (ctx.method === 'POST' && ctx.path === '/token') await sleep(faults.tokenResponseDelayMs)
    }

  /** Ends every pending delay (hanging requests are ended by closing their sockets). */
  const close = () => {
    closed = true
    for (const { timer, resolve } of timers) {
      clearTimeout(timer)
      resolve(undefined)
    }
    timers.clear()
  }

  return { api, current: () => faults, middleware, close }
}
