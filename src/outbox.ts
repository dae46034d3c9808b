import type { RevocationOutcome } from './revocation.js'
import { commit, type KeyValueStorage, type StorageChanges, type TokenSet } from './token-store.js'

export type TokenHint = 'refresh_token' | 'access_token'

/**
 * A revocation that has not been confirmed yet. It holds the token itself: that is the
 * trade-off of the outbox (a token that could not be revoked stays on the device until it
 * is revoked or expires), and why an entry is dropped as soon as either happens.
 */
export interface OutboxEntry {
  v: 1
  kind: 'tokenwarden/revocation'
  token: string
  hint: TokenHint
  /** After this (ms since the epoch) the token is dead anyway: the entry is dropped. */
  expiresAt: number
  attempts: number
  /** Not sent before this: a backoff after a failure, or a lease while a tab is sending it. */
  notBefore: number
}

export function isOutboxEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null) return false
  const entry = value as Partial<OutboxEntry>
  return (
    entry.v === 1 &&
    entry.kind === 'tokenwarden/revocation' &&
    typeof entry.token === 'string' &&
    entry.token !== '' &&
    (entry.hint === 'refresh_token' || entry.hint === 'access_token') &&
    Number.isFinite(entry.expiresAt) &&
    Number.isInteger(entry.attempts) &&
    Number.isFinite(entry.notBefore)
  )
}

export interface OutboxTiming {
  now: () => number
  /** How long a refresh token whose expiry is unknown is kept for. */
  maxAgeMs: number
  /** How long a tab that is sending an entry keeps the others from sending it too. */
  leaseMs: number
}

/** Backoff after the n-th failed attempt: 2 s, 4 s, 8 s … up to 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(300_000, 2000 * 2 ** Math.max(0, attempts - 1))
}

/** The durable queue of revocations of one session, in the session's storage. */
export class Outbox {
  readonly #storage: KeyValueStorage
  readonly #prefix: string
  readonly #timing: OutboxTiming

  constructor(storage: KeyValueStorage, sessionId: string, timing: OutboxTiming) {
    this.#storage = storage
    this.#prefix = `outbox:${sessionId}:`
    this.#timing = timing
  }

  /**
   * The changes that queue `tokens` for revocation, leased to the caller, who is about to
   * send them. Returned as changes so they can go into the same transaction as the removal
   * of the session record: at no moment is a token in neither place.
   */
  enqueue(tokens: TokenSet): { entries: Partial<Record<TokenHint, { key: string; entry: OutboxEntry }>>; changes: StorageChanges } {
    const now = this.#timing.now()
    const entries: Partial<Record<TokenHint, { key: string; entry: OutboxEntry }>> = {}
    const add = (hint: TokenHint, token: string | undefined, expiresAt: number) => {
      if (!token || expiresAt <= now) return
      const key = `${this.#prefix}${crypto.randomUUID()}`
      entries[hint] = { key, entry: { v: 1, kind: 'tokenwarden/revocation', token, hint, expiresAt, attempts: 0, notBefore: now + this.#timing.leaseMs } }
    }
    add('refresh_token', tokens.refreshToken, now + this.#timing.maxAgeMs)
    add('access_token', tokens.accessToken, tokens.expiresAt ?? now + this.#timing.maxAgeMs)
    return { entries, changes: { set: Object.values(entries).map(({ key, entry }) => [key, entry] as const) } }
  }

  /** Records what became of attempted entries: done ones go, retryable ones back off. */
  async settle(attempts: ReadonlyArray<{ key: string; entry: OutboxEntry; outcome: RevocationOutcome }>): Promise<void> {
    const now = this.#timing.now()
    const retry: Array<[string, OutboxEntry]> = []
    const done: string[] = []
    for (const { key, entry, outcome } of attempts) {
      if (outcome.status === 'failed' && outcome.retryable && entry.expiresAt > now) {
        const tries = entry.attempts + 1
        retry.push([key, { ...entry, attempts: tries, notBefore: now + backoffMs(tries) }])
      } else {
        done.push(key)
      }
    }
    await commit(this.#storage, { set: retry, delete: done })
  }

  /** Entries to send now (`force` ignores backoff and leases); expired ones are dropped. */
  async due(force: boolean): Promise<Array<{ key: string; entry: OutboxEntry }>> {
    const now = this.#timing.now()
    const drop: string[] = []
    const due: Array<{ key: string; entry: OutboxEntry }> = []
    for (const [key, value] of await this.#storage.entries(this.#prefix)) {
      if (!isOutboxEntry(value) || value.expiresAt <= now) drop.push(key)
      else if (force || value.notBefore <= now) due.push({ key, entry: value })
    }
    const lease: Array<[string, OutboxEntry]> = due.map(({ key, entry }) => [key, { ...entry, notBefore: now + this.#timing.leaseMs }])
    if (drop.length || lease.length) await commit(this.#storage, { delete: drop, set: lease })
    return due
  }

  /** When the next waiting entry becomes due, if any waits. */
  async nextDue(): Promise<number | undefined> {
    const times = (await this.#storage.entries(this.#prefix)).flatMap(([, value]) => (isOutboxEntry(value) ? [value.notBefore] : []))
    return times.length ? Math.min(...times) : undefined
  }
}
