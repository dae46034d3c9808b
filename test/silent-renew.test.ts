import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSession, TokenwardenError, type SessionEvent } from '../src/index.js'
import { createFakeProtocol, issueGrant, issuer } from './helpers/protocol.js'
import { hasSessionRecord, outboxKeys } from './helpers/records.js'
import { createWorld } from './helpers/session.js'
import { createTestClock } from '../src/testing/index.js'
import type { Grant } from '../src/index.js'

// The page is on the app's own origin (happy-dom's page).
const silentRedirectUri = `${location.origin}/silent-callback.html`

/** A token set as a server that issues no refresh token to a browser hands out. */
const withoutRefresh = (expiresInMs: number, now: number): Grant => {
  const grant = issueGrant(expiresInMs, now)
  delete grant.tokens.refreshToken
  return grant
}

const loginRequired = () => {
  throw new TokenwardenError('login-required', 'The silent renewal was refused: login_required.', { error: 'login_required' })
}
const invalidGrant = () => {
  throw new TokenwardenError('refresh-failed', 'The refresh grant failed: invalid_grant.', { error: 'invalid_grant' })
}

function recordEvents(session: { on(listener: (event: SessionEvent) => void): () => void }) {
  const events: SessionEvent[] = []
  session.on((event) => events.push(event))
  return events
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('silent renewal without a refresh token', () => {
  it('a session without a refresh token lives through three expiries, each renewed once, silently, before it expires', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol({
      callbackGrant: () => withoutRefresh(120_000, clock.now()),
      silentGrant: () => withoutRefresh(120_000, clock.now()),
    })
    const session = await world.signedInTab({ protocol: protocol.factory, now: clock.now, timers: clock.timers, silentRedirectUri })
    const events = recordEvents(session)
    for (let expiry = 1; expiry <= 3; expiry++) {
      await clock.advance(60_000 - 1) // due at 2 min − 60 s leeway (half the lifetime)
      expect(protocol.silentRenewals).toHaveLength(expiry - 1)
      await clock.advance(1)
      expect(protocol.silentRenewals).toHaveLength(expiry)
    }
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
    expect(session.getSnapshot()).toMatchObject({ expiresAt: clock.now() + 120_000 })
    expect(protocol.refreshes).toEqual([])
    expect(events.filter((event) => event.type === 'refreshed').map((event) => event.type === 'refreshed' && event.via)).toEqual([
      'silent',
      'silent',
      'silent',
    ])
  })

  it('getAccessToken with an expired token and no refresh token renews silently instead of ending the session', async () => {
    let now = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({
      callbackGrant: () => withoutRefresh(60_000, now),
      silentGrant: () => withoutRefresh(60_000, now),
    })
    const session = await world.signedInTab({ protocol: protocol.factory, now: () => now, autoRefresh: false, silentRedirectUri })
    const first = await session.getAccessToken()
    now += 61_000
    const second = await session.getAccessToken()
    expect(second).not.toBe(first)
    expect(protocol.silentRenewals).toEqual([first])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
  })

  it('five tabs at expiry make one silent renewal, and every tab ends with its tokens', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol({
      callbackGrant: () => withoutRefresh(120_000, clock.now()),
      silentGrant: () => withoutRefresh(120_000, clock.now()),
    })
    const options = { protocol: protocol.factory, now: clock.now, timers: clock.timers, silentRedirectUri }
    const tabs = [await world.signedInTab(options), world.tab(options), world.tab(options), world.tab(options), world.tab(options)]
    await Promise.all(tabs.map((tab) => tab.start()))
    await clock.advance(60_000)
    expect(protocol.silentRenewals).toHaveLength(1)
    const tokens = await Promise.all(tabs.map((tab) => tab.getAccessToken()))
    expect(new Set(tokens).size).toBe(1)
    expect(protocol.silentRenewals).toHaveLength(1)
  })

  it('login_required ends the session as login-required in every tab, once; its access token is revoked and nothing is asked again', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const grant = withoutRefresh(120_000, clock.now())
    const protocol = createFakeProtocol({ callbackGrant: () => grant, silentGrant: loginRequired })
    const options = { protocol: protocol.factory, now: clock.now, timers: clock.timers, silentRedirectUri }
    const tabs = [await world.signedInTab(options), world.tab(options), world.tab(options)]
    await Promise.all(tabs.map((tab) => tab.start()))
    const events = tabs.map(recordEvents)
    await clock.advance(60_000)
    for (const tab of tabs) expect(tab.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'login-required' })
    for (const tabEvents of events) {
      expect(tabEvents.filter((event) => event.type === 'signed-out')).toEqual([expect.objectContaining({ reason: 'login-required' })])
    }
    expect(protocol.silentRenewals).toHaveLength(1)
    await vi.waitFor(() => expect(outboxKeys(world.records)).toEqual([]))
    expect(world.server.requests.map((r) => `${r.form.get('token_type_hint')} ${r.form.get('token')}`)).toEqual([
      `access_token ${grant.tokens.accessToken}`,
    ])
    expect(hasSessionRecord(world.records)).toBe(false)
    // No loop: hours later, nothing more was asked of the server.
    await clock.advance(3600_000)
    expect(protocol.silentRenewals).toHaveLength(1)
    expect(world.server.requests).toHaveLength(1)
    await expect(tabs[1]!.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
  })

  it('a tab that missed the message learns login-required from the end marker in storage', async () => {
    let now = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => withoutRefresh(60_000, now), silentGrant: loginRequired })
    const options = { protocol: protocol.factory, now: () => now, autoRefresh: false, silentRedirectUri }
    const renewing = await world.signedInTab(options)
    const deaf = world.tab({ ...options, channel: () => ({ post: () => {}, subscribe: () => () => {}, close: () => {} }) })
    await deaf.start()
    now += 61_000
    await expect(renewing.getAccessToken()).rejects.toMatchObject({ code: 'login-required', error: 'login_required' })
    await expect(deaf.getAccessToken()).rejects.toMatchObject({ code: 'signed-out' })
    expect(deaf.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'login-required' })
    expect(protocol.silentRenewals).toHaveLength(1)
  })

  it('offline, no frame is opened and the session stays: the renewal fails with network and is tried again online', async () => {
    let now = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({
      callbackGrant: () => withoutRefresh(60_000, now),
      silentGrant: () => withoutRefresh(60_000, now),
    })
    const session = await world.signedInTab({ protocol: protocol.factory, now: () => now, autoRefresh: false, silentRedirectUri })
    now += 61_000
    vi.stubGlobal('navigator', { ...navigator, onLine: false })
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'network' })
    expect(protocol.silentRenewals).toEqual([])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
    vi.unstubAllGlobals()
    await expect(session.getAccessToken()).resolves.toEqual(expect.any(String))
    expect(protocol.silentRenewals).toHaveLength(1)
  })
})

