import { describe, expect, it, vi } from 'vitest'
import type { Grant } from '../src/index.js'
import { backoffMs } from '../src/outbox.js'
import { deferred, oauthError, ok, type Answer, type SeenRequest } from './helpers/fake-server.js'
import { createFakeProtocol, issueGrant } from './helpers/protocol.js'
import { createWorld } from './helpers/session.js'

const outboxKeys = (records: Map<string, unknown>) => [...records.keys()].filter((key) => key.startsWith('outbox:'))

/** A server whose behaviour can be switched while the test runs. */
function switchable(initial: (request: SeenRequest) => Answer) {
  let current = initial
  return {
    handler: (request: SeenRequest) => current(request),
    set(next: (request: SeenRequest) => Answer) {
      current = next
    },
  }
}

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
    expect(world.records.has(`session:https://id.example.test|spa`)).toBe(false)

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
    server.set((r) => (r.form.get('token_type_hint') === 'access_token' ? oauthError(400, 'unsupported_token_type') : oauthError(401, 'invalid_client')))
    const again = world.tab({ now: () => clock })
    await again.start()
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
    expect(world.server.requests).toHaveLength(2)
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

describe('no zombie sessions', () => {
  it('a refresh in flight when another tab logs out never writes the session back; its new tokens are revoked', async () => {
    const world = createWorld()
    const gate = deferred<void>()
    let issued: Grant | undefined
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

    expect(world.records.has('session:https://id.example.test|spa')).toBe(false)
    expect(refreshing.getSnapshot()).toMatchObject({ status: 'signed-out' })
    await expect(refreshing.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    await vi.waitFor(() =>
      expect(world.server.requests.map((r) => r.form.get('token'))).toEqual(
        expect.arrayContaining([issued!.tokens.accessToken, issued!.tokens.refreshToken]),
      ),
    )
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
  })

  it('a new sign-in over an existing session revokes the tokens it replaces', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const old = await a.getAccessToken()
    await world.signedInTab()
    await vi.waitFor(() =>
      expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([old, old.replace('at-', 'rt-')].sort()),
    )
    expect(a.getSnapshot().status).toBe('signed-in')
    await vi.waitFor(async () => expect(await a.getAccessToken()).not.toBe(old))
  })

  it('logout in two tabs at once: each token is sent at most once per tab, and neither raises', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const b = world.tab()
    await b.start()
    const [ra, rb] = await Promise.all([a.logout(), b.logout()])
    for (const result of [ra, rb]) expect(result.cleared).toBe(true)
    const sent = world.server.requests.map((r) => `${r.form.get('token_type_hint')}:${r.form.get('token')}`)
    expect(sent.length).toBeLessThanOrEqual(4)
    const counts = new Map<string, number>()
    for (const entry of sent) counts.set(entry, (counts.get(entry) ?? 0) + 1)
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2)
    expect(a.getSnapshot().status).toBe('signed-out')
    expect(b.getSnapshot().status).toBe('signed-out')
  })
})

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

  it('proactive refresh: every tab schedules it, one refresh happens', async () => {
    const world = createWorld()
    // Due at once: the access token arrives already at its expiry.
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(0) })
    const a = await world.signedInTab({ protocol: protocol.factory })
    const b = world.tab({ protocol: protocol.factory })
    await b.start()
    await vi.waitFor(() => expect(protocol.refreshes).toHaveLength(1))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(protocol.refreshes).toHaveLength(1)
    expect(await a.getAccessToken()).toBe(await b.getAccessToken())
  })

  it('invalid_grant ends the session in every tab', async () => {
    const world = createWorld()
    const protocol = createFakeProtocol()
    const refuse = (context: Parameters<typeof protocol.factory>[0]) => ({
      ...protocol.factory(context),
      refresh: async () => {
        const { TokenwardenError } = await import('../src/index.js')
        throw new TokenwardenError('refresh-failed', 'refused', { error: 'invalid_grant' })
      },
    })
    const a = await world.signedInTab({ protocol: refuse })
    const b = world.tab({ protocol: refuse })
    await b.start()
    await expect(a.refresh()).rejects.toMatchObject({ code: 'refresh-failed', error: 'invalid_grant' })
    expect(a.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed' })
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
    expect(world.records.has('session:https://id.example.test|spa')).toBe(false)
  })
})
