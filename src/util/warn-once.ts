/** A logger: where tokenwarden's warnings go (`console` by default). */
export interface Logger {
  warn(message: string): void
}

const warned = new WeakMap<Logger, Set<string>>()

/**
 * Warns `logger` of `message` once for the page's life: an app that creates many sessions
 * (or one per test) is told once, and a test can still see it with a logger of its own.
 */
export function warnOnce(logger: Logger, message: string): void {
  const seen = warned.get(logger) ?? new Set<string>()
  warned.set(logger, seen)
  if (seen.has(message)) return
  seen.add(message)
  logger.warn(message)
}
