import { expect, it } from 'vitest'
import { describeInEngine, phoneWidthCheck, textOf, useStack, waitForSelector, waitForStatus, waitInTab, type Tab } from '../harness.js'
import { collectPageErrors, expectDemoLoggedOut, expectDemoSignedIn, expectFitsPhone } from '../demo-page.js'

const path = '/angular/'

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
    const errors = await collectPageErrors(page, { consoleErrors: true })
    // The signals and injectAccessToken() rendered the session and its token.
    const tokens = await expectDemoSignedIn(page, env.stack.auth)
    const { access } = tokens

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
    // The result, rendered; the server's word: both revoked, introspection says inactive.
    await expectDemoLoggedOut(page, env.stack.auth, tokens)
    expect(await textOf(page, '#logout')).toContain('Log out')

    // injectSessionEvents(): the logout as the stream told it.
    expect(await eventTypes(page)).toEqual(
      expect.arrayContaining(['logout-started', 'signed-out', 'revocation', 'revocation', 'logout-finished']),
    )

    // Signed out again, the guard turns the visitor back once more.
    await page.click('#account-link')
    await waitForSelector(page, '#login')
    expect(new URL(await page.url()).pathname).toBe(path)
    expect(await textOf(page, '#account')).toBeNull()

    await expectFitsPhone(page, 'angular')
    expect(await errors()).toEqual([])
  })
})
