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

/** Calls `callback` when the browser comes back online. Returns the function that stops it. */
export function onOnline(callback: () => void): () => void {
  if (typeof addEventListener !== 'function') return () => {}
  addEventListener('online', callback)
  return () => removeEventListener('online', callback)
}
