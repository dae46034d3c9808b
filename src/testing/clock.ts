import type { Timers } from 'tokenwarden'
import { counted } from './work.js'

/** A clock the test moves by hand: the session's `now` and `timers` seams, both on it. */
export interface TestClock {
  /** The `now` seam: the clock's time, in milliseconds since the epoch. */
  readonly now: () => number
  /** The `timers` seam: callbacks wait for {@link TestClock.advance}, never for real time. */
  readonly timers: Timers
  /**
   * Moves the clock forward by `ms`, running every timer that falls due on the way, in
   * order, each at its own time, and lets the work it starts settle (promises, the fake
   * server) before the next one. Resolves when the clock stands at the new time; rejects
   * when more than 1000 timers fire in one call (a timer storm).
   */
  advance(ms: number): Promise<void>
  /** How many timers are waiting. */
  readonly pending: number
}

interface Entry {
  id: number
  at: number
  callback: () => void
}

/**
 * Lets queued work run: promise chains, the fake server's answers, which are a few hops of
 * real (zero-delay) tasks away, and the sealing the kit's sessions do on WebCrypto, which
 * answers off the main thread whenever it is done: settle() waits for it, then lets what it
 * started run, until nothing is left (at most 100 passes). The session's own timers are on the
 * test clock, so nothing here waits for them.
 */
export async function settle(rounds = 5): Promise<void> {
  for (let pass = 0; pass < 100; pass++) {
    for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0))
    if (!(await counted())) return
  }
}

/** A test clock starting at `start` (ms since the epoch). */
export function createTestClock(start: number = Date.now()): TestClock {
  let current = start
  let ids = 0
  const entries = new Map<number, Entry>()
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      const id = ++ids
      entries.set(id, { id, at: current + Math.max(0, Number.isFinite(ms) ? ms : 0), callback })
      return id
    },
    clearTimeout: (handle) => {
      entries.delete(handle as number)
    },
  }
  const nextDue = (until: number): Entry | undefined => {
    let next: Entry | undefined
    for (const entry of entries.values()) {
      if (entry.at <= until && (!next || entry.at < next.at || (entry.at === next.at && entry.id < next.id))) next = entry
    }
    return next
  }
  return {
    now: () => current,
    timers,
    async advance(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TypeError('advance(ms) needs a non-negative number.')
      const target = current + ms
      await settle()
      // A storm of timers (a refresh loop, say) fails the test instead of hanging it.
      let fired = 0
      for (let next = nextDue(target); next; next = nextDue(target)) {
        if (++fired > 1000) throw new Error('advance(): more than 1000 timers fired at once: a timer storm (a refresh loop?).')
        entries.delete(next.id)
        current = Math.max(current, next.at)
        next.callback()
        await settle()
      }
      current = target
      await settle()
    },
    get pending() {
      return entries.size
    },
  }
}
