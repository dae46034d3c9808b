import { describe, expect, it, vi } from 'vitest'
import { createSession, TokenwardenError } from '../src/index.js'
import { createManualClock } from './helpers/clock.js'
import { createFakeServer, deferred, oauthError, ok } from './helpers/fake-server.js'
import { createFakeProtocol, issueGrant, issuer, revocationEndpoint } from './helpers/protocol.js'
import { findSecrets } from './helpers/secrets.js'
import { breakableStorage, outboxKeys, hasSessionRecord, testRecord, testSessionKey } from './helpers/records.js'
import { createWorld, realSessionOptions } from './helpers/session.js'
import { createTestClock } from '../src/testing/index.js'
import type { IssuedTokens } from '../src/tokens.js'

describe('refresh', () => {
  it('concurrent getAccessToken calls in one tab share one refresh', async () => {
    let clock = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(120_000, clock) })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false, now: () => clock })
    clock += 61_000 // inside the 60 s leeway
    const tokens = await Promise.all([session.getAccessToken(), session.getAccessToken(), session.getAccessToken()])
    expect(new Set(tokens).size).toBe(1)
    expect(protocol.refreshes).toHaveLength(1)
  })

  it('four tabs at expiry: one refresh reaches the server and every tab ends with the new token', async () => {
    let clock = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(120_000, clock) })
    const options = { protocol: protocol.factory, autoRefresh: false, now: () => clock }
    const first = await world.signedInTab(options)
    const tabs = [first, world.tab(options), world.tab(options), world.tab(options)]
    await Promise.all(tabs.map((tab) => tab.start()))
    clock += 120_000 // expired
    const tokens = await Promise.all(tabs.map((tab) => tab.getAccessToken()))
    expect(protocol.refreshes).toHaveLength(1)
    expect(new Set(tokens).size).toBe(1)
  })

  it('tokens that live shorter than the leeway are refreshed at half their life, not in a loop', async () => {
    let clock = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(30_000, clock) })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false, now: () => clock })
    await session.getAccessToken()
    expect(protocol.refreshes).toHaveLength(0)
    clock += 15_000
    await session.getAccessToken()
    expect(protocol.refreshes).toHaveLength(1)
  })

  it('proactive refresh on the test clock: every tab schedules it at the leeway, one refresh happens, none before', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(600_000, clock.now()) })
    const options = { protocol: protocol.factory, now: clock.now, timers: clock.timers }
    const a = await world.signedInTab(options)
    const b = world.tab(options)
    await b.start()
    await clock.advance(540_000 - 1) // due at 10 min − 60 s leeway
    expect(protocol.refreshes).toHaveLength(0)
    await clock.advance(1)
    expect(protocol.refreshes).toHaveLength(1)
    await clock.advance(1000)
    expect(protocol.refreshes).toHaveLength(1)
    expect(await a.getAccessToken()).toBe(await b.getAccessToken())
  })

  it('invalid_grant from the real oidc-client-ts ends the session in every tab, and no error or snapshot holds a token', async () => {
    const world = createWorld()
    const stored = testRecord()
    world.records.set(testSessionKey, stored)
    const { accessToken, refreshToken } = stored.tokens
    // The token endpoint, as oidc-client-ts reaches it (its own fetch): a refused refresh token.
    const tokenEndpoint = createFakeServer((request) =>
      request.form.get('grant_type') === 'refresh_token' ? oauthError(400, 'invalid_grant') : ok(),
    )
    vi.stubGlobal('fetch', tokenEndpoint.fetch)
    try {
      const real = {
        oidc: {
          metadata: {
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            revocation_endpoint: revocationEndpoint,
          },
        },
        autoRefresh: false,
      }
      const a = createSession({ ...realSessionOptions(world), ...real })
      const b = createSession({ ...realSessionOptions(world), ...real })
      await Promise.all([a.start(), b.start()])
      const failure = await a.refresh().then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failure).toMatchObject({ code: 'refresh-failed', error: 'invalid_grant' })
      // The refresh token really went to the token endpoint, in the form oidc-client-ts builds.
      expect(tokenEndpoint.requests.map((r) => r.form.get('refresh_token'))).toEqual([refreshToken])
      expect(a.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed', error: { code: 'refresh-failed' } })
      await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
      expect(hasSessionRecord(world.records)).toBe(false)
      // oidc-client-ts's ErrorResponse keeps the request form (refresh_token=…): never kept here.
      const secrets = { accessToken, refreshToken: refreshToken! }
      expect(await findSecrets(failure, secrets)).toEqual([])
      expect(await findSecrets(a.getSnapshot(), secrets)).toEqual([])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('a token endpoint error that echoes the refresh token reaches neither the rejection nor the snapshot', async () => {
    const world = createWorld()
    const stored = testRecord()
    world.records.set(testSessionKey, stored)
    const refreshToken = stored.tokens.refreshToken!
    const tokenEndpoint = createFakeServer(() =>
      Response.json(
        { error: 'invalid_grant', error_description: `refresh token ${refreshToken} (${encodeURIComponent(refreshToken)}) is unknown` },
        { status: 400 },
      ),
    )
    vi.stubGlobal('fetch', tokenEndpoint.fetch)
    try {
      const session = createSession({
        ...realSessionOptions(world),
        oidc: { metadata: { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` } },
        autoRefresh: false,
      })
      await session.start()
      const failure = await session.refresh().then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failure).toMatchObject({
        code: 'refresh-failed',
        error: 'invalid_grant',
        error_description: expect.stringContaining('[redacted]'),
      })
      expect(await findSecrets(failure, { refreshToken })).toEqual([])
      expect(await findSecrets(session.getSnapshot(), { refreshToken })).toEqual([])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('invalid_grant ends the sign-in and revokes the access token it leaves behind, never the refused refresh token', async () => {
    const world = createWorld()
    const grant = issueGrant()
    const protocol = createFakeProtocol({
      callbackGrant: () => grant,
      refreshGrant: () => {
        throw new TokenwardenError('refresh-failed', 'The refresh grant failed: invalid_grant.', { error: 'invalid_grant' })
      },
    })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false })
    await expect(session.refresh()).rejects.toMatchObject({ code: 'refresh-failed', error: 'invalid_grant' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed' })
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(1))
    const revoked = world.server.requests.map((r) => `${r.form.get('token_type_hint')} ${r.form.get('token')}`)
    expect(revoked).toEqual([`access_token ${grant.tokens.accessToken}`])
    await vi.waitFor(() => expect(outboxKeys(world.records)).toEqual([]))
    expect(hasSessionRecord(world.records)).toBe(false)
  })

  it('a refresh in flight when another tab logs out never writes the session back; its new tokens are revoked', async () => {
    const world = createWorld()
    const gate = deferred<void>()
    let issued: IssuedTokens | undefined
    const slow = createFakeProtocol()
    const base = slow.factory
    const refreshing = world.tab({
      protocol: (context) => ({
        ...base(context),
        refresh: async () => {
          await gate.promise
          issued = issueGrant()
          return issued
        },
      }),
    })
    const other = await world.signedInTab({ revocation: { timeoutMs: 100 } })
    await refreshing.start()
    const pendingRefresh = refreshing.refresh()
    await new Promise((resolve) => setTimeout(resolve, 10))

    // The refresh holds the lock; logout waits 100 ms for it, then goes ahead without it.
    const result = await other.logout()
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    gate.resolve()
    await expect(pendingRefresh).rejects.toMatchObject({ code: 'signed-out' })

    expect(hasSessionRecord(world.records)).toBe(false)
    expect(refreshing.getSnapshot()).toMatchObject({ status: 'signed-out' })
    await expect(refreshing.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    await vi.waitFor(() =>
      expect(world.server.requests.map((r) => r.form.get('token'))).toEqual(
        expect.arrayContaining([issued!.tokens.accessToken, issued!.tokens.refreshToken]),
      ),
    )
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
  })
})

describe('refresh against a misbehaving server or storage', () => {
  it('a server answering expires_in 0 gets a few refresh grants, not a storm; the session ends with refresh-failed', async () => {
    const clock = createManualClock()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(0, clock.now()), refreshGrant: () => issueGrant(0, clock.now()) })
    const session = await world.signedInTab({ protocol: protocol.factory, now: clock.now, timers: clock.timers })
    // Storage work (sealing) runs on real time, and each refresh's timer is set only once it is
    // done: keep the clock moving until the session ends (a storm would show as more grants).
    await vi.waitFor(
      async () => {
        await clock.advance(10_000)
        expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed', error: { code: 'refresh-failed' } })
      },
      { timeout: 10_000 },
    )
    expect(protocol.refreshes.length).toBeGreaterThan(0)
    expect(protocol.refreshes.length).toBeLessThanOrEqual(3)
    await vi.waitFor(() => expect(hasSessionRecord(world.records)).toBe(false))
    await clock.advance(60_000)
    expect(protocol.refreshes.length).toBeLessThanOrEqual(3)
    expect(clock.pending).toBe(0)
  })

  it('refreshed tokens that storage refuses to keep stay in memory: the rotated refresh token is never sent again, logout revokes the new ones', async () => {
    const clock = createManualClock()
    const world = createWorld()
    const { storage, control } = breakableStorage(world.records)
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(3_600_000, clock.now()) })
    const session = await world.signedInTab({ protocol: protocol.factory, storage, autoRefresh: false, now: clock.now })
    const first = await session.getAccessToken()
    control.failWrites = true
    await session.refresh()
    const second = await session.getAccessToken()
    expect(second).not.toBe(first)
    expect(world.warnings.some((warning) => warning.includes('could not be stored'))).toBe(true)
    await session.refresh()
    // The second refresh used the refresh token the first one got, not the rotated-away one.
    expect(protocol.refreshes).toEqual([first.replace('at-', 'rt-'), second.replace('at-', 'rt-')])
    const third = await session.getAccessToken()
    control.failWrites = false
    await session.logout()
    expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([third, third.replace('at-', 'rt-')].sort())
  })

  it('an expired session without a refresh token removes only its own record: a newer sign-in another tab stored stays', async () => {
    let clock = Date.now()
    const world = createWorld()
    const noRefresh = () => {
      const issued = issueGrant(60_000, clock)
      delete issued.tokens.refreshToken
      return issued
    }
    const protocol = createFakeProtocol({ callbackGrant: noRefresh })
    // A tab that hears nothing from the others (its messages were lost, say).
    const deaf = await world.signedInTab({
      protocol: protocol.factory,
      now: () => clock,
      autoRefresh: false,
      channel: () => ({ post: () => {}, subscribe: () => () => {}, close: () => {} }),
    })
    const newer = await world.signedInTab({ protocol: protocol.factory, now: () => clock, autoRefresh: false })
    const newerToken = await newer.getAccessToken()
    clock += 120_000
    // Expired for the deaf tab; storage holds another sign-in.
    await expect(deaf.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    expect(deaf.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'expired' })
    expect(hasSessionRecord(world.records)).toBe(true)
    clock -= 120_000
    await expect(newer.getAccessToken()).resolves.toBe(newerToken)
  })
})

describe('renewal when it matters, whatever the timers do', () => {
  /** Timers a background tab's throttling never lets fire. */
  const throttled = { setTimeout: () => 0, clearTimeout: () => {} }
  const showPage = () => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  }

  it('a tab shown again with a due token refreshes at once, though its proactive timer never fired', async () => {
    let clock = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(120_000, clock) })
    const session = await world.signedInTab({ protocol: protocol.factory, now: () => clock, timers: throttled })
    clock += 61_000 // due (60 s leeway), and the timer slept through it
    expect(protocol.refreshes).toHaveLength(0)
    showPage()
    await vi.waitFor(() => expect(protocol.refreshes).toHaveLength(1))
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', expiresAt: expect.any(Number) })
    // Shown again with a token that is not due: nothing is sent.
    showPage()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(protocol.refreshes).toHaveLength(1)
    Reflect.deleteProperty(document, 'visibilityState')
  })

  it('getAccessToken never hands out an expired token because a throttled timer did not fire: it refreshes first', async () => {
    let clock = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(120_000, clock), refreshGrant: () => issueGrant(120_000, clock) })
    const session = await world.signedInTab({ protocol: protocol.factory, now: () => clock, timers: throttled })
    const first = await session.getAccessToken()
    clock += 10 * 60_000 // long expired: the tab slept in the background
    const token = await session.getAccessToken()
    expect(token).not.toBe(first)
    expect(protocol.refreshes).toHaveLength(1)
    expect((session.getSnapshot() as { expiresAt: number }).expiresAt).toBeGreaterThan(clock)
  })
})
