import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSession, type SessionEvent } from '../../src/index.js'
import { createFakeProtocol, issueGrant, issuer } from '../helpers/protocol.js'
import { hasSessionRecord, outboxKeys } from '../helpers/records.js'
import { createWorld } from '../helpers/session.js'
import { createTestClock } from '../../src/testing/index.js'

function recordEvents(session: { on(listener: (event: SessionEvent) => void): () => void }) {
  const events: SessionEvent[] = []
  session.on((event) => events.push(event))
  return events
}

const countdown = (events: SessionEvent[]) => events.flatMap((event) => (event.type === 'idle-warning' ? [event.secondsLeft] : []))

/** The user does something in the page (what the page-lifecycle listener hears). */
const pointerDown = () => dispatchEvent(new Event('pointerdown'))

describe('idle limit', () => {
  it('ends the session in every tab at the limit, reason idle, with both tokens revoked once; a countdown comes first', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const grant = issueGrant(3600_000, clock.now())
    const protocol = createFakeProtocol({ callbackGrant: () => grant })
    const options = { protocol: protocol.factory, now: clock.now, timers: clock.timers, idleTimeoutSeconds: 30, idleWarningSeconds: 5 }
    const tabs = [await world.signedInTab(options), world.tab(options)]
    await tabs[1]!.start()
    const events = tabs.map(recordEvents)
    await clock.advance(25_000 - 1)
    expect(countdown(events[0]!)).toEqual([])
    await clock.advance(1)
    expect(countdown(events[0]!)).toEqual([5])
    await clock.advance(4_000)
    expect(countdown(events[0]!)).toEqual([5, 4, 3, 2, 1])
    expect(tabs[0]!.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await clock.advance(1_000)
    for (const tab of tabs) expect(tab.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'idle' })
    for (const tabEvents of events) expect(tabEvents.filter((event) => event.type === 'signed-out')).toHaveLength(1)
    await vi.waitFor(() => expect(outboxKeys(world.records)).toEqual([]))
    expect(world.server.requests.map((r) => `${r.form.get('token_type_hint')} ${r.form.get('token')}`).sort()).toEqual([
      `access_token ${grant.tokens.accessToken}`,
      `refresh_token ${grant.tokens.refreshToken}`,
    ])
    expect(hasSessionRecord(world.records)).toBe(false)
    // Nothing runs on after the end: no timer left, no more countdown.
    await clock.advance(60_000)
    expect(countdown(events[0]!)).toEqual([5, 4, 3, 2, 1])
    expect(world.server.requests).toHaveLength(2)
  })

  it('activity in one tab keeps every tab signed in, and stops a countdown that was running (secondsLeft: null)', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(3600_000, clock.now()) })
    const options = { protocol: protocol.factory, now: clock.now, timers: clock.timers, idleTimeoutSeconds: 30, idleWarningSeconds: 5 }
    const [a, b] = [await world.signedInTab(options), world.tab(options)]
    await b!.start()
    const events = recordEvents(b!)
    for (let i = 0; i < 4; i++) {
      await clock.advance(20_000)
      pointerDown() // both sessions live in this one page: each hears it, and tells the other
    }
    expect(a!.getSnapshot()).toMatchObject({ status: 'signed-in' })
    expect(b!.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await clock.advance(27_000)
    expect(countdown(events)).toEqual([5, 4, 3])
    a!.stayActive()
    await clock.advance(0)
    expect(countdown(events)).toEqual([5, 4, 3, null])
    await clock.advance(29_000)
    expect(b!.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await clock.advance(1_000)
    expect(b!.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'idle' })
  })

  it('activity heard from another tab (the activity message) resets this tab; the message carries no token', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const grant = issueGrant(3600_000, clock.now())
    const protocol = createFakeProtocol({ callbackGrant: () => grant })
    const options = { protocol: protocol.factory, now: clock.now, timers: clock.timers, idleTimeoutSeconds: 10 }
    const a = await world.signedInTab(options)
    const b = world.tab(options)
    await b.start()
    await clock.advance(8_000)
    a.stayActive()
    expect(world.hub.log.filter(({ message }) => message.type === 'activity')).toHaveLength(1)
    const sent = JSON.stringify(world.hub.log)
    expect(sent).not.toContain(grant.tokens.accessToken)
    expect(sent).not.toContain(grant.tokens.refreshToken!)
    await clock.advance(8_000)
    expect(b.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await clock.advance(2_000)
    expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'idle' })
  })

  it('busy activity sends at most one activity message a second: at once, then when each second ends', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol()
    const session = await world.signedInTab({ protocol: protocol.factory, now: clock.now, timers: clock.timers, idleTimeoutSeconds: 60 })
    const activity = () => world.hub.log.filter(({ message }) => message.type === 'activity').length
    for (let i = 0; i < 20; i++) {
      session.stayActive()
      await clock.advance(100)
    }
    // Two seconds of activity: at 0 s, and at the end of each second that saw more.
    expect(activity()).toBe(3)
    await clock.advance(5_000)
    expect(activity()).toBe(3)
  })

  it('while the user is idle there is no proactive refresh; activity brings it back', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const protocol = createFakeProtocol({
      callbackGrant: () => issueGrant(120_000, clock.now()),
      refreshGrant: () => issueGrant(120_000, clock.now()),
    })
    const session = await world.signedInTab({ protocol: protocol.factory, now: clock.now, timers: clock.timers, idleTimeoutSeconds: 600 })
    await clock.advance(120_000) // due at 60 s: the user did nothing since sign-in
    expect(protocol.refreshes).toEqual([])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
    session.stayActive()
    await clock.advance(0)
    // The refresh's code is a chunk, loaded on the first refresh: not on the test clock.
    await vi.waitFor(() => expect(protocol.refreshes).toHaveLength(1))
    // getAccessToken still refreshes on demand, idle or not: the app asked for a token.
    await clock.advance(120_000)
    expect(protocol.refreshes).toHaveLength(1)
    await session.getAccessToken()
    expect(protocol.refreshes).toHaveLength(2)
  })

  it('activity that comes after the limit (a throttled background timer never fired) ends the session instead of keeping it', async () => {
    let now = Date.now()
    const world = createWorld()
    const throttled = { setTimeout: () => 0, clearTimeout: () => {} }
    const session = await world.signedInTab({
      protocol: createFakeProtocol().factory,
      now: () => now,
      timers: throttled,
      idleTimeoutSeconds: 60,
    })
    now += 2 * 3600_000 // the user comes back after two hours; no timer ran meanwhile
    pointerDown()
    await vi.waitFor(() => expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'idle' }))
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
  })

  it('the page listeners are attached only while signed in, and removed at the end', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const added = vi.spyOn(globalThis, 'addEventListener')
    const removed = vi.spyOn(globalThis, 'removeEventListener')
    const pointer = (spy: typeof added) => spy.mock.calls.filter(([type]) => type === 'pointerdown').length
    const session = world.tab({ protocol: createFakeProtocol().factory, now: clock.now, timers: clock.timers, idleTimeoutSeconds: 60 })
    await session.start()
    expect(pointer(added)).toBe(0)
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    expect(pointer(added)).toBe(1)
    await session.logout()
    expect(pointer(removed)).toBe(1)
    added.mockRestore()
    removed.mockRestore()
  })

  it('without idleTimeoutSeconds there is no idle limit: no countdown, no listener, no end', async () => {
    const clock = createTestClock()
    const world = createWorld()
    const session = await world.signedInTab({
      protocol: createFakeProtocol({ callbackGrant: () => issueGrant(3600_000 * 48, clock.now()) }).factory,
      now: clock.now,
      timers: clock.timers,
      autoRefresh: false,
    })
    const events = recordEvents(session)
    await clock.advance(24 * 3600_000)
    expect(countdown(events)).toEqual([])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
  })

  it.each([
    [{ idleTimeoutSeconds: 0 }, /idleTimeoutSeconds/],
    [{ idleTimeoutSeconds: 'soon' as never }, /idleTimeoutSeconds/],
    [{ idleTimeoutSeconds: 60, idleWarningSeconds: -1 }, /idleWarningSeconds/],
  ])('refuses %o with invalid-options', (options, message) => {
    expect(() =>
      createSession({ authority: issuer, clientId: 'spa', redirectUri: 'https://app.example.test/callback', ...options }),
    ).toThrow(expect.objectContaining({ code: 'invalid-options', message: expect.stringMatching(message) }))
  })
})

