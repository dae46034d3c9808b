import {
  commit,
  isEntryOf,
  isOutboxEntry,
  isSealedRecord,
  type KeyValueStorage,
  type OutboxEntry,
  outboxEntry,
  recordKeys,
  type StorageChanges,
  transactIssued,
} from '../storage/index.js'
import type { TabLock } from '../tabs/index.js'
import type { TokenSet } from '../tokens.js'
import { Alarm, type Bound, type Timers } from '../util/index.js'
import type { RevocationOutcome } from './answer.js'
import type { RevocationEmit } from './events.js'
import { MemoryOutbox } from './memory-outbox.js'
import { retryAt } from './retry.js'
import { bySlot, type RevocationReport, reportOf } from './report.js'
import { type Revoker, slotOf, targetsOf } from './revoker.js'

export { backoffMs } from './retry.js'

/** An entry as it is in storage, under its key. */
export interface QueuedRevocation {
  key: string
  entry: OutboxEntry
}

/** Queued entries by slot (the hint, or the resource of an access token), as {@link Outbox.queue} made them. */
export type Queued = Record<string, QueuedRevocation>

/** The outbox's own options, under the session's names (`revocation.*`), validated once. */
export interface OutboxSettings {
  /** `false`: nothing is queued; tokens that could not be revoked are forgotten. */
  readonly outbox: boolean
  /** How long a refresh token whose expiry is unknown is kept for. */
  readonly outboxMaxAgeMs: number
  /** How long a tab that sends an entry keeps it from the others (plus a margin). */
  readonly timeoutMs: number
}

/** What the outbox needs from the session. */
export interface OutboxPort {
  storage: KeyValueStorage
  sessionId: string
  settings: OutboxSettings
  /** Taken while sending queued revocations, so two tabs do not send the same ones. */
  lock: TabLock
  revoke: Revoker
  now: () => number
  timers: Timers
  emit: RevocationEmit
}

/**
 * The durable queue of revocations that are not confirmed yet (offline, timeouts, 5xx, a tab
 * closed mid-logout), and its drain loop: sent again when the browser is back online, on the
 * next start, and on a backoff timer while a tab is open, one tab at a time.
 */
export class Outbox {
  readonly #port: OutboxPort
  readonly #prefix: string
  readonly #leaseMs: number
  readonly #alarm: Alarm
  /** What storage refused to queue: retried while this page lives. */
  readonly #memory: MemoryOutbox
  #draining: Promise<void> | undefined
  /** A drain asked for while one ran, and whether it must ignore backoff. */
  #followUp: Promise<void> | undefined
  #again = false
  #closed = false

  constructor(port: OutboxPort) {
    this.#port = port
    this.#prefix = recordKeys.outboxPrefix(port.sessionId)
    this.#leaseMs = port.settings.timeoutMs + 1000
    this.#alarm = new Alarm(port.timers, port.now)
    this.#memory = new MemoryOutbox({ revoke: port.revoke, now: port.now, timers: port.timers, emit: port.emit })
  }

