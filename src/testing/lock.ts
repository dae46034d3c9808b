import { createLockQueue, type TabLockFactory } from 'tokenwarden'
import { track } from './work.js'

/**
 * Locks shared by the simulated tabs of one test authority, one holder at a time per name,
 * as Web Locks are for the tabs of an origin. Separate authorities never wait on each other.
 * What runs under a lock (a refresh, the outbox) is counted, so settle() waits for it: a
 * refresh may first load its code (a chunk, on real time, not the test clock).
 */
export function createLockHub(): { factory: TabLockFactory } {
  const queue = createLockQueue()
  return {
    factory: (name) => {
      const lock = queue(name)
      return (task, options) => track(lock(task, options))
    },
  }
}
