import type { TokenwardenError } from '../errors.js'
import type { RevocationStatus, TokenTypeHint } from '../tokens.js'
import type { RevocationOutcome } from './answer.js'
import type { RevocationTarget } from './revoker.js'

/** What became of each token of a set that was sent (see `LogoutResult`). */
export interface RevocationReport {
  readonly revocation: { readonly refresh_token: RevocationStatus; readonly access_token: RevocationStatus }
  readonly errors: { readonly refresh_token?: TokenwardenError; readonly access_token?: TokenwardenError }
}

/** The outcomes of revoked targets, by hint. */
export function byHint(
  targets: readonly RevocationTarget[],
  outcomes: readonly RevocationOutcome[],
): Partial<Record<TokenTypeHint, RevocationOutcome>> {
  return Object.fromEntries(targets.map(({ hint }, index) => [hint, outcomes[index]!]))
}

/**
 * What became of each token: its outcome, `not-present` for a token the set did not have, and
 * `queued` for one that failed for a retryable reason while the outbox keeps it.
 */
export function reportOf(
  outcomes: Partial<Record<TokenTypeHint, RevocationOutcome>>,
  isQueued: (hint: TokenTypeHint) => boolean,
): RevocationReport {
  const status = (hint: TokenTypeHint): RevocationStatus => {
    const outcome = outcomes[hint]
    if (!outcome) return 'not-present'
    return outcome.status === 'failed' && outcome.retryable && isQueued(hint) ? 'queued' : outcome.status
  }
  const error = (hint: TokenTypeHint) => {
    const outcome = outcomes[hint]
    return outcome && 'error' in outcome ? { [hint]: outcome.error } : {}
  }
  return {
    revocation: { refresh_token: status('refresh_token'), access_token: status('access_token') },
    errors: { ...error('refresh_token'), ...error('access_token') },
  }
}
