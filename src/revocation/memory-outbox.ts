import { type OutboxEntry, outboxEntry } from '../storage/index.js'
import { Alarm, type Timers } from '../util/index.js'
import type { RevocationOutcome } from './answer.js'
import type { RevocationEmit } from './events.js'
import { retryAt } from './retry.js'
import type { Outcomes } from './report.js'
import { type RevocationTarget, type Revoker, slotOf } from './revoker.js'

/** What the memory outbox needs: the same revoker, clock, timers and events as the durable one. */
export interface MemoryOutboxPort {
  revoke: Revoker
  now: () => number
  timers: Timers
  emit: RevocationEmit
}

/**
 * Revocations that storage refused to queue (a full or failing disk): kept in this page's
 * memory and sent again on the same terms as the durable outbox (back online, on backoff,
 * with the same events) while the page lives. Nothing else would ever send them.
 */
export class MemoryOutbox {
  readonly #port: MemoryOutboxPort
  readonly #alarm: Alarm
  #entries: OutboxEntry[] = []

  constructor(port: MemoryOutboxPort) {
    this.#port = port
    this.#alarm = new Alarm(port.timers, port.now)
  }

  /** Sends `entries` now; those that fail for a retryable reason are kept. */
  async send(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return
    const outcomes = await this.#port.revoke(
      entries.map(({ token, hint }) => ({ token, hint })),
      'outbox',
    )
    const kept = this.keep(entries.map((entry, index) => ({ entry, outcome: outcomes[index]! }))).length
    if (kept < entries.length) this.#port.emit({ type: 'outbox', action: 'drained', count: entries.length - kept })
  }

  /** Keeps the attempts that failed for a retryable reason, backed off, and returns them. */
  keep(attempts: ReadonlyArray<{ entry: OutboxEntry; outcome: RevocationOutcome }>): OutboxEntry[] {
    const now = this.#port.now()
    const kept = attempts.flatMap(({ entry, outcome }) => {
      const at = retryAt(entry, outcome, now)
      return at === undefined ? [] : [{ ...entry, attempts: entry.attempts + 1, notBefore: at }]
    })
    this.#entries.push(...kept)
    if (kept.length) this.#port.emit({ type: 'outbox', action: 'queued', count: kept.length })
    this.#schedule()
    return kept
  }

  /**
   * Tokens a logout could not queue (storage refused its transaction): each one whose outcome
   * says it may succeed later is kept, until it expires (`unknownExpiry` when its expiry is not
   * known). Returns the slots kept.
   */
  keepTokens(targets: readonly RevocationTarget[], outcomes: Outcomes, unknownExpiry: number): Set<string> {
    const now = this.#port.now()
    const attempts = targets.flatMap((target) => {
      const { token, hint, expiresAt = unknownExpiry } = target
      const outcome = outcomes[slotOf(target)]
      return outcome ? [{ entry: outboxEntry({ token, hint, expiresAt, notBefore: now }), outcome, slot: slotOf(target) }] : []
    })
    const kept = this.keep(attempts)
    return new Set(attempts.filter(({ entry }) => kept.some((k) => k.token === entry.token)).map(({ slot }) => slot))
  }

  /** Sends the entries that are due (all of them when `force`: back online). */
  drain(force: boolean): Promise<void> {
    const now = this.#port.now()
    const due = this.#entries.filter((entry) => force || entry.notBefore <= now)
    this.#entries = this.#entries.filter((entry) => !due.includes(entry))
    return this.send(due)
  }

  #schedule(): void {
    if (this.#entries.length === 0) this.#alarm.cancel()
    else this.#alarm.set(Math.min(...this.#entries.map((entry) => entry.notBefore)), () => void this.drain(false))
  }

  close(): void {
    this.#entries = []
    this.#alarm.cancel()
  }
}
