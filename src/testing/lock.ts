import { createLockQueue, type TabLockFactory } from 'tokenwarden'

/**
 * Locks shared by the simulated tabs of one test authority, one holder at a time per name,
 * as Web Locks are for the tabs of an origin. Separate authorities never wait on each other.
 */
export function createLockHub(): { factory: TabLockFactory } {
  return { factory: createLockQueue() }
}