describe('silent renewal as the fallback of the refresh grant', () => {
  it('a refused refresh token (invalid_grant) is followed by one silent renewal, and the session goes on', async () => {
    const world = createWorld()
    const protocol = createFakeProtocol({ refreshGrant: invalidGrant })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false, silentRedirectUri })
    const events = recordEvents(session)
    const before = await session.getAccessToken()
    await session.refresh()
    expect(protocol.refreshes).toHaveLength(1)
    expect(protocol.silentRenewals).toEqual([before])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
    expect(await session.getAccessToken()).not.toBe(before)
    const renewals = events.filter((event) => event.type === 'refresh-failed' || event.type === 'refreshed')
    expect(renewals).toEqual([
      expect.objectContaining({ type: 'refresh-failed', code: 'refresh-failed', error: 'invalid_grant' }),
      expect.objectContaining({ type: 'refreshed', by: 'this-tab', via: 'silent' }),
    ])
  })

  it('a refused refresh token and a refused silent renewal end the session; only the access token is revoked, never the refused refresh token', async () => {
    const world = createWorld()
    const grant = issueGrant()
    const protocol = createFakeProtocol({ callbackGrant: () => grant, refreshGrant: invalidGrant, silentGrant: loginRequired })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false, silentRedirectUri })
    await expect(session.refresh()).rejects.toMatchObject({ code: 'login-required' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'login-required' })
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(1))
    expect(world.server.requests.map((r) => `${r.form.get('token_type_hint')} ${r.form.get('token')}`)).toEqual([
      `access_token ${grant.tokens.accessToken}`,
    ])
  })

  it('a refresh grant that failed on the network opens no frame: the server is the same, the error is thrown as it is', async () => {
    const world = createWorld()
    const protocol = createFakeProtocol({
      refreshGrant: () => {
        throw new TokenwardenError('network', 'The refresh grant failed: the server could not be reached.')
      },
    })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false, silentRedirectUri })
    await expect(session.refresh()).rejects.toMatchObject({ code: 'network' })
    expect(protocol.silentRenewals).toEqual([])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
  })

  it("silentRenew: 'on' renews silently even with a refresh token, which is never sent but revoked at logout", async () => {
    const world = createWorld()
    const grant = issueGrant()
    const protocol = createFakeProtocol({ callbackGrant: () => grant, silentGrant: () => ({ ...issueGrant(), tokens: grant.tokens }) })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false, silentRedirectUri, silentRenew: 'on' })
    await session.refresh()
    expect(protocol.refreshes).toEqual([])
    expect(protocol.silentRenewals).toHaveLength(1)
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
  })

  it("silentRenew: 'off' keeps today's behaviour: without a refresh token the session ends at expiry, no frame", async () => {
    let now = Date.now()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => withoutRefresh(60_000, now) })
    const session = await world.signedInTab({
      protocol: protocol.factory,
      now: () => now,
      autoRefresh: false,
      silentRedirectUri,
      silentRenew: 'off',
    })
    now += 61_000
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'expired' })
    expect(protocol.silentRenewals).toEqual([])
  })

  it('without a silentRedirectUri there is no silent renewal (the default mode needs a page)', async () => {
    const world = createWorld()
    const protocol = createFakeProtocol({ refreshGrant: invalidGrant })
    const session = await world.signedInTab({ protocol: protocol.factory, autoRefresh: false })
    await expect(session.refresh()).rejects.toMatchObject({ code: 'refresh-failed', error: 'invalid_grant' })
    expect(protocol.silentRenewals).toEqual([])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed' })
  })
})

