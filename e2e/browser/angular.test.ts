import { expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  expectBothRevoked,
  latestIssuedTokens,
  phoneWidthCheck,
  screenshotPath,
  snapshotOf,
  textOf,
  toPhoneWidth,
  tokenRecordPrefixes,
  useStack,
  waitForSelector,
  waitForStatus,
  waitInTab,
  type Tab,
} from '../harness.js'

const path = '/angular/'

/** The page's uncaught errors from now on (Angular reports its own through console.error too). */
async function errorsOf(tab: Tab) {
  await tab.evaluate(() => {
    const w = window as unknown as { pageErrors?: string[] }
    w.pageErrors = []
    addEventListener('error', (event) => w.pageErrors!.push(event.message))
    addEventListener('unhandledrejection', (event) => w.pageErrors!.push(String(event.reason)))
    const consoleError = console.error.bind(console)
    console.error = (...args: unknown[]) => {
      w.pageErrors!.push(args.map(String).join(' '))
      consoleError(...args)
    }
  })
  return () => tab.evaluate(() => (window as unknown as { pageErrors: string[] }).pageErrors)
}

const eventTypes = (tab: Tab) =>
  tab.evaluate(() => [...document.querySelectorAll('#events li')].map((li) => li.getAttribute('data-type')).reverse())

describeInEngine('the Angular demo page, built on tokenwarden/angular (compiled in the browser)', () => {
  const env = useStack()

  it(`the guard sends a signed-out visitor home; signed in, the signals render the session, HttpClient gets the token through the interceptor, the logout button shows pending then its result, both tokens are dead at the server and the events were streamed; no sideways scrolling ${phoneWidthCheck}`, async () => {
    const page = env.tab
    const { origin } = env.stack

    // signedInGuard: a signed-out visitor of the guarded route lands on the sign-in route.
    await page.goto(`${origin}${path}account`)
    await waitForStatus(page, 'signed-out')
    await waitForSelector(page, '#login')
    expect(new URL(await page.url()).pathname).toBe(path)
    expect(await textOf(page, '#account')).toBeNull()

    // Signing in from there (the demo's button, the server, the callback route).
    await page.click('#login')
    await waitInTab(page, (expected) => location.href === expected && document.readyState === 'complete', `${origin}${path}`, {
      what: 'back from the callback',
    })
    await waitForStatus(page, 'signed-in')
    const errors = await errorsOf(page)
    await waitForSelector(page, '#status[data-status="signed-in"]')
    expect(await textOf(page, '#status')).toBe('signed-in')
    expect(await textOf(page, '#session')).toContain('Demo User')

    const access = await accessTokenOf(page)
    const { refresh } = latestIssuedTokens(env.stack.auth)
    // injectAccessToken() rendered the same token the session hands out.
    await waitInTab(page, (prefix) => document.querySelector('#token')?.textContent?.startsWith(prefix), access.slice(0, 8), {
      what: 'the token shown',
    })

    // HttpClient with tokenwardenInterceptor: the dev API received this very token.
    await page.click('#call-api')
    await waitInTab(page, () => document.querySelector('#api')?.textContent?.includes('demo-user'), undefined, { what: 'the API answer' })
    const api = env.stack.auth.requests.filter((r) => r.endpoint === 'api')
    expect(api.map((r) => ({ authorization: r.headers.authorization, status: r.status }))).toEqual([
      { authorization: `Bearer ${access}`, status: 200 },
    ])

    // Signed in, the guarded route opens (a router navigation, same document).
    await page.click('#account-link')
    await waitForSelector(page, '#account')
    expect(await textOf(page, '#account')).toContain('Demo User')
    expect(new URL(await page.url()).pathname).toBe(`${path}account`)
    await page.click('#home-link')
    await waitForSelector(page, '#logout')

    // injectLogout(): pending while the revocations are in flight (slowed until the button
    // says so), then the result. Each revocation kills only the token it presents: both must be sent.
    env.stack.auth.faults.set({ revokeOnlyPresented: true, latencyMs: 500 })
    env.stack.auth.clearLog()
    await page.click('#logout')
    await waitInTab(
      page,
      () => {
        const button = document.querySelector<HTMLButtonElement>('#logout')
        return button?.disabled === true && button.textContent?.trim() === 'Logging out…'
      },
      undefined,
      { what: 'the pending logout button' },
    )
    env.stack.auth.faults.set({ latencyMs: 0 })
    await waitForSelector(page, '#status[data-status="signed-out"]')
    expect(await textOf(page, '#status')).toBe('signed out (logout)')
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
    await waitForSelector(page, '[data-token="access_token"]')
    expect(await textOf(page, '[data-token="refresh_token"]')).toBe('revoked')
    expect(await textOf(page, '[data-token="access_token"]')).toBe('revoked')
    expect(await textOf(page, '#logout')).toContain('Log out')

    // The server's word: both revoked, introspection says inactive; nothing left in storage.
    await expectBothRevoked(env.stack.auth, { access, refresh })
    expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
    await waitInTab(page, () => document.querySelectorAll('#verdict tbody td.good').length === 2, undefined, { what: 'the verdict' })
    expect(await textOf(page, '#token')).toBe('—')

    // injectSessionEvents(): the logout as the stream told it.
    expect(await eventTypes(page)).toEqual(
      expect.arrayContaining(['logout-started', 'signed-out', 'revocation', 'revocation', 'logout-finished']),
    )

    // Signed out again, the guard turns the visitor back once more.
    await page.click('#account-link')
    await waitForSelector(page, '#login')
    expect(new URL(await page.url()).pathname).toBe(path)
    expect(await textOf(page, '#account')).toBeNull()

    await page.screenshot(screenshotPath('angular-desktop'))
    const width = await toPhoneWidth(page)
    await page.screenshot(screenshotPath('angular-phone'))
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
    expect(await errors()).toEqual([])
  })
})
