import type { LimitEmit } from './events.js'
import type { SessionRecord } from '../storage/index.js'
import type { TabMessage } from '../tabs/index.js'
import { Alarm, type Timers } from '../util/index.js'

/** What the idle limit needs from the session. */
export interface IdlePort {
  /** The longest time without user activity, in ms. */
  limitMs: number
  /** How long before the end the countdown starts, in ms (at most the limit). */
  warningMs: number
  /** Tells the other tabs that the user did something here (no token, no detail). */
  broadcast(type: 'activity'): void
  /** Listens to the user's activity in this page (tabs/page.ts); returns the function that stops it. */
  listen(callback: () => void): () => void
  /** The real logout, in this tab, with reason `idle`. */
  logout(): Promise<unknown>
  /** Activity came after the proactive refresh was held back: schedule it again. */
  resume(): void
  now: () => number
  timers: Timers
  emit: LimitEmit
}

/**
 * At most one `activity` message per this many ms while the user is busy (pointer moves fire
 * dozens of times a second), and one more at its end: the other tabs are never further behind.
 */
const activityMessageMs = 1000
/** The countdown's tick. */
const tickMs = 1000

/**
 * The idle limit (README, "Idle limit"): the session ends when no tab saw the user's activity
 * for `limitMs`. Activity in any tab starts it again in all of them (the `activity` message);
 * a countdown (`idle-warning`, every second) comes before the end, and `stayActive()` counts as
 * activity. Each tab keeps its own timer on the shared time of the last activity; the first
 * to reach the limit logs out, and the others hear it. The page's listeners are attached only
 * while a session is signed in.
 */
export class IdleWatcher {
  readonly #port: IdlePort
  readonly #alarm: Alarm
  readonly #messages: Alarm
  #lastActivityAt: number
  #lastMessageAt = -Infinity
  /** Activity since the last message was sent: one more goes when the interval ends. */
  #unsent = false
  #warning = false
  #stopListening: (() => void) | undefined
  #signedIn = false

  constructor(port: IdlePort) {
    this.#port = port
    this.#alarm = new Alarm(port.timers, port.now)
    this.#messages = new Alarm(port.timers, port.now)
    this.#lastActivityAt = port.now()
  }

  /** When the user was last active in any tab (ms since the epoch). */
  get lastActivityAt(): number {
    return this.#lastActivityAt
  }

  /**
   * True when the user did something (in any tab) after `since` (when the tokens came): a
   * proactive refresh is worth it. A sign-in itself counts as activity only until its tokens.
   */
  activeSince(since: number): boolean {
    return this.#lastActivityAt > since
  }

  /** The session's tokens changed (a record, or none): watch while signed in, stop when signed out. */
  onTokens(current: SessionRecord | undefined): void {
    if (current && !this.#signedIn) {
      this.#signedIn = true
      // A sign-in or a restored session is a moment the user is here.
      this.#lastActivityAt = Math.max(this.#lastActivityAt, this.#port.now())
      this.#stopListening = this.#port.listen(() => this.#activity(true))
      this.#schedule()
    } else if (!current && this.#signedIn) {
      this.#stop()
    }
  }

  /** `session.stayActive()`: the "stay signed in" of a countdown, counted as activity everywhere. */
  stayActive(): void {
    if (this.#signedIn) this.#activity(true)
  }

  onMessage(message: TabMessage): void {
    if (message.type === 'activity' && this.#signedIn) this.#activity(false)
  }

  #activity(here: boolean): void {
    const { now, emit, limitMs } = this.#port
    // Past the limit already (a background tab's timer throttled or frozen, the user back after
    // hours): the activity comes too late to keep the session; it ends now.
    if (now() - this.#lastActivityAt >= limitMs) {
      void this.#end()
      return
    }
    this.#lastActivityAt = now()
    if (this.#warning) {
      this.#warning = false
      emit({ type: 'idle-warning', secondsLeft: null })
    }
    if (here) this.#tell()
    this.#port.resume()
    this.#schedule()
  }

  /** Tells the other tabs at once, then at most once per interval while the activity lasts. */
  #tell(): void {
    const { now } = this.#port
    if (now() - this.#lastMessageAt >= activityMessageMs) {
      this.#lastMessageAt = now()
      this.#unsent = false
      this.#port.broadcast('activity')
      return
    }
    if (this.#unsent) return
    this.#unsent = true
    this.#messages.set(this.#lastMessageAt + activityMessageMs, () => {
      if (!this.#unsent || !this.#signedIn) return
      this.#unsent = false
      this.#lastMessageAt = this.#port.now()
      this.#port.broadcast('activity')
    })
  }

  /** The next moment that matters: the countdown's start, its next tick, or the end. */
  #schedule(): void {
    const { limitMs, warningMs, now } = this.#port
    const endsAt = this.#lastActivityAt + limitMs
    const warnAt = endsAt - warningMs
    const at = now()
    if (at >= endsAt) {
      void this.#end()
      return
    }
    if (at < warnAt) {
      this.#alarm.set(warnAt, () => this.#schedule())
      return
    }
    const left = endsAt - at
    this.#warning = true
    this.#port.emit({ type: 'idle-warning', secondsLeft: Math.ceil(left / 1000) })
    // The next whole second, or the end.
    this.#alarm.set(at + (left % tickMs || tickMs), () => this.#schedule())
  }

  async #end(): Promise<void> {
    this.#stop()
    await this.#port.logout().catch(() => undefined)
  }

  #stop(): void {
    this.#signedIn = false
    this.#warning = false
    this.#unsent = false
    this.#alarm.cancel()
    this.#messages.cancel()
    this.#stopListening?.()
    this.#stopListening = undefined
  }

  /** The session was disposed. */
  close(): void {
    this.#stop()
  }
}
