import { describe, expect, it, vi } from 'vitest'
import { backoffMs } from '../../src/revocation/outbox.js'
import { oauthError, ok, switchable } from '../helpers/fake-server.js'
import { outboxKeys, hasSessionRecord, testSessionId } from '../helpers/records.js'
import { createWorld } from '../helpers/session.js'
import { outboxEntry, recordKeys, sessionIdOf } from '../../src/storage/index.js'

describe('revocation outbox', () => {
  it('offline logout queues both tokens; the online event sends them and empties the outbox', async () => {
    const server = switchable(() => 'network-error')
    const world = createWorld(server.handler)
    const session = await world.signedInTab()
    const access = await session.getAccessToken()
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued' })
    expect(result.errors).toMatchObject({ refresh_token: { code: 'network' }, access_token: { code: 'network' } })
    expect(outboxKeys(world.records)).toHaveLength(2)
    expect(hasSessionRecord(world.records)).toBe(false)

    server.set(() => ok())
    world.server.requests.length = 0
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
    expect(world.server.requests.map((r) => [r.form.get('token_type_hint'), r.form.get('token')]).sort()).toEqual(
      [
        ['access_token', access],
        ['refresh_token', access.replace('at-', 'rt-')],
      ].sort(),
    )
  })

  it('crash-safe: a page that dies mid-logout is signed out on the next start, which sends the revocations', async () => {
    let clock = Date.now()
    const server = switchable(() => 'hang')
    const world = createWorld(server.handler)
    const dying = await world.signedInTab({ now: () => clock })
    const access = await dying.getAccessToken()
    void dying.logout()
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    dying.dispose() // the tab is closed while both revocations hang
    expect(outboxKeys(world.records)).toHaveLength(2)

    server.set(() => ok())
    world.server.requests.length = 0
    clock += 60_000 // past the dead tab's lease on the entries
    const next = world.tab({ now: () => clock })
    await next.start()
    expect(next.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'initial' })
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
    expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([access, access.replace('at-', 'rt-')].sort())
  })

  it('drops entries once revoked, answered unsupported, refused for good, or expired; backs off the others', async () => {
    let clock = Date.now()
    const server = switchable(() => new Response('', { status: 503, headers: { 'retry-after': '0' } }))
    const world = createWorld(server.handler)
    const session = await world.signedInTab({ now: () => clock, revocation: { retryLimit: 0 } })
    await session.logout()
    const [first] = outboxKeys(world.records).map((key) => world.records.get(key) as { attempts: number; notBefore: number })
    expect(first).toMatchObject({ attempts: 1 })
    expect(first!.notBefore - clock).toBe(backoffMs(1))

    // Nothing is due yet: a start sends nothing.
    world.server.requests.length = 0
    const later = world.tab({ now: () => clock, revocation: { retryLimit: 0 } })
    await later.start()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(world.server.requests).toHaveLength(0)

    // Due now: one unsupported, one refused with 401; both are dropped.
    clock += backoffMs(1)
    server.set((r) =>
      r.form.get('token_type_hint') === 'access_token' ? oauthError(400, 'unsupported_token_type') : oauthError(401, 'invalid_client'),
    )
    const again = world.tab({ now: () => clock })
    await again.start()
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
    expect(world.server.requests).toHaveLength(2)
  })

  it("a Retry-After longer than logout's cap is honoured by the outbox: the next attempt waits the server's time", async () => {
    const clock = Date.now()
    const world = createWorld(() => new Response('', { status: 503, headers: { 'retry-after': '3600' } }))
    const session = await world.signedInTab({ now: () => clock, revocation: { retryLimit: 0, maxRetryAfterMs: 1000 } })
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued' })
    for (const key of outboxKeys(world.records)) {
      const entry = world.records.get(key) as { notBefore: number }
      expect(entry.notBefore - clock).toBe(3_600_000)
    }
  })

  it('an answer hidden for want of CORS headers is retried a few times, not for days', async () => {
    let clock = Date.now()
    // The endpoint is on another origin than the page and answers without CORS headers: the
    // browser reports a network error although the server may have revoked the token.
    const world = createWorld(() => 'network-error')
    const options = { now: () => clock, revocation: { retryLimit: 0 } }
    const session = await world.signedInTab(options)
    const result = await session.logout()
    expect(result.errors.refresh_token).toMatchObject({ code: 'network', message: expect.stringMatching(/CORS/) })
    const attemptsSoFar = () => outboxKeys(world.records).map((key) => (world.records.get(key) as { attempts: number }).attempts)
    for (let attempt = 2; attempt <= 3; attempt++) {
      clock += backoffMs(attempt - 1)
      const tab = world.tab(options)
      await tab.start()
      // Each try is sent and settled before the clock moves on: backed off again, or given up.
      await vi.waitFor(() => expect(world.server.requests).toHaveLength(2 * attempt))
      await vi.waitFor(() => expect(attemptsSoFar()).toEqual(attempt < 3 ? [attempt, attempt] : []))
    }
    expect(outboxKeys(world.records)).toHaveLength(0)
    expect(world.server.requests).toHaveLength(6)
  })

  it('expired entries are dropped without a request', async () => {
    let clock = Date.now()
    const world = createWorld(() => 'network-error')
    const session = await world.signedInTab({ now: () => clock, revocation: { outboxMaxAgeMs: 1000 } })
    await session.logout()
    expect(outboxKeys(world.records)).toHaveLength(2)
    world.server.requests.length = 0
    clock += 3600_000 * 2 // the access token (1 h) and the refresh token's max age are both past
    const next = world.tab({ now: () => clock })
    await next.start()
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
    expect(world.server.requests).toHaveLength(0)
  })
})

