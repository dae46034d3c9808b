// What the e2e tests and the benchmarks share: Debian's browsers, launched the same way, and
// free loopback ports. Nothing here downloads a browser.
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'

const firstExisting = (...paths) => paths.find((path) => path && existsSync(path))

/** Debian's Chromium, or CHROMIUM_PATH. */
export function findChromium() {
  return firstExisting(process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser')
}

/** Debian's Firefox ESR, or FIREFOX_PATH. */
export function findFirefox() {
  return firstExisting(process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox')
}

/** WebKitGTK's WebDriver, its MiniBrowser and an X server to show it on (webkit2gtk-driver, xvfb). */
export function findWebKit() {
  const driver = firstExisting(process.env.WEBKIT_WEBDRIVER_PATH, '/usr/bin/WebKitWebDriver')
  const browser = firstExisting(
    process.env.WEBKIT_MINIBROWSER_PATH,
    '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
  )
  const xvfb = firstExisting('/usr/bin/Xvfb')
  return driver && browser && xvfb ? { driver, browser, xvfb } : undefined
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

/**
 * Runs `start(port)` on a port that was free a moment ago, and again on a fresh port when
 * something took it in between (another test file, or our own next `listen(0)`, which the
 * kernel may hand the very port just released): the gap between choosing and listening
 * cannot be closed when the port must be known before the server is built.
 * @template T
 * @param {(port: number) => Promise<T>} start
 * @param {{ tries?: number }} [options]
 * @returns {Promise<T>}
 */
export async function onFreePort(start, { tries = 5 } = {}) {
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
function portTaken(error) {
  return (
    (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE') ||
    (error instanceof Error && /already in use|EADDRINUSE/.test(error.message))
  )
}

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
