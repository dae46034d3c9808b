import type { TokenwardenError } from '../errors.js'
import type { RevocationStatus } from '../tokens.js'
import type { RevocationOutcome } from './answer.js'
import { type RevocationTarget, slotOf } from './revoker.js'

/** What became of each token of a set that was sent (see `LogoutResult`). */
export interface RevocationReport {
  readonly revocation: {
    readonly refresh_token: RevocationStatus
    readonly access_token: RevocationStatus
    /** Each resource's access token (RFC 8707), by resource indicator: present when the session held any. */
    readonly resources?: Readonly<Record<string, RevocationStatus>>
  }
  readonly errors: {
    readonly refresh_token?: TokenwardenError
    readonly access_token?: TokenwardenError
    readonly resources?: Readonly<Record<string, TokenwardenError>>
  }
}

/** The outcomes of revoked targets, by slot (hint, or resource). */
export type Outcomes = Partial<Record<string, RevocationOutcome>>

/** The outcomes of revoked targets, by slot. */
export function bySlot(targets: readonly RevocationTarget[], outcomes: readonly RevocationOutcome[]): Outcomes {
  return Object.fromEntries(targets.map((target, index) => [slotOf(target), outcomes[index]!]))
}

/**
 * What became of each token: its outcome, `not-present` for a token the set did not have, and
 * `queued` for one that failed for a retryable reason while the outbox keeps it. A resource's
 * token (its slot is the resource indicator, an absolute URI, so it has a `:`; a hint has none)
 * is reported under `resources`.
 */
export function reportOf(outcomes: Outcomes, isQueued: (slot: string) => boolean): RevocationReport {
  type Entries<T> = Record<string, unknown> & { resources?: Record<string, T> }
  const revocation: Entries<RevocationStatus> = { refresh_token: 'not-present', access_token: 'not-present' }
  const errors: Entries<TokenwardenError> = {}
  const under = <T>(into: Entries<T>, slot: string): Record<string, unknown> => {
    if (!slot.includes(':')) return into
    into.resources ??= {}
    return into.resources
  }
  for (const [slot, outcome] of Object.entries(outcomes)) {
    if (!outcome) continue
    under(revocation, slot)[slot] = outcome.status === 'failed' && outcome.retryable && isQueued(slot) ? 'queued' : outcome.status
    if ('error' in outcome) under(errors, slot)[slot] = outcome.error
  }
  return { revocation, errors } as unknown as RevocationReport
}