describe('outbox housekeeping at start', () => {
  it("expired or unreadable entries go whichever session wrote them; another session's live entries stay", async () => {
    const clock = Date.now()
    const world = createWorld()
    const otherSession = recordKeys.outboxEntry(sessionIdOf('https://old.example.test', 'old-client'))
    const otherLive = recordKeys.outboxEntry(sessionIdOf('https://other.example.test', 'other-client'))
    world.records.set(otherSession, outboxEntry({ token: 'rt-old', hint: 'refresh_token', expiresAt: clock - 1, notBefore: 0 }))
    world.records.set(otherLive, outboxEntry({ token: 'rt-other', hint: 'refresh_token', expiresAt: clock + 60_000, notBefore: 0 }))
    world.records.set(recordKeys.outboxEntry(testSessionId), { garbage: true })
    const live = structuredClone(world.records.get(otherLive))
    const session = world.tab({ now: () => clock })
    await session.start()
    await vi.waitFor(() => expect([...world.records.keys()].filter((key) => key.startsWith('outbox:'))).toEqual([otherLive]))
    expect(world.records.get(otherLive)).toEqual(live)
    expect(world.server.requests).toHaveLength(0)
  })

  it("a sealed session leaves another client's plaintext entries as they are, and their owner sends them", async () => {
    const server = switchable(() => 'network-error')
    const world = createWorld(server.handler)
    // An admin console of the same app, without encryption at rest, logged out offline.
    const admin = await world.signedInTab({ clientId: 'admin', encryptAtRest: false })
    const access = await admin.getAccessToken()
    await admin.logout()
    admin.dispose()
    const queued = () => [...world.records].filter(([key]) => key.startsWith('outbox:'))
    const before = structuredClone(queued())
    expect(before).toHaveLength(2)

    const spa = world.tab({ encryptAtRest: true })
    await spa.start()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(queued()).toEqual(before)
    spa.dispose()

    server.set(() => ok())
    world.server.requests.length = 0
    const owner = world.tab({ clientId: 'admin', encryptAtRest: false })
    await owner.start()
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(queued()).toEqual([]))
    expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([access, access.replace('at-', 'rt-')].sort())
  })

  it('entries written before outbox: false are sent once and forgotten, whatever the answer', async () => {
    const clock = Date.now()
    const world = createWorld(() => new Response('', { status: 503 }))
    world.records.set(
      recordKeys.outboxEntry(testSessionId),
      outboxEntry({ token: 'rt-left', hint: 'refresh_token', expiresAt: clock + 60_000, notBefore: 0 }),
    )
    const session = world.tab({ now: () => clock, revocation: { outbox: false, retryLimit: 0 } })
    await session.start()
    await vi.waitFor(() => expect(world.server.requests.map((r) => r.form.get('token'))).toEqual(['rt-left']))
    expect(outboxKeys(world.records)).toHaveLength(0)
  })
})
