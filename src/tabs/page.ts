// The page's lifecycle, as the session needs it: moments when what this tab holds may be stale.

/**
 * Calls `callback` when the page comes back from the back/forward cache: it may have missed
 * messages while frozen (and a message that arrives then may evict it instead).
 */
export function onPageRestore(callback: () => void): () => void {
  if (typeof addEventListener !== 'function') return () => {}
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) callback()
  }
  addEventListener('pageshow', onPageShow)
  return () => removeEventListener('pageshow', onPageShow)
}

/**
 * Calls `callback` when the page becomes visible again: a tab that sat in the background may
 * have missed that its records were evicted or ended. Returns the function that stops it.
 */
export function onPageVisible(callback: () => void): () => void {
  if (typeof document === 'undefined' || typeof document.addEventListener !== 'function') return () => {}
  const onChange = () => {
    if (document.visibilityState === 'visible') callback()
  }
  document.addEventListener('visibilitychange', onChange)
  return () => document.removeEventListener('visibilitychange', onChange)
}

/** What counts as the user's activity: a pointer or key pressed, a wheel turned, a pointer moved. */
const activityEvents = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const

/**
 * Calls `callback` on the user's activity in this page: the events above, and the page
 * becoming visible. Listeners are passive and capture, so no app handler can hide them.
 * Returns the function that removes them.
 */
export function onUserActivity(callback: () => void): () => void {
  if (typeof addEventListener !== 'function') return () => {}
  const options = { capture: true, passive: true }
  for (const type of activityEvents) addEventListener(type, callback, options)
  const stopVisible = onPageVisible(callback)
  return () => {
    for (const type of activityEvents) removeEventListener(type, callback, options)
    stopVisible()
  }
}

/** Calls `callback` when the browser comes back online. Returns the function that stops it. */
export function onOnline(callback: () => void): () => void {
  if (typeof addEventListener !== 'function') return () => {}
  addEventListener('online', callback)
  return () => removeEventListener('online', callback)
}
