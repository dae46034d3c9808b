// What the browser suites say about a demo page (plain, React, Vue, Angular: the same element
// ids): its errors, its signed-in and logged-out renderings, and its layout at phone width.
import { expect } from 'vitest'
import type { AuthServer } from '../dev/auth-server/index.js'
import {
  accessTokenOf,
  expectBothRevoked,
  latestIssuedTokens,
  screenshotPath,
  snapshotOf,
  textOf,
  toPhoneWidth,
  tokenRecordPrefixes,
  waitForSelector,
  waitInTab,
  type Tab,
} from './harness.js'

/**
 * Collects the page's uncaught errors and unhandled rejections from now on (and what it writes
 * with `console.error`, with `consoleErrors`: Angular reports its own errors there); returns a reader.
 */
export async function collectPageErrors(tab: Tab, { consoleErrors = false } = {}): Promise<() => Promise<string[]>> {
  await tab.evaluate((console_) => {
    const w = window as unknown as { pageErrors?: string[] }
    w.pageErrors = []
    addEventListener('error', (event) => w.pageErrors!.push(event.message))
    addEventListener('unhandledrejection', (event) => w.pageErrors!.push(String(event.reason)))
    if (!console_) return
    const consoleError = console.error.bind(console)
    console.error = (...args: unknown[]) => {
      w.pageErrors!.push(args.map(String).join(' '))
      consoleError(...args)
    }
  }, consoleErrors)
  return () => tab.evaluate(() => (window as unknown as { pageErrors: string[] }).pageErrors)
}

/**
 * A signed-in demo page: its status and the user rendered, and the token it shows is the one
 * the session hands out. Returns that token and the refresh token the server issued with it.
 */
export async function expectDemoSignedIn(page: Tab, auth: AuthServer): Promise<{ access: string; refresh: string }> {
  await waitForSelector(page, '#status[data-status="signed-in"]')
  expect(await textOf(page, '#status')).toBe('signed-in')
  expect(await textOf(page, '#session')).toContain('Demo User')
  const access = await accessTokenOf(page)
  const { refresh } = latestIssuedTokens(auth)
  await waitInTab(page, (prefix) => document.querySelector('#token')?.textContent?.startsWith(prefix), access.slice(0, 8), {
    what: 'the token shown',
  })
  return { access, refresh }
}

/**
 * A demo page after its logout button: signed out with reason `logout`, each token's outcome
 * rendered `revoked`, both dead at the server (exactly two revocations, introspection), no
 * session record left, the server's verdict shown and no token on screen.
 */
export async function expectDemoLoggedOut(page: Tab, auth: AuthServer, tokens: { access: string; refresh: string }) {
  await waitForSelector(page, '#status[data-status="signed-out"]')
  expect(await textOf(page, '#status')).toBe('signed out (logout)')
  expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  await waitForSelector(page, '[data-token="access_token"]')
  expect(await textOf(page, '[data-token="refresh_token"]')).toBe('revoked')
  expect(await textOf(page, '[data-token="access_token"]')).toBe('revoked')
  await expectBothRevoked(auth, tokens)
  expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
  await waitInTab(page, () => document.querySelectorAll('#verdict tbody td.good').length === 2, undefined, { what: 'the verdict' })
  expect(await textOf(page, '#token')).toBe('—')
}

/** Screenshots `<slug>-desktop` and `<slug>-phone`; at phone width nothing is wider than the screen (no sideways scrolling). */
export async function expectFitsPhone(page: Tab, slug: string) {
  await page.screenshot(screenshotPath(`${slug}-desktop`))
  const width = await toPhoneWidth(page)
  await page.screenshot(screenshotPath(`${slug}-phone`))
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
}
