import { beforeEach, expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  markDocument,
  openSignedInTab,
  signIn,
  snapshotOf,
  useStack,
  waitForStatus,
  type DemoWindow,
  type Tab,
} from '../harness.js'

/**
 * A read of the page, tried again a few times: WebKitWebDriver's script call can fail
 * (`WebDriverError: [object Object]`) while the page's hidden frame navigates or is removed.
 */
async function read<R>(run: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (attempt >= 5 || !String(error).includes('WebDriverError')) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/**
 * The snapshot's status and reason only: a signed-out snapshot carries its error, an `Error`
 * WebKitWebDriver cannot hand back (`execute/sync` fails).
 */
const statusOf = (tab: Tab) =>
  read(() =>
    tab.evaluate(() => {
      const snapshot = (window as unknown as DemoWindow).demo.session.getSnapshot()
      return { status: snapshot.status, reason: snapshot.status === 'signed-out' ? snapshot.reason : undefined }
    }),
  )

/** The page's sign-outs after it signed in (the callback page starts signed out, `initial`). */
const signOutsOf = async (tab: Tab) => (await eventsOf(tab, 'signed-out')).filter((event) => event.reason !== 'initial')

/** The demo's events of one type, read in the page. */
const eventsOf = (tab: Tab, type: string) =>
  read(() =>
    tab.evaluate(
      (t) =>
        (window as unknown as DemoWindow & { demo: { events: Array<{ type: string; [key: string]: unknown }> } }).demo.events.filter(
          (e) => e.type === t,
        ),
      type,
    ),
  )

describeInEngine('silent renewal (prompt=none in a hidden iframe) of a client without refresh tokens, against node-oidc-provider', () => {
  // Eight-second access tokens: due for renewal at half their life (the leeway is longer),
  // every four seconds.
  const env = useStack({ accessTokenTtl: 8, appNoRefreshToken: true, appSilentRenew: true })
  beforeEach(async () => {
    await signIn(env.tab, env.stack.origin)
  })

  const tokenGrants = (type: string) => env.stack.auth.requests.filter((r) => r.endpoint === 'token' && r.body.grant_type === type)
  const silentAuthorizations = () => env.stack.auth.requests.filter((r) => r.endpoint === 'authorization' && r.body.prompt === 'none')

  it('lives through three expiries by silent renewal: one prompt=none frame and one code exchange each, no refresh token, no reload', async () => {
    const sameDocument = await markDocument(env.tab)
    const signInTokens = env.stack.auth.issuedTokens().at(-1)!
    expect(signInTokens.refresh_token).toBeUndefined()
    env.stack.auth.clearLog()
    const firstExpiry = (await read(() => snapshotOf(env.tab))).expiresAt!
    // Three renewals, each before the token it replaces expired.
    await expect.poll(() => tokenGrants('authorization_code').length, { timeout: 40_000, interval: 200 }).toBeGreaterThanOrEqual(3)
    expect(silentAuthorizations().length).toBeGreaterThanOrEqual(3)
    expect(tokenGrants('refresh_token')).toEqual([])
    expect(await read(() => snapshotOf(env.tab))).toMatchObject({ status: 'signed-in' })
    expect((await read(() => snapshotOf(env.tab))).expiresAt!).toBeGreaterThan(firstExpiry + 8_000)
    const renewed = await eventsOf(env.tab, 'refreshed')
    expect(renewed.length).toBeGreaterThanOrEqual(3)
    for (const event of renewed) expect(event).toMatchObject({ by: 'this-tab', via: 'silent' })
    // The token the page hands out is the server's newest, and alive.
    const token = await read(() => accessTokenOf(env.tab))
    await expect(env.stack.auth.introspect(token)).resolves.toMatchObject({ active: true })
    await expect(env.stack.auth.introspect(signInTokens.access_token)).resolves.toMatchObject({ active: false })
    expect(await sameDocument()).toBe(true)
    // The hidden frames are gone once they answered.
    expect(await env.tab.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0)
  })

  it('five tabs at expiry make one silent renewal, and all five end with its token', async () => {
    const tabs = [env.tab, ...(await Promise.all([1, 2, 3, 4].map(() => openSignedInTab(env.profile, env.stack.origin))))]
    const expiry = async () => (await read(() => snapshotOf(env.tab))).expiresAt ?? 0
    const nextRenewal = async () => {
      const before = await expiry()
      await expect.poll(async () => (await expiry()) > before, { timeout: 20_000, interval: 100 }).toBe(true)
    }
    // Opening four tabs may take longer than half a lifetime (WebKit): a renewal may be under
    // way now. The one after it is counted whole, from its frame to its code exchange.
    await nextRenewal()
    env.stack.auth.clearLog()
    await nextRenewal()
    const tokens: string[] = []
    for (const tab of tabs) tokens.push(await read(() => accessTokenOf(tab)))
    expect(new Set(tokens).size).toBe(1)
    expect(silentAuthorizations()).toHaveLength(1)
    expect(tokenGrants('authorization_code')).toHaveLength(1)
  })

  it('with the server session ended, every tab turns signed-out login-required, once; the access token is revoked and nothing more is asked', async () => {
    const other = await openSignedInTab(env.profile, env.stack.origin)
    const held = await read(() => accessTokenOf(env.tab))
    expect(env.stack.auth.endSessions()).toBeGreaterThan(0)
    env.stack.auth.clearLog()
    for (const tab of [env.tab, other]) await waitForStatus(tab, 'signed-out', 20_000)
    for (const tab of [env.tab, other]) {
      expect(await statusOf(tab)).toEqual({ status: 'signed-out', reason: 'login-required' })
      expect(await signOutsOf(tab)).toEqual([expect.objectContaining({ reason: 'login-required' })])
    }
    // One frame was tried, and the server answered it login_required (not a timeout); the token it held is revoked.
    expect(silentAuthorizations()).toHaveLength(1)
    const failures = [...(await eventsOf(env.tab, 'refresh-failed')), ...(await eventsOf(other, 'refresh-failed'))]
    expect(failures).toEqual([expect.objectContaining({ code: 'login-required', error: 'login_required' })])
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length).toBe(1)
    expect(env.stack.auth.revocations()[0]!.body).toMatchObject({ token: held, token_type_hint: 'access_token' })
    await expect(env.stack.auth.introspect(held)).resolves.toMatchObject({ active: false })
    // No loop, no retry storm: two more lifetimes later the server heard nothing more.
    const heard = env.stack.auth.requests.length
    await new Promise((resolve) => setTimeout(resolve, 10_000))
    expect(env.stack.auth.requests.slice(heard)).toEqual([])
    for (const tab of [env.tab, other]) expect(await signOutsOf(tab)).toHaveLength(1)
  })
})
