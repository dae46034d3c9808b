import { maxTimerMs } from '../defaults.js'

/**
 * The timer seam: what tokenwarden schedules (the proactive refresh, the outbox retry) goes
 * through this, so tests advance a fake clock instead of sleeping on real time.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** One pending call at a moment in time; setting it again replaces the previous one. */
export class Alarm {
  readonly #timers: Timers
  readonly #now: () => number
  #handle: unknown

  constructor(timers: Timers, now: () => number) {
    this.#timers = timers
    this.#now = now
  }

  /** Calls `callback` at `time` (ms since the epoch), or at once when that has passed. */
  set(time: number, callback: () => void): void {
    this.cancel()
    const delay = Math.min(maxTimerMs, Math.max(0, time - this.#now()))
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined
      callback()
    }, delay)
  }

  cancel(): void {
    if (this.#handle !== undefined) this.#timers.clearTimeout(this.#handle)
    this.#handle = undefined
  }
}
