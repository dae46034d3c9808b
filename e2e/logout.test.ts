import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  captureIssuedTokens,
  chromiumPath,
  expectBothRevoked,
  useStack,
  logoutIn,
  signIn,
  snapshotOf,
  tokenRecordPrefixes,
  waitForStatus,
  webStorageDump,
} from './harness.js'

describe.skipIf(!chromiumPath)('sign-in and logout against node-oidc-provider in Chromium', () => {
  let context: BrowserContext
  let page: Page
  let issued: ReturnType<typeof captureIssuedTokens>
  const env = useStack()
  beforeEach(async () => {
    env.stack.auth.faults.reset()
    context = await env.browser.newContext()
    issued = captureIssuedTokens(context)
    page = await context.newPage()
    await signIn(page, env.stack.origin)
    env.stack.auth.clearLog()
  })
  afterEach(async () => {
    await context.close()
  })

  /** The tokens the server issued to this page, read off the wire (IndexedDB holds them encrypted). */
  async function issuedTokens() {
    const access = await accessTokenOf(page)
    await expect.poll(() => issued.length).toBeGreaterThan(0)
    const latest = issued[issued.length - 1]!
    expect(latest.access_token).toBe(access)
    return { access, refresh: latest.refresh_token! }
  }

  it('sign-in stores the tokens in IndexedDB only: nothing in Web Storage or cookies of the SPA origin', async () => {
    const { access, refresh } = await issuedTokens()
    expect(access.length).toBeGreaterThan(20)
    expect(refresh.length).toBeGreaterThan(20)
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-in', storage: 'indexeddb', profile: { sub: 'demo-user' } })
    const dump = await webStorageDump(context, page)
    expect(dump).not.toContain(access)
    expect(dump).not.toContain(refresh)
    expect(page.url()).not.toContain('code=')
    await expect(env.stack.auth.introspect(access)).resolves.toMatchObject({ active: true })
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: true })
  })

  it('logout revokes both tokens concurrently, with their hints and client_id; the server says both are dead', async () => {
    const { access, refresh } = await issuedTokens()
    // With 300 ms added to every request, two requests sent one after the other would
    // arrive at least 300 ms apart.
    env.stack.auth.faults.set({ latencyMs: 300, revokeOnlyPresented: true })
    const result = await logoutIn(page)
    env.stack.auth.faults.set({ latencyMs: 0 })

    expect(result.revocation).toEqual({ refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } })
    const received = await expectBothRevoked(env.stack.auth, { access, refresh })
    expect(Math.abs(received[0]!.at - received[1]!.at)).toBeLessThan(300)
    // One round trip: the latency once, not twice.
    expect(result.ms).toBeLessThan(600)
    expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })

  it('two tabs: logout in one signs the other out without a reload', async () => {
    const other = await context.newPage()
    await other.goto(env.stack.origin)
    await waitForStatus(other, 'signed-in')
    await other.evaluate(() => {
      const w = window as unknown as { demo: { session: import('../src/index.js').Session }; signedOutAt?: number }
      w.demo.session.subscribe(() => {
        if (w.demo.session.getSnapshot().status === 'signed-out') w.signedOutAt ??= performance.timeOrigin + performance.now()
      })
    })
    const navigations: string[] = []
    other.on('framenavigated', (frame) => navigations.push(frame.url()))

    const settledAt = await page.evaluate(async () => {
      await (window as unknown as { demo: { session: import('../src/index.js').Session } }).demo.session.logout()
      return performance.timeOrigin + performance.now()
    })
    await waitForStatus(other, 'signed-out', 2000)
    const signedOutAt = await other.evaluate(() => (window as unknown as { signedOutAt: number }).signedOutAt)
    expect(await snapshotOf(other)).toMatchObject({ status: 'signed-out', reason: 'other-tab' })
    expect(navigations).toEqual([])
    // Only the tab that logged out revoked anything.
    expect(env.stack.auth.revocations()).toHaveLength(2)
    const ms = signedOutAt - settledAt
    console.info(`e2e: the other tab was signed out ${ms.toFixed(1)} ms after logout() settled`)
    expect(ms).toBeLessThan(1000)
  })

  it('503 once: the revocation is retried after Retry-After and succeeds', async () => {
    const { access, refresh } = await issuedTokens()
    env.stack.auth.faults.set({ revocation: '503-once', retryAfterSeconds: 1, revokeOnlyPresented: true })
    const result = await logoutIn(page)
    expect(result.revocation).toEqual({ refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } })
    const statuses = (token: string) => env.stack.auth.revocations().filter((r) => r.body.token === token).map((r) => r.status)
    expect(statuses(refresh)).toEqual([503, 200])
    expect(statuses(access)).toEqual([503, 200])
    await expect(env.stack.auth.introspect(access)).resolves.toMatchObject({ active: false })
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: false })
  })

  it('revocation never answers: logout settles within its bound and local state is cleared', async () => {
    env.stack.auth.faults.set({ revocation: 'hang' })
    const result = await logoutIn(page)
    expect(result.ms).toBeLessThan(5000 + 1000) // revocation.timeoutMs (default 5000) + margin
    // Kept in the revocation outbox, to be sent again later (see no-zombies.test.ts).
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'timeout' },
      access_token: { status: 'queued', code: 'timeout' },
    })
    expect(result.cleared).toBe(true)
    expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })

  it('network cut: local state is cleared and the result reports the failure', async () => {
    await context.setOffline(true)
    const result = await logoutIn(page)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'network' },
      access_token: { status: 'queued', code: 'network' },
    })
    expect(result.cleared).toBe(true)
    expect(env.stack.auth.revocations()).toHaveLength(0)
    await context.setOffline(false)
    expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })

  it('unsupported_token_type for the access token: reported, and the refresh token is still revoked', async () => {
    const { refresh } = await issuedTokens()
    env.stack.auth.faults.set({ revocation: 'unsupported-access-token', revokeOnlyPresented: true })
    const result = await logoutIn(page)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'revoked' },
      access_token: { status: 'unsupported', code: 'revocation-unsupported' },
    })
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: false })
  })

  it('logout({ redirect: true }) revokes, clears, then ends the server session with no token in any URL', async () => {
    const { access, refresh } = await issuedTokens()
    const urls: string[] = []
    page.on('request', (request) => urls.push(request.url()))
    const endSession = page.waitForRequest((r) => r.url().startsWith(`${env.stack.auth.issuer}/session/end`))
    await page.click('#logout-end')
    await endSession
    // Then the server sends the browser back to postLogoutRedirectUri.
    await page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(`${env.stack.origin}/`), { timeout: 10_000 })
    await waitForStatus(page, 'signed-out')
    expect(urls.some((url) => url.startsWith(`${env.stack.auth.issuer}/session/end`))).toBe(true)
    for (const url of urls) {
      expect(url).not.toContain(access)
      expect(url).not.toContain(refresh)
      expect(url).not.toContain('id_token_hint')
    }
    expect(env.stack.auth.revocations()).toHaveLength(2)
    await expect(env.stack.auth.introspect(refresh)).resolves.toMatchObject({ active: false })
  })
})
