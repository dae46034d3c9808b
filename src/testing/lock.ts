import type { TabLockFactory } from 'tokenwarden'

/**
 * Locks shared by the simulated tabs of one test authority, one holder at a time per name,
 * as Web Locks are for the tabs of an origin. Separate authorities never wait on each other.
 * The signal aborts the wait, not the task.
 */
export function createLockHub(): { factory: TabLockFactory } {
  const tails = new Map<string, Promise<void>>()
  const factory: TabLockFactory = (name) => async (task, options) => {
    const previous = tails.get(name) ?? Promise.resolve()
    let release!: () => void
    const turn = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => turn)
    tails.set(name, tail)
    void tail.then(() => {
      if (tails.get(name) === tail) tails.delete(name)
    })
    try {
      await (options?.signal ? Promise.race([previous, aborted(options.signal)]) : previous)
    } catch (reason) {
      // Gave up waiting: pass the turn on as soon as the holder is done.
      void previous.then(release)
      throw reason
    }
    try {
      return await task()
    } finally {
      release()
    }
  }
  return { factory }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}
