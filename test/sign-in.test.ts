import { describe, expect, it, vi } from 'vitest'
import { type SessionEvent, TokenwardenError } from '../src/index.js'
import { breakableStorage, hasSessionRecord } from './helpers/records.js'
import { createWorld } from './helpers/session.js'
import { createFakeProtocol, issueGrant } from './helpers/protocol.js'
import { ok, switchable } from './helpers/fake-server.js'

describe('sign-in', () => {
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
})

describe('sign-in when something fails', () => {
  it('a failed or replayed callback reports its error and keeps the session that is stored', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const token = await session.getAccessToken()
    const failing = (context: Parameters<typeof world.protocol.factory>[0]) => ({
      ...world.protocol.factory(context),
      processCallback: async () => {
        throw new TokenwardenError('callback-failed', 'No matching state found in storage')
      },
    })
    const other = world.tab({ protocol: failing })
    await other.start()
    await expect(other.handleCallback('https://app.example.test/callback?code=c&state=s')).rejects.toMatchObject({
      code: 'callback-failed',
    })
    expect(other.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await expect(other.getAccessToken()).resolves.toBe(token)
    expect(hasSessionRecord(world.records)).toBe(true)
  })

  it('a failed callback with nothing stored signs out with callback-failed', async () => {
    const world = createWorld()
    const failing = (context: Parameters<typeof world.protocol.factory>[0]) => ({
      ...world.protocol.factory(context),
      processCallback: async () => {
        throw new TokenwardenError('callback-failed', 'access_denied')
      },
    })
    const session = world.tab({ protocol: failing })
    await session.start()
    await expect(session.handleCallback('https://app.example.test/callback?error=access_denied')).rejects.toMatchObject({
      code: 'callback-failed',
    })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'callback-failed', error: { code: 'callback-failed' } })
  })

  it('tokens that storage refuses to keep at sign-in are revoked at once, each reported as a revocation event, and the call says storage-failed', async () => {
    const world = createWorld()
    const grant = issueGrant()
    const { storage, control } = breakableStorage(world.records)
    const session = world.tab({ storage, protocol: createFakeProtocol({ callbackGrant: () => grant }).factory })
    const events: SessionEvent[] = []
    session.on((event) => events.push(event))
    await session.start()
    control.failWrites = true
    await expect(session.handleCallback('https://app.example.test/callback?code=c&state=s')).rejects.toMatchObject({
      code: 'storage-failed',
    })
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    const revoked = world.server.requests.map((r) => `${r.form.get('token_type_hint')} ${r.form.get('token')}`).sort()
    expect(revoked).toEqual([`access_token ${grant.tokens.accessToken}`, `refresh_token ${grant.tokens.refreshToken}`])
    await vi.waitFor(() =>
      expect(events.flatMap((event) => (event.type === 'revocation' ? [`${event.hint} ${event.outcome}`] : [])).sort()).toEqual([
        'access_token revoked',
        'refresh_token revoked',
      ]),
    )
    expect(session.getSnapshot().status).not.toBe('signed-in')
  })
})

describe('tokens no record holds are not forgotten', () => {
  it('refused by storage at sign-in while offline: kept in memory, sent again when back online, with outbox events', async () => {
    const server = switchable(() => 'network-error')
    const world = createWorld(server.handler)
    const grant = issueGrant()
    const { storage, control } = breakableStorage(world.records)
    const session = world.tab({ storage, protocol: createFakeProtocol({ callbackGrant: () => grant }).factory })
    const events: SessionEvent[] = []
    session.on((event) => events.push(event))
    await session.start()
    control.failWrites = true
    await expect(session.handleCallback('https://app.example.test/callback?code=c&state=s')).rejects.toMatchObject({
      code: 'storage-failed',
    })
    await vi.waitFor(() => expect(events).toContainEqual(expect.objectContaining({ type: 'outbox', action: 'queued', count: 2 })))

    server.set(() => ok())
    world.server.requests.length = 0
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(events).toContainEqual(expect.objectContaining({ type: 'outbox', action: 'drained', count: 2 })))
    const revoked = world.server.requests.map((r) => `${r.form.get('token_type_hint')} ${r.form.get('token')}`).sort()
    expect(revoked).toEqual([`access_token ${grant.tokens.accessToken}`, `refresh_token ${grant.tokens.refreshToken}`])
    session.dispose()
  })

  it('a logout whose transaction storage refuses, offline, keeps what it could not revoke in memory and sends it back online', async () => {
    const server = switchable(() => 'network-error')
    const world = createWorld(server.handler)
    const { storage, control } = breakableStorage(world.records)
    const session = await world.signedInTab({ storage })
    const access = await session.getAccessToken()
    control.failWrites = true
    const result = await session.logout()
    expect(result).toMatchObject({ cleared: false, revocation: { refresh_token: 'queued', access_token: 'queued' } })

    server.set(() => ok())
    world.server.requests.length = 0
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() =>
      expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([access, access.replace('at-', 'rt-')].sort()),
    )
    session.dispose()
  })

  it('refreshed tokens storage refused are revoked when a new sign-in in the same tab replaces their session', async () => {
    const world = createWorld()
    const refreshed = issueGrant()
    const { storage, control } = breakableStorage(world.records)
    const tab = await world.signedInTab({
      storage,
      autoRefresh: false,
      protocol: createFakeProtocol({ refreshGrant: () => refreshed }).factory,
    })
    control.failWrites = true
    await tab.refresh()
    control.failWrites = false
    await tab.handleCallback('https://app.example.test/callback?code=c2&state=s')
    await vi.waitFor(() => {
      const sent = world.server.requests.map((r) => r.form.get('token'))
      expect(sent).toContain(refreshed.tokens.refreshToken)
      expect(sent).toContain(refreshed.tokens.accessToken)
    })
  })

  it('refreshed tokens storage refused are revoked by the tab that holds them when another tab logs out', async () => {
    const world = createWorld()
    const refreshed = issueGrant()
    const { storage, control } = breakableStorage(world.records)
    const holder = await world.signedInTab({
      storage,
      autoRefresh: false,
      protocol: createFakeProtocol({ refreshGrant: () => refreshed }).factory,
    })
    const other = world.tab({ autoRefresh: false })
    await other.start()
    control.failWrites = true
    await holder.refresh()
    await expect(holder.getAccessToken()).resolves.toBe(refreshed.tokens.accessToken)
    control.failWrites = false

    await other.logout()
    await vi.waitFor(() => {
      const sent = world.server.requests.map((r) => r.form.get('token'))
      expect(sent).toContain(refreshed.tokens.refreshToken)
      expect(sent).toContain(refreshed.tokens.accessToken)
    })
    expect(holder.getSnapshot().status).not.toBe('signed-in')
  })
})

describe('the callback URL is cleaned', () => {
  it("code and state leave the address bar, in the query and in a fragment; the app's own hash and query stay", async () => {
    const world = createWorld()
    const session = world.tab()
    await session.start()
    history.replaceState(null, '', '/callback?code=c&state=s&tab=2#code=c2&state=s2&iss=x&section=top')
    await session.handleCallback()
    expect(location.pathname + location.search + location.hash).toBe('/callback?tab=2#section=top')
  })
})
