import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTestAuthority, createTestClock, type TestAuthority } from '../src/testing/index.js'

let authority: TestAuthority
afterEach(() => authority?.dispose())

describe('tokenwarden/testing: the test authority', () => {
  it('signs a user in with given claims without a redirect; the tokens it issued are live', async () => {
    authority = createTestAuthority()
    const session = authority.session()
    const snapshot = await authority.signIn(session, { sub: 'ada', name: 'Ada Lovelace' })
    expect(snapshot).toMatchObject({ status: 'signed-in', profile: { sub: 'ada', name: 'Ada Lovelace' } })
    const token = await session.getAccessToken()
    expect(authority.isLive(token)).toBe(true)
    expect(authority.liveTokens().accessTokens).toEqual([token])
    expect(authority.navigations).toEqual([])
  })

  it('settle() waits for the sealing WebCrypto does off the main thread, however late it answers', async () => {
    // A loaded machine: every AES-GCM call answers 40 ms late, far more than settle()'s rounds of tasks.
    const { encrypt, decrypt } = crypto.subtle
    const late =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      (...args: A) =>
        new Promise<R>((resolve, reject) => setTimeout(() => call.apply(crypto.subtle, args).then(resolve, reject), 40))
    vi.spyOn(crypto.subtle, 'encrypt').mockImplementation(late(encrypt))
    vi.spyOn(crypto.subtle, 'decrypt').mockImplementation(late(decrypt))
    try {
      authority = createTestAuthority()
      const session = authority.session()
      await authority.signIn(session)
      const tokens = authority.liveTokens()
      void session.logout()
      await authority.settle()
      expect(session.getSnapshot().status).toBe('signed-out')
      expect(authority.revocations.map((r) => r.token).sort()).toEqual([...tokens.accessTokens, ...tokens.refreshTokens].sort())
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('answers session.http with the claims for a live bearer token and 401 for a revoked one', async () => {
    authority = createTestAuthority()
    const session = authority.session({ autoRefresh: false, destinations: ['https://api.example.test'] })
    await authority.signIn(session, { sub: 'ada' })
    await expect(session.http.get('https://api.example.test/me').json()).resolves.toEqual({ sub: 'ada' })
    const token = await session.getAccessToken()
    await session.logout()
    expect(authority.isLive(token)).toBe(false)
    const response = await authority.options().fetch!('https://api.example.test/me', { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(401)
  })

  it('advance() fires the proactive refresh on the test clock: the refresh token rotates, the old one dies', async () => {
    authority = createTestAuthority({ accessTokenLifetimeMs: 600_000 })
    const session = authority.session()
    await authority.signIn(session)
    const [firstRefresh] = authority.liveTokens().refreshTokens
    const before = await session.getAccessToken()
    await authority.advance(9 * 60_000 - 1)
    expect(authority.isLive(firstRefresh!)).toBe(true)
    await authority.advance(1) // due at 10 min − 60 s leeway: the timer refreshes, nobody asked for a token
    expect(authority.isLive(firstRefresh!)).toBe(false)
    const after = await session.getAccessToken()
    expect(after).not.toBe(before)
    expect(authority.liveTokens().refreshTokens).toHaveLength(1)
  })

  it('failNextRefresh("invalid_grant") ends the session in every tab; "network" keeps it', async () => {
    authority = createTestAuthority()
    const first = authority.session({ autoRefresh: false })
    const second = authority.session({ autoRefresh: false })
    await authority.signIn(first)
    await second.start()
    await authority.settle()
    expect(second.getSnapshot().status).toBe('signed-in')

    authority.failNextRefresh('network')
    await expect(first.refresh()).rejects.toMatchObject({ code: 'network' })
    expect(first.getSnapshot().status).toBe('signed-in')

    authority.failNextRefresh('invalid_grant')
    await expect(first.refresh()).rejects.toMatchObject({ code: 'refresh-failed', error: 'invalid_grant' })
    await authority.settle()
    expect(first.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed' })
    expect(second.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' })
  })

  it('a second tab on the same storage and channel is signed out by a logout in the first; both tokens are revoked', async () => {
    authority = createTestAuthority()
    const first = authority.session()
    await authority.signIn(first)
    const second = authority.session()
    await second.start()
    expect(second.getSnapshot().status).toBe('signed-in')

    const result = await first.logout()
    await authority.settle()
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    expect(second.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' })
    expect(authority.revocations.map(({ hint, answer }) => ({ hint, answer }))).toEqual(
      expect.arrayContaining([
        { hint: 'refresh_token', answer: 200 },
        { hint: 'access_token', answer: 200 },
      ]),
    )
    expect(authority.liveTokens()).toEqual({ accessTokens: [], refreshTokens: [] })
  })

  it('revocation answering 503 queues both tokens; advancing the clock past the backoff revokes them', async () => {
    authority = createTestAuthority()
    const session = authority.session()
    await authority.signIn(session)
    authority.setRevocation('503')
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued' })
    expect(authority.liveTokens().refreshTokens).toHaveLength(1)

    authority.setRevocation('ok')
    await authority.advance(2000) // the outbox's first backoff
    expect(authority.liveTokens()).toEqual({ accessTokens: [], refreshTokens: [] })
    expect(authority.revocations.at(-1)).toMatchObject({ answer: 200 })
  })

  it('revocation that hangs: logout still settles within its bound, and the tokens are queued', async () => {
    authority = createTestAuthority()
    const session = authority.session()
    await authority.signIn(session)
    authority.setRevocation('hang')
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
    expect(authority.revocations.map((r) => r.answer)).toEqual(['hang', 'hang'])
  })

  it('rejects a revocation without the client id, as a real server does', async () => {
    authority = createTestAuthority()
    const response = await authority.options().fetch!(`${authority.issuer}/token/revocation`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'x' }),
    })
    expect(response.status).toBe(401)
  })
})

describe('tokenwarden/testing: the test clock', () => {
  it('runs due timers in time order, each at its own time, and no timer before its time', async () => {
    const clock = createTestClock(1000)
    const fired: Array<[string, number]> = []
    clock.timers.setTimeout(() => fired.push(['b', clock.now()]), 200)
    clock.timers.setTimeout(() => fired.push(['a', clock.now()]), 100)
    const cancelled = clock.timers.setTimeout(() => fired.push(['never', clock.now()]), 150)
    clock.timers.clearTimeout(cancelled)
    clock.timers.setTimeout(() => fired.push(['later', clock.now()]), 500)
    await clock.advance(300)
    expect(fired).toEqual([
      ['a', 1100],
      ['b', 1200],
    ])
    expect(clock.now()).toBe(1300)
    expect(clock.pending).toBe(1)
  })
})
