// Free loopback ports for the servers the tests, the bench and the demo start.
import { createServer } from 'node:net'

/**
 * Runs `start(port)` on a port that was free a moment ago, and again on a fresh port when
 * something took it in between (another test file, or our own next `listen(0)`, which the
 * kernel may hand the very port just released): the gap between choosing and listening
 * cannot be closed when the port must be known before the server is built.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, { tries = 5 }: { tries?: number } = {}): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort()
    try {
      return await start(port)
    } catch (error) {
      if (attempt >= tries || !portTaken(error)) throw error
    }
  }
}

/** Node says EADDRINUSE; Vite with `strictPort` says "Port N is already in use". */
function portTaken(error: unknown) {
  return (
    (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE') ||
    (error instanceof Error && /already in use|EADDRINUSE/.test(error.message))
  )
}

/** A port nothing listens on at the moment, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
