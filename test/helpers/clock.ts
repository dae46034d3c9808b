import type { Timers } from '../../src/index.js'

/** Lets pending promises (storage, the fake server, the lock) settle, on real time. */
export const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * A clock and the `timers` seam on it: time moves only when the test says so, and the
 * timers due by then fire in order, each given the chance to finish its async work.
 */
export function createManualClock(start = Date.now()) {
  let now = start
  let nextId = 0
  const pending = new Map<number, { at: number; callback: () => void }>()
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      const id = ++nextId
      pending.set(id, { at: now + Math.max(0, ms), callback })
      return id
    },
    clearTimeout: (id) => {
      pending.delete(id as number)
    },
  }
  return {
    now: () => now,
    timers,
    /** Timers waiting now. */
    get pending() {
      return pending.size
    },
    async advance(ms: number) {
      const end = now + ms
      // A storm of timers (a refresh loop, say) fails the test instead of hanging it.
      for (let fired = 0; ; fired++) {
        if (fired > 1000) throw new Error('timer storm: more than 1000 timers fired in one advance()')
        await settle()
        const next = [...pending].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (!next || next[1].at > end) break
        pending.delete(next[0])
        now = Math.max(now, next[1].at)
        next[1].callback()
      }
      now = end
      await settle()
    },
  }
}
