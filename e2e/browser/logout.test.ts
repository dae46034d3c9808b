import { beforeEach, expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  engineName,
  expectBothRevoked,
  tokenRecordPrefixes,
  logoutIn,
  markDocument,
  openSignedInTab,
  signIn,
  snapshotOf,
  latestIssuedTokens,
  useStack,
  waitForStatus,
  webStorageDump,
  type DemoWindow,
} from '../harness.js'

describeInEngine('sign-in and logout against node-oidc-provider', () => {
  const env = useStack()
  beforeEach(async () => {
    await signIn(env.tab, env.stack.origin)
    env.stack.auth.clearLog()
  })

  /** The tokens the server issued to this tab (its log says); the session hands out the same access token. */
  async function issuedTokens() {
    const tokens = latestIssuedTokens(env.stack.auth)
    expect(await accessTokenOf(env.tab)).toBe(tokens.access)
    return tokens
  }

  it('sign-in stores the tokens in IndexedDB only: nothing in Web Storage or cookies of the SPA origin', async () => {
    const { access, refresh } = await issuedTokens()
    expect(access.length).toBeGreaterThan(20)
    expect(refresh.length).toBeGreaterThan(20)
    expect(await snapshotOf(env.tab)).toMatchObject({ status: 'signed-in', storage: 'indexeddb', profile: { sub: 'demo-user' } })
    const dump = await webStorageDump(env.tab)
    expect(dump).not.toContain(access)
    expect(dump).not.toContain(refresh)
    expect(await env.tab.url()).not.toContain('code=')
    await expect(env.stack.auth.introspect(access)).resolves.toMatchObject({ active: true })
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: true })
  })

  it('logout revokes both tokens concurrently, with their hints and client_id; the server says both are dead', async () => {
    const { access, refresh } = await issuedTokens()
    // With 300 ms added to every request, two requests sent one after the other would
    // arrive at least 300 ms apart.
    env.stack.auth.faults.set({ latencyMs: 300, revokeOnlyPresented: true })
    const result = await logoutIn(env.tab)
    env.stack.auth.faults.set({ latencyMs: 0 })

    expect(result.revocation).toEqual({ refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } })
    const received = await expectBothRevoked(env.stack.auth, { access, refresh })
    expect(Math.abs(received[0]!.at - received[1]!.at)).toBeLessThan(300)
    // One round trip: the latency once, not twice.
    expect(result.ms).toBeLessThan(600)
    expect((await tokenRecordPrefixes(env.tab)).filter((prefix) => prefix === 'session')).toEqual([])
    expect(await snapshotOf(env.tab)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })

  it('two tabs: logout in one signs the other out without a reload', async () => {
    const other = await openSignedInTab(env.profile, env.stack.origin)
    await other.evaluate(() => {
      const w = window as unknown as DemoWindow & { signedOutAt?: number }
      w.demo.session.subscribe(() => {
        if (w.demo.session.getSnapshot().status === 'signed-out') w.signedOutAt ??= performance.timeOrigin + performance.now()
      })
    })
    const sameDocument = await markDocument(other)

    const settledAt = await env.tab.evaluate(async () => {
      await (window as unknown as DemoWindow).demo.session.logout()
      return performance.timeOrigin + performance.now()
    })
    await waitForStatus(other, 'signed-out', 2000)
    const signedOutAt = await other.evaluate(() => (window as unknown as { signedOutAt: number }).signedOutAt)
    expect(await snapshotOf(other)).toMatchObject({ status: 'signed-out', reason: 'other-tab' })
    expect(await sameDocument()).toBe(true)
    // Only the tab that logged out revoked anything.
    expect(env.stack.auth.revocations()).toHaveLength(2)
    const ms = signedOutAt - settledAt
    console.info(`e2e (${engineName}): the other tab was signed out ${ms.toFixed(1)} ms after logout() settled`)
    expect(ms).toBeLessThan(1000)
  })

  it('signed out on screen before the server answers (revocation hangs): this tab in the logout() call, the other tab while logout still waits; no token is handed out, session.http sends nothing', async () => {
    const other = await openSignedInTab(env.profile, env.stack.origin)
    env.stack.auth.faults.set({ revocation: 'hang' })
    env.stack.auth.clearLog()
    const early = await env.tab.evaluate(async (issuer) => {
      const w = window as unknown as DemoWindow & { pendingLogout?: Promise<unknown> }
      const { session } = w.demo
      w.pendingLogout = session.logout()
      // Read in the same task as the call: nothing has been awaited yet.
      const status = session.getSnapshot().status
      const codeOf = (error: unknown) => (error as { code?: string }).code ?? String(error)
      const token = await session.getAccessToken().then(() => 'a token', codeOf)
      const api = await session.http.get(`${issuer}/api/me`).then(() => 'sent', codeOf)
      return { status, token, api }
    }, env.stack.auth.issuer)
    expect(early).toEqual({ status: 'signed-out', token: 'signed-out', api: 'signed-out' })
    // The other tab turns signed-out while both revocations are still unanswered.
    await waitForStatus(other, 'signed-out', 2000)
    expect(await snapshotOf(other)).toMatchObject({ status: 'signed-out', reason: 'other-tab' })
    // Both revocations are out (one round trip) and neither has been answered.
    await expect.poll(() => env.stack.auth.revocations().length, { timeout: 2000 }).toBe(2)
    expect(env.stack.auth.revocations().every((r) => r.status === undefined)).toBe(true)
    expect(env.stack.auth.requests.filter((r) => r.path === '/api/me')).toEqual([])
    await expect(
      other.evaluate(() =>
        (window as unknown as DemoWindow).demo.session.getAccessToken().then(
          () => 'a token',
          (error: { code?: string }) => error.code,
        ),
      ),
    ).resolves.toBe('not-signed-in')
    // The result still comes, at the bound.
    await env.tab.evaluate(() => (window as unknown as { pendingLogout: Promise<unknown> }).pendingLogout.then(() => undefined))
  })

  it('503 once: the revocation is retried after Retry-After and succeeds', async () => {
    const { access, refresh } = await issuedTokens()
    env.stack.auth.faults.set({ revocation: '503-once', retryAfterSeconds: 1, revokeOnlyPresented: true })
    const result = await logoutIn(env.tab)
    expect(result.revocation).toEqual({ refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } })
    const statuses = (token: string) =>
      env.stack.auth
        .revocations()
        .filter((r) => r.body.token === token)
        .map((r) => r.status)
    expect(statuses(refresh)).toEqual([503, 200])
    expect(statuses(access)).toEqual([503, 200])
    await expect(env.stack.auth.introspect(access)).resolves.toMatchObject({ active: false })
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: false })
  })

  it('revocation never answers: logout settles within its bound and local state is cleared', async () => {
    env.stack.auth.faults.set({ revocation: 'hang' })
    const result = await logoutIn(env.tab)
    expect(result.ms).toBeLessThan(5000 + 1000) // revocation.timeoutMs (default 5000) + margin
    // Kept in the revocation outbox, to be sent again later (see no-zombies.test.ts).
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'timeout' },
      access_token: { status: 'queued', code: 'timeout' },
    })
    expect(result.cleared).toBe(true)
    expect((await tokenRecordPrefixes(env.tab)).filter((prefix) => prefix === 'session')).toEqual([])
    expect(await snapshotOf(env.tab)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })

  const cut =
    engineName === 'webkit' ? "network cut at the proxy (WebKit's WebDriver has no offline switch)" : 'network cut (the browser offline)'
  it(`${cut}: local state is cleared and the result reports the failure`, async () => {
    await env.profile.setOffline(true)
    const result = await logoutIn(env.tab)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'network' },
      access_token: { status: 'queued', code: 'network' },
    })
    expect(result.cleared).toBe(true)
    expect(env.stack.auth.revocations()).toHaveLength(0)
    await env.profile.setOffline(false)
    expect((await tokenRecordPrefixes(env.tab)).filter((prefix) => prefix === 'session')).toEqual([])
    expect(await snapshotOf(env.tab)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })

  it('unsupported_token_type for the access token: reported, and the refresh token is still revoked', async () => {
    const { refresh } = await issuedTokens()
    env.stack.auth.faults.set({ revocation: 'unsupported-access-token', revokeOnlyPresented: true })
    const result = await logoutIn(env.tab)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'revoked' },
      access_token: { status: 'unsupported', code: 'revocation-unsupported' },
    })
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: false })
  })

  it('logout({ redirect: true }) revokes, clears, then ends the server session with no token in any URL', async () => {
    const { access, refresh } = await issuedTokens()
    const seenBefore = env.profile.requestedUrls.length
    await env.tab.click('#logout-end')
    // The server ends its session, then sends the browser back to postLogoutRedirectUri.
    const endSession = `${env.stack.auth.issuer}/session/end`
    const since = () => env.profile.requestedUrls.slice(seenBefore)
    await expect.poll(() => since().some((url) => url.startsWith(endSession)), { timeout: 10_000 }).toBe(true)
    const ended = since().findIndex((url) => url.startsWith(endSession))
    const backHome = (url: string) => url.startsWith(`${env.stack.origin}/`) && new URL(url).pathname === '/'
    await expect.poll(() => since().slice(ended).some(backHome), { timeout: 10_000 }).toBe(true)
    await waitForStatus(env.tab, 'signed-out')
    for (const url of env.profile.requestedUrls) {
      expect(url).not.toContain(access)
      expect(url).not.toContain(refresh)
      expect(url).not.toContain('id_token_hint')
    }
    expect(env.stack.auth.revocations()).toHaveLength(2)
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: false })
  })
})
