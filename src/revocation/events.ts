import type { TokenwardenErrorCode } from '../errors.js'
import type { TokenTypeHint } from '../tokens.js'
import type { RevocationOutcome } from './answer.js'

/** What became of one revocation request, by token type; never the token. */
export type RevocationEventOutcome = 'revoked' | 'unsupported' | 'failed'

/** What revocation reports (the session adds when and in which tab): see `SessionEvent`. */
export type RevocationEvent =
  | {
      readonly type: 'revocation'
      readonly hint: TokenTypeHint
      readonly outcome: RevocationEventOutcome
      readonly source: 'logout' | 'outbox'
      readonly code?: TokenwardenErrorCode
      readonly status?: number
    }
  | { readonly type: 'outbox'; readonly action: 'queued' | 'drained' | 'dropped'; readonly count: number }

/** How revocation reports what it did. */
export type RevocationEmit = (event: RevocationEvent) => void

/** The `revocation` event for one settled request: the outcome and the error's code, never the token. */
export function revocationEvent(hint: TokenTypeHint, outcome: RevocationOutcome, source: 'logout' | 'outbox'): RevocationEvent {
  if (outcome.status === 'revoked') return { type: 'revocation', hint, outcome: 'revoked', source }
  const { code, status } = outcome.error
  return { type: 'revocation', hint, outcome: outcome.status, source, code, ...(status !== undefined ? { status } : {}) }
}
