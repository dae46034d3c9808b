import type { LimitEmit } from './events.js'
import type { SessionRecord } from '../storage/index.js'
import { Alarm, type Timers } from '../util/index.js'

/** How long before the server's session ends `session-ending` comes. */
const leadMs = 60_000

/**
 * The server's own limit on the session, where it says one (the refresh token's end, see
 * `TokenSet.refreshExpiresAt`): a `session-ending` event a minute before it, once per end, so
 * the app can save work or offer to sign in again. Where the server says nothing, nothing
 * happens. The snapshot shows the end itself (`sessionEndsAt`).
 */
export class ServerLimit {
  readonly #alarm: Alarm
  readonly #now: () => number
  readonly #emit: LimitEmit
  #endsAt: number | undefined

  constructor(port: { now: () => number; timers: Timers; emit: LimitEmit }) {
    this.#now = port.now
    this.#emit = port.emit
    this.#alarm = new Alarm(port.timers, port.now)
  }

  onTokens(current: SessionRecord | undefined): void {
    const endsAt = current?.tokens.refreshExpiresAt
    if (endsAt === this.#endsAt) return
    this.#endsAt = endsAt
    if (endsAt === undefined || endsAt <= this.#now()) {
      this.#alarm.cancel()
      return
    }
    this.#alarm.set(endsAt - leadMs, () => {
      this.#emit({ type: 'session-ending', endsAt, secondsLeft: Math.max(0, Math.ceil((endsAt - this.#now()) / 1000)) })
    })
  }

  close(): void {
    this.#alarm.cancel()
  }
}
