import type { SealingCrypto } from 'tokenwarden'

// Work the kit's settle() cannot see by counting tasks: WebCrypto runs off the main thread, and
// the code a refresh loads (a chunk) comes on real time; both answer when they are done, which
// on a loaded machine is many tasks later. The kit's sessions seal through `trackedSubtle` and
// lock through the lock hub (lock.ts), so settle() waits for what is in flight instead of guessing.
const inFlight = new Set<Promise<unknown>>()

/** Counts `work` until it settles. */
export function track<T>(work: Promise<T>): Promise<T> {
  inFlight.add(work)
  const done = () => inFlight.delete(work)
  work.then(done, done)
  return work
}

/** The page's `crypto.subtle` for sealing, each call counted; undefined where there is none. */
export function trackedSubtle(): SealingCrypto | undefined {
  const subtle = globalThis.crypto?.subtle
  if (!subtle) return undefined
  return {
    generateKey: (algorithm, extractable, usages) => track(subtle.generateKey(algorithm, extractable, usages)),
    encrypt: (algorithm, key, data) => track(subtle.encrypt(algorithm, key, data)),
    decrypt: (algorithm, key, data) => track(subtle.decrypt(algorithm, key, data)),
  }
}

/** Resolves when no counted work is in flight (at once when none is). */
export async function counted(): Promise<boolean> {
  if (inFlight.size === 0) return false
  await Promise.allSettled([...inFlight])
  return true
}
