// The measures the bench takes in the page, the same for every library: each goes through the
// library's adapter (adapters/) and times with performance.now(), on the page's own clock.

import type { LibraryAdapter, LogoutWatch } from './adapters/adapter.js'
import { message } from './adapters/adapter.js'

/** An absolute time comparable between the pages of one browser. */
const now = () => performance.timeOrigin + performance.now()

export interface LogoutMeasure {
  /** performance.timeOrigin + performance.now() when logout was called (comparable across tabs). */
  calledAt: number
  /** ms from the call to the logout promise settling; null when it had not settled within the cap. */
  settledMs: number | null
  /** ms from the call to this tab showing signed-out (the adapter's onSignedOut); null when not within the cap. */
  onScreenMs: number | null
  /** The revocation requests as Resource Timing saw them, ms after the call (fetch started, response ended). */
  requests: RequestTiming[]
  /** What the library reported (tokenwarden: its per-token result; axa: its logoutAsync_error events). */
  report: string
  /** What the library's own events said about the phases of the logout (tokenwarden only). */
  marks?: LogoutWatch['marks']
}

/** A revocation request as Resource Timing saw it: fetch started and response ended, ms after a call. */
export interface RequestTiming {
  start: number
  end: number
}

const revocationEntries = () => performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/token/revocation'))

/** The revocation requests' Resource Timing since `started` (cleared at it), as they are now. */
function revocationRequestsNow(started: number): RequestTiming[] {
  return revocationEntries().map((entry) => ({
    start: entry.startTime - started,
    end: (entry as PerformanceResourceTiming).responseEnd - started,
  }))
}

/**
 * The same, once `expected` requests have an entry. An entry is added a little after its answer
 * is handed to the page: this waits (briefly, and only after what was timed settled) for them,
 * or the count would miss the last of them now and then.
 */
export async function revocationRequests(started: number, expected: number): Promise<RequestTiming[]> {
  for (let waited = 0; revocationEntries().length < expected && waited < 200; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return revocationRequestsNow(started)
}

/**
 * Logs out with `library` and times it. The logout promise is raced against `capMs`, so a
 * library that waits forever on a hanging endpoint is reported as not settled instead of
 * blocking. With `profile`, the CPU profile (taken by bench/run.ts through the DevTools protocol)
 * covers exactly the call up to settling.
 */
export async function measureLogout(library: LibraryAdapter, capMs: number, profile = false): Promise<LogoutMeasure> {
  performance.clearResourceTimings()
  let started = 0
  const watch = library.watchLogout(() => performance.now() - started)
  let onScreenAt: number | null = null
  const stopWatching = library.onSignedOut(() => {
    onScreenAt = performance.now()
  }, false)
  if (profile) console.profile('logout')
  started = performance.now()
  const logout = library.logout()
  let timer: ReturnType<typeof setTimeout> | undefined
  const outcome = await Promise.race([
    logout.then(
      (report) => ({ at: performance.now(), report }),
      (error: unknown) => ({ at: performance.now(), report: `rejected: ${message(error)}` }),
    ),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), capMs)
    }),
  ])
  clearTimeout(timer)
  if (profile) console.profileEnd('logout')
  // The snapshot may turn signed-out in the same task as the promise settles: give it that turn.
  await new Promise((resolve) => setTimeout(resolve, 0))
  stopWatching()
  watch.stop()
  const requests = outcome ? await revocationRequests(started, 2) : revocationRequestsNow(started)
  const end = onScreenAt as number | null
  return {
    calledAt: performance.timeOrigin + started,
    settledMs: outcome ? outcome.at - started : null,
    onScreenMs: end === null ? null : end - started,
    requests,
    ...(watch.marks ? { marks: watch.marks } : {}),
    report: `${outcome ? outcome.report : `not settled after ${capMs} ms`}${watch.errors.length ? `; errors: ${watch.errors.join(' | ')}` : ''}`,
  }
}

/** The other tab's side of a logout: when (absolute time) this tab's library showed signed-out, and why. */
export function otherTabWatch() {
  let heard: { at: number; reason: string | null } | undefined
  let stop: (() => void) | undefined
  return {
    /** Starts noting when this tab's library shows another tab's logout. */
    watch(library: LibraryAdapter) {
      stop?.()
      heard = undefined
      stop = library.onSignedOut((reason) => {
        heard = { at: now(), reason }
      }, true)
    },
    /** What `watch` noted, waiting up to `timeoutMs` for it; `at` null when nothing was seen. */
    async signedOutAt(timeoutMs: number): Promise<{ at: number | null; reason: string | null }> {
      const deadline = performance.now() + timeoutMs
      while (heard === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2))
      stop?.()
      stop = undefined
      return heard ?? { at: null, reason: null }
    },
  }
}
