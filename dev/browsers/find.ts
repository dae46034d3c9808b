// Debian's browsers, found where Debian installs them (or where an environment variable says),
// and Chromium's flags for this machine. Nothing here downloads a browser.
import { existsSync } from 'node:fs'

const firstExisting = (...paths: Array<string | undefined>) => paths.find((path): path is string => !!path && existsSync(path))

/** Debian's Chromium, or CHROMIUM_PATH. */
export function findChromium() {
  return firstExisting(process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser')
}

/** Debian's Firefox ESR, or FIREFOX_PATH. */
export function findFirefox() {
  return firstExisting(process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox')
}

/** WebKitGTK's WebDriver, its MiniBrowser and an X server to show it on (webkit2gtk-driver, xvfb). */
export function findWebKit(): { driver: string; browser: string; xvfb: string } | undefined {
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

/** Without the networking flags, Chromium keeps calling hosts this machine cannot reach (component updates, safe browsing, …). */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
