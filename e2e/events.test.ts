import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../src/index.js'
import { accessTokenOf, chromiumPath, signIn, useStack, waitForStatus } from './harness.js'

/** The raw events the demo page collected from `session.on`, and its Events panel as text. */
async function eventsOf(page: Page): Promise<{ events: SessionEvent[]; panel: string }> {
  return page.evaluate(() => ({
    events: (window as unknown as { demo: { events: unknown[] } }).demo.events as never,
    panel: document.getElementById('events')!.innerText,
  }))
}

const waitForEvent = (page: Page, predicate: string) =>
  page.waitForFunction(`window.demo.events.some((e) => ${predicate})`, undefined, { timeout: 15_000 })

describe.skipIf(!chromiumPath)('the event stream in Chromium against node-oidc-provider', () => {
  const env = useStack()

  it('covers a session life in two tabs (sign-in, refresh, a failed refresh, offline logout, the outbox back online) and no event carries a token the server issued', async () => {
    const context = await env.browser.newContext()
    const issued = new Set<string>()
    // Every token the server issued to this browser, from its token endpoint's answers.
    context.on('response', async (response) => {
      if (new URL(response.url()).pathname !== '/token' || response.request().method() !== 'POST') return
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
      for (const name of ['access_token', 'refresh_token', 'id_token']) if (typeof body[name] === 'string') issued.add(body[name])
    })
    const first = await context.newPage()
    await signIn(first, env.stack.origin)
    const second = await context.newPage()
    await second.goto(env.stack.origin)
    await waitForStatus(second, 'signed-in')

    await first.click('#refresh')
    await waitForEvent(first, "e.type === 'refreshed' && e.by === 'this-tab'")
    await waitForEvent(second, "e.type === 'tab-message' && e.direction === 'received' && e.message === 'refreshed'")

    // The scan below is only as good as this list: it holds the token the page uses now.
    expect(issued).toContain(await accessTokenOf(first))

    await context.setOffline(true)
    await first.click('#refresh')
    await waitForEvent(first, "e.type === 'refresh-failed'")
    await first.click('#logout')
    await waitForEvent(first, "e.type === 'logout-finished'")
    await waitForStatus(second, 'signed-out')
    await context.setOffline(false) // the `online` event: the outbox sends the queued revocations
    await waitForEvent(first, "e.type === 'outbox' && e.action === 'drained'")

    const a = await eventsOf(first)
    const b = await eventsOf(second)
    const types = a.events.map((e) => e.type)
    for (const type of ['signed-in', 'refreshed', 'refresh-failed', 'logout-started', 'revocation', 'outbox', 'logout-finished', 'signed-out', 'tab-message']) {
      expect(types, type).toContain(type)
    }
    expect(a.events.find((e) => e.type === 'logout-finished')).toMatchObject({
      revocation: { refresh_token: 'queued', access_token: 'queued' },
      durationMs: expect.any(Number),
    })
    expect(a.events.filter((e) => e.type === 'revocation' && e.source === 'outbox').map((e) => e.type === 'revocation' && [e.hint, e.outcome])).toEqual(
      expect.arrayContaining([
        ['refresh_token', 'revoked'],
        ['access_token', 'revoked'],
      ]),
    )
    expect(b.events).toContainEqual(expect.objectContaining({ type: 'signed-out', reason: 'other-tab' }))
    // The panel shows the stream.
    expect(a.panel).toContain('refreshed by this tab')
    expect(a.panel).toContain('logout settled in')
    expect(a.panel).toContain('outbox: 2 drained')
    expect(b.panel).toContain('signed out (other-tab)')

    // The tokens are dead at the server, and none of them is in any event or on the panel.
    expect(issued.size).toBeGreaterThanOrEqual(6)
    const wire = JSON.stringify([a, b])
    for (const token of issued) expect(wire.includes(token), 'an event carries a token').toBe(false)
    const tokens = [...issued]
    const states = await Promise.all(tokens.filter((token) => !token.includes('.')).map((token) => env.stack.auth.introspect(token)))
    expect(states.every((state) => state.active === false)).toBe(true)
    await context.close()
  })
})
