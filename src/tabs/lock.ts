import { whenAborted } from '../util/index.js'

/**
 * The lock seam: runs `task` while holding the lock, one holder at a time. The signal
 * aborts the wait, not the task.
 */
export type TabLock = <T>(task: () => Promise<T>, options?: { signal?: AbortSignal }) => Promise<T>

export type TabLockFactory = (name: string) => TabLock

/**
 * Locks that exclude each other by name among the holders that share this factory, one holder
 * at a time, in the order they asked: what Web Locks do for the tabs of an origin, here for
 * whoever shares the queue. `tokenwarden/testing` gives its simulated tabs one of these.
 */
export function createLockQueue(): TabLockFactory {
  const queues = new Map<string, Promise<void>>()
  return (name) => async (task, options) => {
    const previous = queues.get(name) ?? Promise.resolve()
    let release!: () => void
    const turn = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => turn)
    queues.set(name, tail)
    void tail.then(() => {
      if (queues.get(name) === tail) queues.delete(name)
    })
    const aborted = options?.signal ? whenAborted(options.signal) : undefined
    try {
      await (aborted ? Promise.race([previous, aborted]) : previous)
    } catch (reason) {
      // Gave up waiting: pass our turn on as soon as the holder is done.
      void previous.then(release)
      throw reason
    }
    try {
      return await task()
    } finally {
      release()
    }
  }
}

/**
 * A lock that only excludes holders in this tab: for browsers without Web Locks. One queue per
 * lock name in this realm, shared by every session that uses the name.
 */
export const createInTabLock: TabLockFactory = createLockQueue()

/**
 * Web Locks (all tabs of the origin) where available; happy-dom has `navigator.locks` set to
 * null, and insecure contexts have none, so it is feature-detected at each use.
 */
export const createDefaultLock: TabLockFactory = (name) => {
  const fallback = createInTabLock(name)
  return (task, options) => {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
    if (!locks?.request) return fallback(task, options)
    return locks.request(name, options?.signal ? { signal: options.signal } : {}, task) as Promise<Awaited<ReturnType<typeof task>>>
  }
}
