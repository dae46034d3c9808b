import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Session, SessionEvent } from '../src/index.js'
import { createTestAuthority, type TestAuthority } from '../src/testing/index.js'
import { findSecrets } from './helpers/secrets.js'
import { outboxEntry, recordKeys, sessionIdOf } from '../src/storage/index.js'

let authority: TestAuthority
afterEach(() => authority?.dispose())

/** Every event of a session, kept as the structured clone a telemetry pipe would send. */
function record(session: Session, into: SessionEvent[] = []) {
  session.on((event) => into.push(structuredClone(event)))
  return into
}

const pageRestored = () => {
  const event = new Event('pageshow')
  Object.defineProperty(event, 'persisted', { value: true })
  dispatchEvent(event)
}

describe('session events', () => {
  it('cover a session life across two tabs (sign-in, proactive refresh, refresh failure, logout, outbox), and carry no token', async () => {
    authority = createTestAuthority({ accessTokenLifetimeMs: 600_000 })
    const first = authority.session()
    const second = authority.session()
    const a = record(first)
    const b = record(second)

    await second.start()
    await authority.signIn(first, { sub: 'ada' })
    await authority.settle()
    await authority.advance(9 * 60_000) // the proactive refresh: one tab refreshes, the other adopts
    authority.failNextRefresh('network')
    await first.refresh().catch(() => undefined)
    authority.setRevocation('503')
    await first.logout()
    authority.setRevocation('ok')
    await authority.advance(2000) // the outbox's backoff: the queued revocations go out
    // Sealing the outbox's writes runs on WebCrypto's threads, which the kit's settle() cannot
    // see: on a loaded machine the drain's last steps land a little after it.
    await vi.waitFor(() => expect([...a, ...b]).toContainEqual(expect.objectContaining({ type: 'outbox', action: 'drained' })))
    await authority.settle()

    const types = (events: SessionEvent[]) => events.map((event) => event.type)
    expect(types(a)).toEqual(
      expect.arrayContaining([
        'signed-in',
        'tab-message',
        'refreshed',
        'refresh-failed',
        'logout-started',
        'revocation',
        'outbox',
        'logout-finished',
        'signed-out',
      ]),
    )
    expect(a.find((e) => e.type === 'signed-in')).toMatchObject({ replaced: false, tab: a[0]!.tab })
    expect(a.find((e) => e.type === 'refresh-failed')).toMatchObject({ code: 'network' })
    expect(a.filter((e) => e.type === 'revocation' && e.source === 'logout')).toEqual([
      expect.objectContaining({ hint: 'refresh_token', outcome: 'failed', status: 503, code: 'revocation-failed' }),
      expect.objectContaining({ hint: 'access_token', outcome: 'failed', status: 503, code: 'revocation-failed' }),
    ])
    expect(a.find((e) => e.type === 'logout-finished')).toMatchObject({
      cleared: true,
      revocation: { refresh_token: 'queued', access_token: 'queued' },
      durationMs: expect.any(Number),
    })
    expect(a.filter((e) => e.type === 'signed-out').map((e) => e.type === 'signed-out' && e.reason)).toEqual(['initial', 'logout'])
    expect(b.filter((e) => e.type === 'signed-out').map((e) => e.type === 'signed-out' && e.reason)).toEqual(['initial', 'other-tab'])
    expect(b).toContainEqual(expect.objectContaining({ type: 'tab-message', direction: 'received', message: 'signed-in' }))
    expect(b).toContainEqual(expect.objectContaining({ type: 'tab-message', direction: 'received', message: 'signed-out' }))

    // Exactly one tab sent the refresh grant; the other adopted what it wrote.
    const refreshed = [...a, ...b].filter((e) => e.type === 'refreshed')
    expect(refreshed.filter((e) => e.by === 'this-tab')).toHaveLength(1)
    expect([...a, ...b]).toContainEqual(expect.objectContaining({ type: 'tab-message', direction: 'received', message: 'refreshed' }))

    // The outbox: queued at logout, then revoked and drained by whichever tab's timer fired.
    const all = [...a, ...b]
    expect(all).toContainEqual(expect.objectContaining({ type: 'outbox', action: 'queued', count: 2 }))
    expect(all.filter((e) => e.type === 'revocation' && e.source === 'outbox' && e.outcome === 'revoked')).toHaveLength(2)
    expect(all).toContainEqual(expect.objectContaining({ type: 'outbox', action: 'drained', count: 2 }))
    expect(authority.liveTokens()).toEqual({ accessTokens: [], refreshTokens: [] })

    const issued = authority.issuedTokens()
    expect(issued.length).toBeGreaterThanOrEqual(6)
    expect(await findSecrets(all, issued)).toEqual([])
  })

  it('report storage: an invalid stored record is discarded, and a session that vanished from storage is lost', async () => {
    authority = createTestAuthority()
    const key = recordKeys.session(sessionIdOf(authority.issuer, authority.clientId))
    authority.records.set(key, { version: 99, tokens: 'nonsense' })
    const corrupt = authority.session()
    const events = record(corrupt)
    await corrupt.start()
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'storage', kind: 'invalid-record', code: 'storage-invalid', storage: 'memory' }),
    )
    expect(events).toContainEqual(expect.objectContaining({ type: 'signed-out', reason: 'storage-invalid' }))

    const session = authority.session()
    await authority.signIn(session)
    const later = record(session)
    authority.records.delete(key) // as when the browser evicts the site's storage
    pageRestored()
    await authority.settle()
    expect(later).toContainEqual(expect.objectContaining({ type: 'storage', kind: 'lost' }))
    // Vanished without a logout's end marker: eviction, its own reason (issue 14).
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-lost' })
  })

  it('at start, expired outbox entries are dropped, and entries left from before outbox: false are revoked once, both reported', async () => {
    authority = createTestAuthority()
    const id = sessionIdOf(authority.issuer, authority.clientId)
    const now = authority.clock.now()
    authority.records.set(
      recordKeys.outboxEntry(id),
      outboxEntry({ token: 'expired-token-0001', hint: 'access_token', expiresAt: now - 1, notBefore: now }),
    )
    authority.records.set(
      recordKeys.outboxEntry(id),
      outboxEntry({ token: 'left-over-token-0002', hint: 'refresh_token', expiresAt: now + 60_000, notBefore: now }),
    )
    const session = authority.session({ revocation: { outbox: false } })
    const events = record(session)
    await session.start()
    await authority.settle()
    expect(events).toContainEqual(expect.objectContaining({ type: 'outbox', action: 'dropped', count: 1 }))
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'revocation', hint: 'refresh_token', outcome: 'revoked', source: 'outbox' }),
    )
    expect(authority.revocations.map((r) => r.token)).toEqual(['left-over-token-0002'])
    expect(await findSecrets(events, ['expired-token-0001', 'left-over-token-0002'])).toEqual([])
  })

  it('a sign-in that replaces a stored session says so, and a failed callback reports its code', async () => {
    authority = createTestAuthority()
    const session = authority.session()
    const events = record(session)
    await authority.signIn(session, { sub: 'ada' })
    await authority.signIn(session, { sub: 'grace' })
    expect(events.filter((e) => e.type === 'signed-in').map((e) => e.type === 'signed-in' && e.replaced)).toEqual([false, true])
    await expect(session.handleCallback('https://app.example.test/callback?error=access_denied&state=s')).rejects.toThrow()
    expect(events.at(-1)).toMatchObject({ type: 'sign-in-failed', code: 'callback-failed', error: 'access_denied' })
  })

  it('the tokens of a replaced session are revoked and reported, with the outbox on or off', async () => {
    authority = createTestAuthority()
    for (const outbox of [true, false]) {
      const session = authority.session({ revocation: { outbox } })
      const events = record(session)
      await authority.signIn(session)
      await authority.signIn(session)
      await authority.settle()
      const revoked = events.filter((e) => e.type === 'revocation').map((e) => e.type === 'revocation' && `${e.hint} ${e.outcome}`)
      expect(revoked.sort(), `outbox ${outbox}`).toEqual(['access_token revoked', 'refresh_token revoked'])
      await session.logout()
    }
  })

  it('a received tab message names the sending tab', async () => {
    authority = createTestAuthority()
    const first = authority.session()
    const second = authority.session()
    await second.start()
    const heard = record(second)
    const sent = record(first)
    await authority.signIn(first)
    await authority.settle()
    const tab = sent.find((e) => e.type === 'signed-in')!.tab
    expect(heard).toContainEqual(expect.objectContaining({ type: 'tab-message', direction: 'received', message: 'signed-in', from: tab }))
  })

  it('unsubscribes, and a listener that throws neither breaks the session nor silences the others', async () => {
    authority = createTestAuthority()
    const session = authority.session()
    const heard: string[] = []
    session.on(() => {
      throw new Error('listener bug')
    })
    const off = session.on((event) => heard.push(event.type))
    await authority.signIn(session)
    expect(heard).toContain('signed-in')
    expect(authority.warnings.some((w) => w.includes('event listener threw'))).toBe(true)
    off()
    const count = heard.length
    await session.logout()
    expect(heard).toHaveLength(count)
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })
})
