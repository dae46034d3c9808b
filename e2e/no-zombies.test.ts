import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  chromiumPath,
  useStack,
  logoutIn,
  signIn,
  snapshotOf,
  tokenRecordPrefixes,
  waitForStatus,
} from './harness.js'

type DemoWindow = { demo: { session: import('../src/index.js').Session } }

describe.skipIf(!chromiumPath)('no zombie sessions, in Chromium against node-oidc-provider', () => {
  let context: BrowserContext
  let page: Page
  /** Every token the token endpoint handed to any page of the context, read off the wire. */
  let issued: Array<{ access_token: string; refresh_token?: string }>

  // Ten-second access tokens: with the default 60 s leeway they are due for refresh at
  // half their life, five seconds after they were issued.
  const env = useStack({ accessTokenTtl: 10 })
  beforeEach(async () => {
    env.stack.auth.faults.reset()
    issued = []
    context = await env.browser.newContext()
    context.on('response', (response) => {
      if (new URL(response.url()).pathname !== '/token' || response.request().method() !== 'POST') return
      void response.json().then(
        (body: { access_token?: string; refresh_token?: string }) => body.access_token && issued.push(body as { access_token: string }),
        () => undefined,
      )
    })
    page = await context.newPage()
    await signIn(page, env.stack.origin)
    env.stack.auth.clearLog()
  })
  afterEach(async () => {
    await context.close()
  })

  const refreshGrants = () => env.stack.auth.requests.filter((r) => r.endpoint === 'token' && r.body.grant_type === 'refresh_token')
  const openTab = async () => {
    const tab = await context.newPage()
    await tab.goto(env.stack.origin)
    await waitForStatus(tab, 'signed-in')
    return tab
  }
  async function expectAllDead() {
    const tokens = issued.flatMap((t) => [t.access_token, ...(t.refresh_token ? [t.refresh_token] : [])])
    expect(tokens.length).toBeGreaterThan(0)
    for (const token of tokens) await expect(env.stack.auth.introspect(token), token.slice(0, 6)).resolves.toMatchObject({ active: false })
  }

  it('five tabs at expiry: exactly one refresh grant reaches the server, and all five end with the new token', async () => {
    const first = await accessTokenOf(page)
    const tabs = [page, ...(await Promise.all([openTab(), openTab(), openTab(), openTab()]))]
    // Every tab has scheduled its proactive refresh; wait until one of them has happened.
    await page.waitForFunction((old) => {
      const snapshot = (window as unknown as DemoWindow).demo.session.getSnapshot()
      return snapshot.status === 'signed-in' && snapshot.expiresAt !== undefined && snapshot.expiresAt > old
    }, ((await snapshotOf(page)) as unknown as { expiresAt: number }).expiresAt, { timeout: 15_000 })
    const tokens = await Promise.all(tabs.map((tab) => accessTokenOf(tab)))
    expect(refreshGrants()).toHaveLength(1)
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first)
    await expect(env.stack.auth.introspect(tokens[0]!)).resolves.toMatchObject({ active: true })
  })

  it('logout while another tab is mid-refresh (slow token endpoint): no tab signed in after, no live token at the server', async () => {
    const other = await openTab()
    // The server rotates the refresh token at once but answers 3.5 s later, and revocation
    // kills only the presented token: the tokens that refresh gets would stay live unless
    // the library revokes them itself.
    env.stack.auth.faults.set({ tokenResponseDelayMs: 3500, revokeOnlyPresented: true })
    const refreshing = other.evaluate(() =>
      (window as unknown as DemoWindow).demo.session.refresh().then(
        () => 'refreshed',
        (error: { code?: string }) => error.code ?? 'error',
      ),
    )
    await expect.poll(() => refreshGrants().length).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 300)) // processed, answer pending
    const result = await logoutIn(page)
    expect(result.revocation.refresh_token.status).toBe('revoked')
    expect(result.revocation.access_token.status).toBe('revoked')
    // The refresh finishes after the logout: it must not bring the session back.
    await expect(refreshing).resolves.toBe('signed-out')
    await waitForStatus(other, 'signed-out')
    await waitForStatus(page, 'signed-out')
    await expect.poll(() => tokenRecordPrefixes(page), { timeout: 10_000 }).toEqual([])
    expect(issued.length).toBe(2) // the sign-in, and the refresh that lost the race
    await expectAllDead()
  })

  it('offline logout, then back online: the outbox drains and introspection says both tokens are inactive', async () => {
    await context.setOffline(true)
    const result = await logoutIn(page)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'network' },
      access_token: { status: 'queued', code: 'network' },
    })
    expect(await tokenRecordPrefixes(page)).toEqual(['outbox', 'outbox'])
    await context.setOffline(false)
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length).toBe(2)
    await expect.poll(() => tokenRecordPrefixes(page)).toEqual([])
    await expectAllDead()
  })

  it('tab closed during a logout whose revocation hangs: the next page load is signed out and the tokens end up revoked', async () => {
    env.stack.auth.faults.set({ revocation: 'hang' })
    void page.evaluate(() => void (window as unknown as DemoWindow).demo.session.logout())
    await expect.poll(() => env.stack.auth.revocations().length).toBe(2)
    await page.close()
    env.stack.auth.faults.set({ revocation: 'ok' })

    const next = await context.newPage()
    await next.goto(env.stack.origin)
    await waitForStatus(next, 'signed-out')
    expect(await snapshotOf(next)).toMatchObject({ status: 'signed-out', reason: 'initial' })
    // The dead tab's lease on the entries runs out (revocation.timeoutMs + 1 s), then they go.
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 15_000 }).toBe(2)
    await expect.poll(() => tokenRecordPrefixes(next)).toEqual([])
    await expectAllDead()
  })

  it('session.http against /api/me with an access token the server no longer accepts: one refresh, one retry, success', async () => {
    const rejected = await accessTokenOf(page)
    env.stack.auth.faults.set({ revokeOnlyPresented: true })
    const revoke = await fetch(`${env.stack.auth.issuer}/token/revocation`, {
      method: 'POST',
      headers: { origin: env.stack.origin },
      body: new URLSearchParams({ token: rejected, token_type_hint: 'access_token', client_id: env.stack.auth.clientId }),
    })
    expect(revoke.status).toBe(200)
    env.stack.auth.clearLog()

    const me = await page.evaluate(
      (url) => (window as unknown as DemoWindow).demo.session.http.get(url).json<{ sub: string }>(),
      `${env.stack.auth.issuer}/api/me`,
    )
    expect(me.sub).toBe('demo-user')
    const api = env.stack.auth.requests.filter((r) => r.endpoint === 'api')
    expect(api.map((r) => r.status)).toEqual([401, 200])
    expect(api[0]!.headers.authorization).toBe(`Bearer ${rejected}`)
    expect(api[1]!.headers.authorization).not.toBe(`Bearer ${rejected}`)
    expect(refreshGrants()).toHaveLength(1)

    await logoutIn(page)
    const afterLogout = await page.evaluate(
      (url) =>
        (window as unknown as DemoWindow).demo.session.http.get(url).then(
          () => 'answered',
          (error: { name?: string; code?: string }) => `${error.name}:${error.code}`,
        ),
      `${env.stack.auth.issuer}/api/me`,
    )
    expect(afterLogout).toBe('TokenwardenError:not-signed-in')
  })
})
