import type { Timers } from './timers.js'

/**
 * How long the session must have been quiet (no event: no logout, refresh, cross-tab message,
 * sign-in) before code is fetched ahead of need. Evaluating a chunk holds the main thread for
 * milliseconds nothing can interrupt; a logout, a refresh or a tab's message arriving then
 * waits behind it. Right after start is when they come (a refresh that was due, the other
 * tabs, the user's first click), so a prefetch waits for a lull; a refresh due sooner loads
 * its code itself.
 */
export const prefetchQuietMs = 2000

/** When a prefetch may run (see {@link whenQuiet}). */
export interface QuietGate {
  timers: Timers
  /** Milliseconds since the session last did anything (its last event). */
  quietForMs(): number
  /** False once nothing needs the code soon (signed out, logging out, disposed): the prefetch is dropped. */
  wanted(): boolean
}

/**
 * Runs `run` once the session has been quiet for {@link prefetchQuietMs} and the browser is
 * idle, unless `gate` no longer wants it by then: a prefetch where nothing waits. Returns what
 * cancels it.
 */
export function whenQuiet(gate: QuietGate, run: () => void): () => void {
  let cancelled = false
  let timer: unknown
  const idle = (next: () => void) =>
    globalThis.requestIdleCallback ? globalThis.requestIdleCallback(next) : gate.timers.setTimeout(next, 1)
  const attempt = () => {
    if (cancelled || !gate.wanted()) return
    const wait = prefetchQuietMs - gate.quietForMs()
    if (wait > 0) {
      timer = gate.timers.setTimeout(attempt, wait)
      return
    }
    // Checked again once idle: the session may have woken up in between.
    idle(() => {
      if (gate.quietForMs() < prefetchQuietMs) attempt()
      else if (!cancelled && gate.wanted()) run()
    })
  }
  attempt()
  return () => {
    cancelled = true
    gate.timers.clearTimeout(timer)
  }
}

/**
 * A gate on a session's events: quiet since the last one, wanted while `wanted` says so.
 * `close()` stops it listening.
 */
export function quietGate(
  events: { on(listener: () => void): () => void },
  now: () => number,
  timers: Timers,
  wanted: () => boolean,
): QuietGate & { close(): void } {
  let lastEventAt = now()
  const close = events.on(() => {
    lastEventAt = now()
  })
  return { timers, quietForMs: () => now() - lastEventAt, wanted, close }
}
