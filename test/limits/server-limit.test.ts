import { describe, expect, it, vi } from 'vitest'
import { createSession, type SessionEvent } from '../../src/index.js'
import { createTestClock } from '../../src/testing/index.js'
import { createFakeServer } from '../helpers/fake-server.js'
import { createFakeProtocol, issueGrant, serverMetadata } from '../helpers/protocol.js'
import { testRecord, testSessionKey } from '../helpers/records.js'
import { createWorld, realSessionOptions } from '../helpers/session.js'

const ending = (events: SessionEvent[]) => events.filter((event) => event.type === 'session-ending')

describe("the server's own session limit", () => {
  it('a known end shows in the snapshot, and session-ending comes once, a minute before it', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const endsAt = clock.now() + 10 * 60_000
    const grant = issueGrant(3600_000, clock.now())
    grant.tokens.refreshExpiresAt = endsAt
    const protocol = createFakeProtocol({ callbackGrant: () => grant })
    const session = await world.signedInTab({ protocol: protocol.factory, now: clock.now, timers: clock.timers, autoRefresh: false })
    const events: SessionEvent[] = []
    session.on((event) => events.push(event))
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', sessionEndsAt: endsAt })
    await clock.advance(9 * 60_000 - 1)
    expect(ending(events)).toEqual([])
    await clock.advance(1)
    expect(ending(events)).toEqual([expect.objectContaining({ endsAt, secondsLeft: 60 })])
    await clock.advance(5 * 60_000)
    expect(ending(events)).toHaveLength(1)
  })

  it('where the server says nothing, the snapshot says nothing and no event comes', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(3600_000 * 24, clock.now()) })
    const session = await world.signedInTab({ protocol: protocol.factory, now: clock.now, timers: clock.timers, autoRefresh: false })
    const events: SessionEvent[] = []
    session.on((event) => events.push(event))
    expect(session.getSnapshot()).not.toHaveProperty('sessionEndsAt')
    await clock.advance(20 * 3600_000)
    expect(ending(events)).toEqual([])
  })

  it('a refresh token the server said has ended is not sent: silent renewal instead', async () => {
    let now = Date.now()
    const world = createWorld()
    const grant = issueGrant(120_000, now)
    grant.tokens.refreshExpiresAt = now + 60_000
    const protocol = createFakeProtocol({ callbackGrant: () => grant })
    const session = await world.signedInTab({
      protocol: protocol.factory,
      now: () => now,
      autoRefresh: false,
      silentRedirectUri: `${location.origin}/silent-callback.html`,
    })
    now += 90_000
    await session.getAccessToken()
    expect(protocol.refreshes).toEqual([])
    expect(protocol.silentRenewals).toHaveLength(1)
  })

  describe('read from the token response by the real oidc-client-ts', () => {
    const jwt = (claims: object) =>
      ['{"alg":"none"}', JSON.stringify(claims), '']
        .map((part) => btoa(part).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))
        .join('.')

    async function refreshAnswering(body: Record<string, unknown>) {
      const world = createWorld()
      const { idToken: _, ...tokens } = testRecord().tokens
      world.records.set(testSessionKey, testRecord({ tokens }))
      const tokenEndpoint = createFakeServer(
        () =>
          new Response(JSON.stringify({ token_type: 'Bearer', expires_in: 300, ...body }), {
            headers: { 'content-type': 'application/json' },
          }),
      )
      vi.stubGlobal('fetch', tokenEndpoint.fetch)
      try {
        const session = createSession({ ...realSessionOptions(world), oidc: { metadata: serverMetadata }, autoRefresh: false })
        await session.start()
        await session.refresh()
        return session.getSnapshot()
      } finally {
        vi.unstubAllGlobals()
      }
    }

    it("Keycloak's refresh_expires_in gives the end", async () => {
      const before = Date.now()
      const snapshot = await refreshAnswering({ access_token: 'at-new', refresh_token: 'rt-new', refresh_expires_in: 1800 })
      expect(snapshot.status).toBe('signed-in')
      const { sessionEndsAt } = snapshot as { sessionEndsAt: number }
      expect(sessionEndsAt).toBeGreaterThanOrEqual(before + 1800_000)
      expect(sessionEndsAt).toBeLessThanOrEqual(Date.now() + 1800_000)
    })

    it("a JWT refresh token's exp gives the end; refresh_expires_in: 0 (an offline token) and an opaque token give none", async () => {
      const exp = Math.floor(Date.now() / 1000) + 7200
      expect(await refreshAnswering({ access_token: 'at-new', refresh_token: jwt({ exp }) })).toMatchObject({ sessionEndsAt: exp * 1000 })
      expect(await refreshAnswering({ access_token: 'at-new', refresh_token: 'rt-new', refresh_expires_in: 0 })).not.toHaveProperty(
        'sessionEndsAt',
      )
      expect(await refreshAnswering({ access_token: 'at-new', refresh_token: 'rt-new' })).not.toHaveProperty('sessionEndsAt')
    })
  })
})
