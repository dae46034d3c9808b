import { beforeEach, expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  engineName,
  logoutIn,
  openSignedInTab,
  signIn,
  snapshotOf,
  tokenRecordPrefixes,
  useStack,
  waitForStatus,
  type DemoWindow,
} from '../harness.js'

describeInEngine('no zombie sessions, against node-oidc-provider', () => {
  // Thirty-second access tokens: with the default 60 s leeway they are due for refresh at
  // half their life, fifteen seconds after they were issued: time enough to open five tabs
  // first even on a busy machine.
  const env = useStack({ accessTokenTtl: 30 })
  beforeEach(async () => {
    await signIn(env.tab, env.stack.origin)
    env.stack.auth.clearLog()
  })

  const refreshGrants = () => env.stack.auth.requests.filter((r) => r.endpoint === 'token' && r.body.grant_type === 'refresh_token')
  const openTab = () => openSignedInTab(env.profile, env.stack.origin)
  /** Every token the token endpoint handed to any tab of the profile (read off the wire) is dead. */
  async function expectAllDead() {
    const tokens = env.profile.issued.flatMap((t) => [t.access_token, ...(t.refresh_token ? [t.refresh_token] : [])])
    expect(tokens.length).toBeGreaterThan(0)
    for (const token of tokens) await expect(env.stack.auth.introspect(token), token.slice(0, 6)).resolves.toMatchObject({ active: false })
  }

  it('five tabs at expiry: exactly one refresh grant reaches the server, and all five end with the new token', async () => {
    const first = await accessTokenOf(env.tab)
    const tabs = [env.tab, ...(await Promise.all([openTab(), openTab(), openTab(), openTab()]))]
    // All five are open, on the first token, before it is due.
    expect(refreshGrants()).toHaveLength(0)
    // Every tab has scheduled its proactive refresh; wait until one of them has happened.
    const issuedExpiry = (await snapshotOf(env.tab)).expiresAt!
    await expect
      .poll(async () => ((await snapshotOf(env.tab)).expiresAt ?? 0) > issuedExpiry, { timeout: 30_000, interval: 100 })
      .toBe(true)
    const tokens: string[] = []
    for (const tab of tabs) tokens.push(await accessTokenOf(tab))
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
    // Started in the page, awaited later: the tab's result is kept on the window.
    await other.evaluate(() => {
      const w = window as unknown as DemoWindow & { refreshOutcome?: string }
      void w.demo.session.refresh().then(
        () => (w.refreshOutcome = 'refreshed'),
        (error: { code?: string }) => (w.refreshOutcome = error.code ?? 'error'),
      )
    })
    await expect.poll(() => refreshGrants().length).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 300)) // processed, answer pending
    const result = await logoutIn(env.tab)
    expect(result.revocation.refresh_token.status).toBe('revoked')
    expect(result.revocation.access_token.status).toBe('revoked')
    // The refresh finishes after the logout: it must not bring the session back.
    await expect
      .poll(() => other.evaluate(() => (window as unknown as { refreshOutcome?: string }).refreshOutcome ?? 'pending'), { timeout: 10_000 })
      .toBe('signed-out')
    await waitForStatus(other, 'signed-out')
    await waitForStatus(env.tab, 'signed-out')
    await expect.poll(() => tokenRecordPrefixes(env.tab), { timeout: 10_000 }).toEqual([])
    expect(env.profile.issued.length).toBe(2) // the sign-in, and the refresh that lost the race
    await expectAllDead()
  })

  // WebKit: the harness's proxy drops every connection, so requests really fail, but the page
  // gets no `online` event when the network is back: the outbox's own backoff timer sends them.
  const offline =
    engineName === 'webkit'
      ? "network cut at the proxy (WebKit's WebDriver has no offline switch, so no online event): logout queues, and once the network is back the outbox drains on its backoff timer"
      : 'offline logout, then back online: the outbox drains'
  it(`${offline}; introspection says both tokens are inactive`, async () => {
    await env.profile.setOffline(true)
    const result = await logoutIn(env.tab)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'network' },
      access_token: { status: 'queued', code: 'network' },
    })
    expect(await tokenRecordPrefixes(env.tab)).toEqual(['outbox', 'outbox'])
    expect(env.stack.auth.revocations()).toHaveLength(0)
    await env.profile.setOffline(false)
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 10_000 }).toBe(2)
    await expect.poll(() => tokenRecordPrefixes(env.tab)).toEqual([])
    await expectAllDead()
  })

  it('tab closed during a logout whose revocation hangs: the next page load is signed out and the tokens end up revoked', async () => {
    env.stack.auth.faults.set({ revocation: 'hang' })
    await env.tab.evaluate(() => void (window as unknown as DemoWindow).demo.session.logout())
    await expect.poll(() => env.stack.auth.revocations().length).toBe(2)
    await env.tab.close()
    env.stack.auth.faults.set({ revocation: 'ok' })

    const next = await env.profile.newTab()
    await next.goto(env.stack.origin)
    await waitForStatus(next, 'signed-out')
    expect(await snapshotOf(next)).toMatchObject({ status: 'signed-out', reason: 'initial' })
    // The dead tab's lease on the entries runs out (revocation.timeoutMs + 1 s), then they go.
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 15_000 }).toBe(2)
    await expect.poll(() => tokenRecordPrefixes(next)).toEqual([])
    await expectAllDead()
  })

  it('session.http against /api/me with an access token the server no longer accepts: one refresh, one retry, success', async () => {
    const rejected = await accessTokenOf(env.tab)
    env.stack.auth.faults.set({ revokeOnlyPresented: true })
    const revoke = await fetch(`${env.stack.auth.issuer}/token/revocation`, {
      method: 'POST',
      headers: { origin: env.stack.origin },
      body: new URLSearchParams({ token: rejected, token_type_hint: 'access_token', client_id: env.stack.auth.clientId }),
    })
    expect(revoke.status).toBe(200)
    env.stack.auth.clearLog()

    const me = await env.tab.evaluate(
      (url) => (window as unknown as DemoWindow).demo.session.http.get(url).json<{ sub: string }>(),
      `${env.stack.auth.issuer}/api/me`,
    )
    expect(me.sub).toBe('demo-user')
    const api = env.stack.auth.requests.filter((r) => r.endpoint === 'api')
    expect(api.map((r) => r.status)).toEqual([401, 200])
    expect(api[0]!.headers.authorization).toBe(`Bearer ${rejected}`)
    expect(api[1]!.headers.authorization).not.toBe(`Bearer ${rejected}`)
    expect(refreshGrants()).toHaveLength(1)

    await logoutIn(env.tab)
    const afterLogout = await env.tab.evaluate(
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