  get #enabled(): boolean {
    return this.#port.settings.outbox && !this.#closed
  }

  /**
   * The changes that queue `tokens` for revocation, leased to the caller, who is about to
   * send them. Returned as changes so they can go into the same transaction as the removal
   * of the session record: at no moment is a token in neither place. Undefined when the
   * outbox is off.
   */
  queue(tokens: TokenSet): { entries: Queued; changes: StorageChanges } | undefined {
    if (!this.#port.settings.outbox) return undefined
    const now = this.#port.now()
    const entries: Queued = {}
    for (const target of targetsOf(tokens)) {
      // A token whose expiry is unknown (a refresh token, say) is kept for `outboxMaxAgeMs`.
      const expiresAt = target.expiresAt ?? now + this.#port.settings.outboxMaxAgeMs
      if (expiresAt <= now) continue
      const key = recordKeys.outboxEntry(this.#port.sessionId)
      const { token, hint } = target
      entries[slotOf(target)] = { key, entry: outboxEntry({ token, hint, expiresAt, notBefore: now + this.#leaseMs }) }
    }
    return { entries, changes: { set: Object.values(entries).map(({ key, entry }) => [key, entry] as const) } }
  }

  /**
   * Revokes `tokens` at once (logout), then settles the entries that queued them: done ones go,
   * retryable ones back off and are reported `queued`. `queued` settles when the transaction
   * that queued them committed (empty if it failed: nothing was queued), so the requests need
   * not wait for the commit.
   */
  async send(tokens: TokenSet | undefined, queued: Promise<Queued>, within: Bound): Promise<RevocationReport> {
    const targets = targetsOf(tokens)
    const outcomes = bySlot(targets, await this.#port.revoke(targets, 'logout', within))
    const entries = await queued
    // Storage refused the transaction that queued them: what may succeed later waits in memory.
    const { outbox, outboxMaxAgeMs } = this.#port.settings
    const unqueued = outbox ? targets.filter((target) => !entries[slotOf(target)]) : []
    const inMemory = this.#memory.keepTokens(unqueued, outcomes, this.#port.now() + outboxMaxAgeMs)
    const attempts = Object.keys(entries).flatMap((slot) => {
      const outcome = outcomes[slot]
      return outcome ? [{ ...entries[slot]!, outcome }] : []
    })
    if (attempts.length) {
      const gone = await this.settle(attempts).catch(() => 0)
      // A timer only for entries kept for a retry: finding the next one reads the whole outbox.
      if (gone < attempts.length) this.schedule()
    }
    return reportOf(outcomes, (slot) => entries[slot] !== undefined || inMemory.has(slot))
  }

  /**
   * Records what became of attempted entries: done ones go, retryable ones back off. Returns
   * how many went, once the changes are issued: on IndexedDB every read begun after that, in
   * any tab, finds them gone, so logout need not wait another round trip for the commit (see
   * `onIssued` of `KeyValueStorage.transact`); on other storages, once committed.
   */
  async settle(attempts: ReadonlyArray<QueuedRevocation & { outcome: RevocationOutcome }>): Promise<number> {
    if (attempts.length === 0) return 0
    const now = this.#port.now()
    const retry: Array<[string, OutboxEntry]> = []
    const done: string[] = []
    for (const { key, entry, outcome } of attempts) {
      const at = retryAt(entry, outcome, now)
      if (at === undefined) done.push(key)
      else retry.push([key, { ...entry, attempts: entry.attempts + 1, notBefore: at }])
    }
    // A failure after the changes were issued leaves entries that are revoked or backed off
    // already: the next drain sends them again (revocation is idempotent) and drops them.
    await transactIssued<void>((onIssued) =>
      this.#port.storage.transact([], () => ({ changes: { set: retry, delete: done }, result: undefined }), onIssued),
    ).issued
    if (retry.length) this.#port.emit({ type: 'outbox', action: 'queued', count: retry.length })
    return done.length
  }

  /** This session's entries, by exact key: never another client's whose id starts like ours. */
  async #own(): Promise<Array<[string, unknown]>> {
    return (await this.#port.storage.entries(this.#prefix)).filter(([key]) => isEntryOf(this.#prefix, key))
  }

  /** Entries to send now (`force` ignores backoff and leases), leased to this tab; expired ones are dropped. */
  async due(force: boolean): Promise<QueuedRevocation[]> {
    const now = this.#port.now()
    const drop: string[] = []
    const due: QueuedRevocation[] = []
    for (const [key, value] of await this.#own()) {
      if (!isOutboxEntry(value) || value.expiresAt <= now) drop.push(key)
      else if (force || value.notBefore <= now) due.push({ key, entry: value })
    }
    const lease: Array<[string, OutboxEntry]> = due.map(({ key, entry }) => [key, { ...entry, notBefore: now + this.#leaseMs }])
    if (drop.length || lease.length) await commit(this.#port.storage, { delete: drop, set: lease })
    if (drop.length) this.#port.emit({ type: 'outbox', action: 'dropped', count: drop.length })
    return due
  }

  /**
   * At start: entries that are expired or unreadable go, whichever session wrote them (a client
   * id that changed leaves its entries behind; they are dead once expired). Then this
   * session's entries are sent: with the outbox on, those due; with it off (they were written
   * before `outbox: false`), all of them once, and then forgotten.
   */
  async start(): Promise<void> {
    if (this.#closed) return
    const { storage, now, revoke } = this.#port
    const all = await storage.entries('outbox:')
    // Another session's entries stay sealed under its own key: still readable enough (their
    // expiry is in clear) to be kept while alive and dropped once expired.
    const readable = (value: unknown): value is { expiresAt: number } =>
      isOutboxEntry(value) || (isSealedRecord(value) && value.kind === 'tokenwarden/revocation')
    const dead = all.filter(([, value]) => !readable(value) || value.expiresAt <= now()).map(([key]) => key)
    if (dead.length) await commit(storage, { delete: dead })
    if (dead.length) this.#port.emit({ type: 'outbox', action: 'dropped', count: dead.length })
    if (this.#port.settings.outbox) return this.drain(false)
    const left = all.flatMap(([key, value]) =>
      isEntryOf(this.#prefix, key) && isOutboxEntry(value) && !dead.includes(key) ? [{ key, entry: value }] : [],
    )
    if (left.length === 0) return
    await commit(storage, { delete: left.map(({ key }) => key) })
    await revoke(
      left.map(({ entry }) => ({ token: entry.token, hint: entry.hint })),
      'outbox',
    )
  }

  /** When the next waiting entry becomes due, if any waits. */
  async nextDue(): Promise<number | undefined> {
    const times = (await this.#own()).flatMap(([, value]) => (isOutboxEntry(value) ? [value.notBefore] : []))
    return times.length ? Math.min(...times) : undefined
  }

  /**
   * Sends the queued revocations that are due (all of them when `force`, e.g. back online),
   * one tab at a time, and schedules the next attempt.
   */
  drain(force: boolean): Promise<void> {
    if (this.#closed) return Promise.resolve()
    if (force) void this.#memory.drain(true)
    if (!this.#enabled) return Promise.resolve()
    if (this.#draining) {
      // One drain at a time, but a request that comes while one runs (tokens just queued, the
      // browser back online) is not lost: another drain follows it.
      this.#again = this.#again || force
      this.#followUp ??= this.#draining.then(() => {
        const again = this.#again
        this.#again = false
        this.#followUp = undefined
        return this.drain(again)
      })
      return this.#followUp
    }
    this.#draining = this.#port
      .lock(async () => {
        const due = await this.due(force)
        if (due.length === 0) return
        const targets = due.map(({ entry }) => ({ token: entry.token, hint: entry.hint }))
        const outcomes = await this.#port.revoke(targets, 'outbox')
        const drained = await this.settle(due.map((item, index) => ({ ...item, outcome: outcomes[index]! })))
        if (drained) this.#port.emit({ type: 'outbox', action: 'drained', count: drained })
      })
      .catch(() => undefined)
      .finally(() => {
        this.#draining = undefined
        this.schedule()
      })
    return this.#draining
  }

  /** A timer for the next entry that becomes due, while this tab is open. */
  schedule(): void {
    if (!this.#enabled) return
    void this.nextDue()
      .catch(() => undefined)
      .then((at) => {
        if (at === undefined || this.#closed) this.#alarm.cancel()
        else this.#alarm.set(at, () => void this.drain(false))
      })
  }

  /**
   * Tokens nobody holds any more (a replaced session, a refresh that lost to a logout). With
   * the outbox on they were queued in the transaction that orphaned them: drain sends them.
   */
  async revokeOrphans(tokens: TokenSet): Promise<void> {
    if (this.#port.settings.outbox) return this.drain(true)
    await this.#port.revoke(targetsOf(tokens), 'outbox')
  }

  /**
   * Tokens the server issued that no record holds (storage refused them, the protocol refused
   * them, another tab ended the sign-in they were kept in memory for): queued if storage takes
   * them now, and sent; otherwise kept in memory and retried while the page lives.
   */
  async revokeUnqueued(tokens: TokenSet): Promise<void> {
    if (this.#closed) return
    const queued = this.queue(tokens)
    // With the outbox off nothing is kept: sent once.
    if (!queued) {
      await this.#port.revoke(targetsOf(tokens), 'outbox')
      return
    }
    const stored = await commit(this.#port.storage, queued.changes).then(
      () => true,
      () => false,
    )
    if (stored) return this.drain(true)
    const now = this.#port.now()
    await this.#memory.send(Object.values(queued.entries).map(({ entry }) => ({ ...entry, notBefore: now })))
  }

  close(): void {
    this.#closed = true
    this.#alarm.cancel()
    this.#memory.close()
  }
}
