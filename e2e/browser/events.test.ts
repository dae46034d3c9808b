import { expect, it } from 'vitest'
import type { SessionEvent } from '../../src/index.js'
import { accessTokenOf, describeInEngine, signIn, useStack, waitForStatus, waitInTab, type Tab } from '../harness.js'

type EventsWindow = { demo: { events: SessionEvent[] } }

/** The raw events the demo page collected from `session.on`, and its Events panel as text. */
function eventsOf(tab: Tab): Promise<{ events: SessionEvent[]; panel: string }> {
  return tab.evaluate(() => ({
    events: (window as unknown as EventsWindow).demo.events,
    panel: document.getElementById('events')!.textContent ?? '',
  }))
}

/** Waits until the page has seen an event that matches `expected` (a subset of its fields). */
function waitForEvent(tab: Tab, expected: Record<string, string>) {
  return waitInTab(
    tab,
    (fields) =>
      (window as unknown as EventsWindow).demo.events.some((event) =>
        Object.entries(fields).every(([key, value]) => (event as never)[key] === value),
      ),
    expected,
    { timeout: 20_000, what: `event ${JSON.stringify(expected)}` },
  )
}

describeInEngine('the event stream against node-oidc-provider', () => {
  const env = useStack()

  it('covers a session life in two tabs (sign-in, refresh, a failed refresh, offline logout, the outbox back online) and no event carries a token the server issued', async () => {
    const first = env.tab
    await signIn(first, env.stack.origin)
    const second = await env.profile.newTab()
    await second.goto(env.stack.origin)
    await waitForStatus(second, 'signed-in')

    await first.click('#refresh')
    await waitForEvent(first, { type: 'refreshed', by: 'this-tab' })
    await waitForEvent(second, { type: 'tab-message', direction: 'received', message: 'refreshed' })
    // The scan below is only as good as this list: it holds the token the page uses now.
    const issued = env.profile.issued.flatMap((answer) =>
      Object.values(answer).filter((value): value is string => typeof value === 'string' && value.length > 20),
    )
    expect(issued).toContain(await accessTokenOf(first))

    await env.profile.setOffline(true)
    await first.click('#refresh')
    await waitForEvent(first, { type: 'refresh-failed' })
    await first.click('#logout')
    await waitForEvent(first, { type: 'logout-finished' })
    await waitForStatus(second, 'signed-out')
    // Back online: the `online` event (or, behind WebKit's proxy, the outbox's own timer) sends the queued revocations.
    await env.profile.setOffline(false)
    // Either tab may win the outbox's lock and send them.
    const drained = async () =>
      (await Promise.all([first, second].map(eventsOf))).some(({ events }) =>
        events.some((e) => e.type === 'outbox' && e.action === 'drained'),
      )
    await expect.poll(drained, { timeout: 20_000 }).toBe(true)

    const a = await eventsOf(first)
    const b = await eventsOf(second)
    const types = a.events.map((e) => e.type)
    for (const type of [
      'signed-in',
      'refreshed',
      'refresh-failed',
      'logout-started',
      'revocation',
      'outbox',
      'logout-finished',
      'signed-out',
      'tab-message',
    ]) {
      expect(types, type).toContain(type)
    }
    expect(a.events.find((e) => e.type === 'logout-finished')).toMatchObject({
      revocation: { refresh_token: 'queued', access_token: 'queued' },
      durationMs: expect.any(Number),
    })
    const both = [...a.events, ...b.events]
    expect(
      both.filter((e) => e.type === 'revocation' && e.source === 'outbox').map((e) => e.type === 'revocation' && [e.hint, e.outcome]),
    ).toEqual(
      expect.arrayContaining([
        ['refresh_token', 'revoked'],
        ['access_token', 'revoked'],
      ]),
    )
    expect(b.events).toContainEqual(expect.objectContaining({ type: 'signed-out', reason: 'other-tab' }))
    // The panel shows the stream.
    expect(a.panel).toContain('refreshed by this tab')
    expect(a.panel).toContain('logout settled in')
    expect(a.panel + b.panel).toContain('outbox: 2 drained')
    expect(b.panel).toContain('signed out (other-tab)')

    // No token in any event or on the panel; and the server says every one is dead.
    const all = [...env.profile.issued.flatMap((answer) => Object.values(answer))].filter(
      (value): value is string => typeof value === 'string' && value.length > 20,
    )
    expect(all.length).toBeGreaterThanOrEqual(4)
    const wire = JSON.stringify([a, b])
    for (const token of all) expect(wire.includes(token), 'an event carries a token').toBe(false)
    const opaque = env.profile.issued
      .flatMap((answer) => [answer.access_token, answer.refresh_token])
      .filter((token): token is string => !!token)
    const states = await Promise.all(opaque.map((token) => env.stack.auth.introspect(token)))
    expect(states.every((state) => state.active === false)).toBe(true)
  })
})
