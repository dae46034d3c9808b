// What the e2e tests and the benchmarks share: Debian's Chromium, launched the same way, and
// free loopback ports.
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'

/** Debian's Chromium, or CHROMIUM_PATH. Nothing downloads a browser. */
export function findChromium() {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path && existsSync(path))
}

/** Flags from FACTS.md: without the networking ones Chromium keeps calling hosts this machine cannot reach. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A port nothing listens on at the moment, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
