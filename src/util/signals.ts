/** A promise that rejects with `signal.reason` once `signal` aborts (at once if it has). */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
}

/** `promise`, or a rejection with the signal's reason if the signal aborts first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([promise, whenAborted(signal)])
}

/** Aborts when any of `signals` does. AbortSignal.any where it exists (Safari has it only since 17.4). */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([...signals])
  const controller = new AbortController()
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason)
      break
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true })
  }
  return controller.signal
}

/** A time bound: its signal aborts when the time is up; `remainingMs()` is what is left (at least 1). */
export interface Bound {
  readonly signal: AbortSignal
  remainingMs(): number
}

/** A bound of `ms` from now: what every step that must not wait for good is given. */
export function bound(ms: number): Bound {
  const end = Date.now() + ms
  return { signal: AbortSignal.timeout(ms), remainingMs: () => Math.max(1, end - Date.now()) }
}