describe("the idle limit's code (a chunk that start() loads)", () => {
  const idleModule = '../../src/limits/idle.js'
  afterEach(() => {
    vi.doUnmock(idleModule)
    vi.resetModules()
  })

  /** A world whose sessions load limits/idle.ts through a counter; the first `failures` loads fail as a lost network would. */
  async function worldCountingIdleLoads(failures = 0) {
    vi.resetModules()
    const actual = await vi.importActual<typeof import('../../src/limits/idle.js')>(idleModule)
    const chunk = { loads: 0 }
    vi.doMock(idleModule, () => {
      chunk.loads += 1
      if (chunk.loads <= failures) throw new TypeError('Failed to fetch dynamically imported module: /assets/idle-1234.js')
      return actual
    })
    const { createWorld } = await import('../helpers/session.js')
    return { chunk, world: createWorld() }
  }

  it('is loaded only by a session with idleTimeoutSeconds, once, at start', async () => {
    const { chunk, world } = await worldCountingIdleLoads()
    const plain = await world.signedInTab()
    await plain.logout()
    expect(chunk.loads).toBe(0)
    const limited = await world.signedInTab({ idleTimeoutSeconds: 30 })
    expect(chunk.loads).toBe(1)
    expect(limited.getSnapshot()).toMatchObject({ status: 'signed-in' })
  })

  it('that does not arrive fails start() with a typed network error; the next start() loads it again, and logout revokes', async () => {
    const { chunk, world } = await worldCountingIdleLoads(1)
    const first = await world.signedInTab()
    const tab = world.tab({ idleTimeoutSeconds: 30 })
    const failed = await tab.start().catch((error: unknown) => error)
    expect(failed).toMatchObject({ name: 'TokenwardenError', code: 'network', message: expect.stringMatching(/idle limit/) })
    await tab.start()
    expect(chunk.loads).toBe(2)
    expect(tab.getSnapshot()).toMatchObject({ status: 'signed-in' })
    const result = await tab.logout()
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    expect(world.server.requests).toHaveLength(2)
    expect(first.getSnapshot()).toMatchObject({ status: 'signed-out' })
  })
})