describe('silent renewal options', () => {
  const base = { authority: issuer, clientId: 'spa', redirectUri: 'https://app.example.test/callback' }
  it.each([
    [{ silentRenew: 'sometimes' as never, silentRedirectUri }, /`silentRenew` must be one of/],
    [{ silentRenew: 'on' as const }, /needs a `silentRedirectUri`/],
    [{ silentRedirectUri: 'not a url' }, /`silentRedirectUri` is not an absolute URL/],
    [{ silentRedirectUri, dpop: true }, /does not work with `dpop: true`/],
    [{ silentRedirectUri, silentRenewTimeoutSeconds: 0 }, /silentRenewTimeoutSeconds/],
  ])('refuses %o with invalid-options', (options, message) => {
    expect(() => createSession({ ...base, ...options })).toThrow(
      expect.objectContaining({ code: 'invalid-options', message: expect.stringMatching(message) }),
    )
  })

  it("refuses a silent-callback page on another origin than the app's", () => {
    vi.stubGlobal('location', { origin: 'https://app.example.test', href: 'https://app.example.test/' })
    expect(() => createSession({ ...base, silentRedirectUri: 'https://other.example.test/silent.html' })).toThrow(
      expect.objectContaining({ code: 'invalid-options', message: expect.stringMatching(/own origin/) }),
    )
    expect(() => createSession({ ...base, silentRedirectUri: 'https://app.example.test/silent.html' })).not.toThrow()
  })
})
