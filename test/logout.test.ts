import { describe, expect, it, vi } from 'vitest'
import { createLockQueue, createMemoryStorage, isTokenwardenError, type KeyValueStorage, type Session } from '../src/index.js'
import { isSessionEnded } from '../src/storage/records.js'
import { deferred, oauthError, ok, switchable, type Answer } from './helpers/fake-server.js'
import { revocationEndpoint } from './helpers/protocol.js'
import { outboxKeys, hasSessionRecord, testSessionKey, tokenRecordKeys } from './helpers/records.js'
import { createWorld, outcomes } from './helpers/session.js'
import type { StorageChanges } from '../src/storage/index.js'

async function tokensOf(session: Session) {
  const access = await session.getAccessToken()
  return { access, refresh: access.replace('at-', 'rt-') }
}

/**
 * The world's protocol, with a refresh that stops at the token endpoint until `gate` opens
 * (`entered` says it got there): a refresh in flight, holding the lock, when logout is called.
 */
function gatedRefresh(world: ReturnType<typeof createWorld>) {
  const entered = deferred<void>()
  const gate = deferred<void>()
  const protocol = (context: Parameters<typeof world.protocol.factory>[0]) => {
    const inner = world.protocol.factory(context)
    return {
      ...inner,
      refresh: async (current: Parameters<typeof inner.refresh>[0]) => {
        entered.resolve()
        await gate.promise
        return inner.refresh(current)
      },
    }
  }
  return { protocol, entered, gate }
}

describe('logout sends both revocations', () => {
  it('refresh and access token, each with its hint and client_id, both in flight before either is answered', async () => {
    const gate = deferred<void>()
    const world = createWorld(() => gate.promise.then(ok))
    const session = await world.signedInTab()
    const { access, refresh } = await tokensOf(session)

    const pending = session.logout()
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    // Neither has been answered, yet both have arrived: one round trip, not two. And the
    // snapshot is signed-out already: the screen does not wait for the server.
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
    gate.resolve()
    const result = await pending

    const sent = world.server.requests.map((r) => ({ method: r.method, url: r.url, form: Object.fromEntries(r.form) }))
    expect(sent).toEqual(
      expect.arrayContaining([
        { method: 'POST', url: revocationEndpoint, form: { token: refresh, token_type_hint: 'refresh_token', client_id: 'spa' } },
        { method: 'POST', url: revocationEndpoint, form: { token: access, token_type_hint: 'access_token', client_id: 'spa' } },
      ]),
    )
    for (const request of world.server.requests) {
      expect(request.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
      expect(request.url).not.toContain(access)
      expect(request.url).not.toContain(refresh)
    }
    // The shape README's API promises (`LogoutResult`).
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    expect(result.errors).toEqual({})
    expect(result.cleared).toBe(true)
  })

  it('with a secret and client_secret_basic: Basic auth on both, no client_id in the body', async () => {
    const world = createWorld()
    const session = await world.signedInTab({ clientSecret: 'shh' })
    await session.logout()
    expect(world.server.requests).toHaveLength(2)
    for (const request of world.server.requests) {
      expect(atob(request.headers.get('authorization')!.replace('Basic ', ''))).toBe('spa:shh')
      expect(request.form.has('client_id')).toBe(false)
    }
    expect(world.warnings.filter((w) => w.includes('cannot keep a secret'))).toHaveLength(1)
  })

  it('with client_secret_post: id and secret in both bodies', async () => {
    const world = createWorld()
    const session = await world.signedInTab({ clientSecret: 'shh', clientAuthentication: 'client_secret_post' })
    await session.logout()
    expect(
      world.server.requests.map((r) => [r.form.get('client_id'), r.form.get('client_secret'), r.headers.has('authorization')]),
    ).toEqual([
      ['spa', 'shh', false],
      ['spa', 'shh', false],
    ])
  })

  it('revokes the newest tokens: the ones another tab stored after a refresh', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const b = world.tab()
    await b.start()
    await b.refresh()
    const newest = await b.getAccessToken()
    await a.logout()
    const revoked = world.server.requests.map((r) => r.form.get('token'))
    expect(revoked).toContain(newest)
    expect(revoked).toContain(newest.replace('at-', 'rt-'))
  })
})

describe('logout, whatever the server answers, clears and tells every tab', () => {
  type Case = [name: string, handler: Parameters<typeof createWorld>[0], expected: Record<string, unknown>]
  const cases: Case[] = [
    ['200 empty text/plain', () => ok(), { refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } }],
    [
      '503 + Retry-After once, then 200',
      (r) =>
        r.form.get('token_type_hint') && !retried.has(r.form.get('token')!) && retried.add(r.form.get('token')!)
          ? new Response('', { status: 503, headers: { 'retry-after': '0' } })
          : ok(),
      { refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } },
    ],
    [
      '503 always (queued for a later retry)',
      () => new Response('', { status: 503, headers: { 'retry-after': '0' } }),
      {
        refresh_token: { status: 'queued', error: { code: 'revocation-failed', status: 503 } },
        access_token: { status: 'queued', error: { code: 'revocation-failed', status: 503 } },
      },
    ],
    [
      '400 unsupported_token_type for the access token',
      (r) => (r.form.get('token_type_hint') === 'access_token' ? oauthError(400, 'unsupported_token_type') : ok()),
      { refresh_token: { status: 'revoked' }, access_token: { status: 'unsupported', error: { code: 'revocation-unsupported' } } },
    ],
    [
      '400 invalid_token for the access token (its grant died with the refresh token)',
      (r) => (r.form.get('token_type_hint') === 'access_token' ? oauthError(400, 'invalid_token') : ok()),
      { refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } },
    ],
    [
      '401 invalid_client (not retryable: reported as failed, not queued)',
      () => oauthError(401, 'invalid_client'),
      {
        refresh_token: { status: 'failed', error: { code: 'revocation-failed', status: 401 } },
        access_token: { status: 'failed', error: { code: 'revocation-failed', status: 401 } },
      },
    ],
    [
      '500 (queued)',
      () => new Response('', { status: 500 }),
      {
        refresh_token: { status: 'queued', error: { code: 'revocation-failed', status: 500 } },
        access_token: { status: 'queued', error: { code: 'revocation-failed', status: 500 } },
      },
    ],
    [
      'network error (queued)',
      () => 'network-error',
      { refresh_token: { status: 'queued', error: { code: 'network' } }, access_token: { status: 'queued', error: { code: 'network' } } },
    ],
    [
      'no answer at all (queued)',
      () => 'hang',
      { refresh_token: { status: 'queued', error: { code: 'timeout' } }, access_token: { status: 'queued', error: { code: 'timeout' } } },
    ],
  ]
  const retried = new Set<string>()

  it.each(cases)('%s', async (_, handler, expected) => {
    const world = createWorld(handler)
    const session = await world.signedInTab({ revocation: { timeoutMs: 300 } })
    const other = world.tab()
    await other.start()
    expect(other.getSnapshot().status).toBe('signed-in')

    const started = Date.now()
    const result = await session.logout()
    // Settles within the bound plus a margin, even when the server never answers.
    expect(Date.now() - started).toBeLessThan(300 + 500)
    expect(outcomes(result)).toMatchObject(expected)
    expect(result.cleared).toBe(true)

    expect(hasSessionRecord(world.records)).toBe(false)
    // Only what is queued stays on the device, in the outbox, until revoked or expired.
    const queued = Object.values(result.revocation).filter((status) => status === 'queued').length
    expect(outboxKeys(world.records)).toHaveLength(queued)
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    expect(world.hub.log.at(-1)?.message).toMatchObject({ type: 'signed-out' })
    await vi.waitFor(() => expect(other.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
  })
})

describe('logout with the outbox turned off', () => {
  const cases: Array<[string, () => Answer, string]> = [
    ['500', () => new Response('', { status: 500 }), 'revocation-failed'],
    ['network error', () => 'network-error', 'network'],
  ]
  it.each(cases)('%s is reported as failed and nothing stays on the device', async (_, handler, code) => {
    const world = createWorld(handler)
    const session = await world.signedInTab({ revocation: { outbox: false } })
    const result = await session.logout()
    expect(outcomes(result)).toMatchObject({
      refresh_token: { status: 'failed', error: { code } },
      access_token: { status: 'failed', error: { code } },
    })
    expect(tokenRecordKeys(world.records)).toEqual([])
  })
})

describe('logout edge cases', () => {
  it('a second logout while one is in flight returns the same promise and sends nothing more', async () => {
    const gate = deferred<void>()
    const world = createWorld(() => gate.promise.then(ok))
    const session = await world.signedInTab()
    const first = session.logout()
    const second = session.logout()
    expect(second).toBe(first)
    gate.resolve()
    await first
    expect(world.server.requests).toHaveLength(2)
  })

  it('logging out when already signed out raises nothing and sends nothing', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    await session.logout()
    const again = await session.logout()
    expect(again.revocation).toEqual({ refresh_token: 'not-present', access_token: 'not-present' })
    expect(world.server.requests).toHaveLength(2)
  })

  it('metadata without revocation_endpoint: local logout completes, the result says nothing was revoked', async () => {
    const world = createWorld()
    const { createFakeProtocol } = await import('./helpers/protocol.js')
    const protocol = createFakeProtocol({ metadata: {} })
    const session = await world.signedInTab({ protocol: protocol.factory })
    const result = await session.logout()
    expect(world.server.requests).toHaveLength(0)
    expect(outcomes(result)).toMatchObject({
      refresh_token: { status: 'failed', error: { code: 'revocation-unavailable' } },
      access_token: { status: 'failed', error: { code: 'revocation-unavailable' } },
    })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
    expect(tokenRecordKeys(world.records)).toEqual([])
  })

  it('a plain-http revocation endpoint on a remote host is refused per token, never sent, and logout still clears', async () => {
    const world = createWorld()
    const { createFakeProtocol } = await import('./helpers/protocol.js')
    const protocol = createFakeProtocol({ metadata: { revocationEndpoint: 'http://id.example.test/revoke' } })
    const session = await world.signedInTab({ protocol: protocol.factory })
    const result = await session.logout()
    expect(world.server.requests).toHaveLength(0)
    expect(result.revocation).toEqual({ refresh_token: 'failed', access_token: 'failed' })
    expect(result.errors.refresh_token?.code).toBe('invalid-options')
    expect(result.cleared).toBe(true)
    expect(tokenRecordKeys(world.records)).toEqual([])
  })

  it('getAccessToken during a logout fails with signed-out', async () => {
    const gate = deferred<void>()
    const world = createWorld(() => gate.promise.then(ok))
    const session = await world.signedInTab()
    const pending = session.logout()
    await expect(session.getAccessToken()).rejects.toSatisfy((e) => isTokenwardenError(e, 'signed-out'))
    gate.resolve()
    await pending
  })

  it('discovery is done by start(), so logout makes no request but the two revocations', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    expect(world.protocol.metadataCalls).toBe(1)
    await session.logout()
    expect(world.protocol.metadataCalls).toBe(2) // the cached promise is asked again, nothing fetched
    expect(world.server.requests).toHaveLength(2)
  })

  it('logout({ redirect: true }) goes to the end-session endpoint after clearing', async () => {
    const navigations: string[] = []
    const world = createWorld()
    const session = await world.signedInTab({ navigate: (url) => navigations.push(url) })
    const result = await session.logout({ redirect: true })
    expect(result.endSessionUrl).toBe('https://id.example.test/session/end?client_id=spa')
    expect(navigations).toEqual([result.endSessionUrl])
  })
})

describe('logout in several tabs', () => {
  it('logout in two tabs at once: each token is sent at most once per tab, and neither raises', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const b = world.tab()
    await b.start()
    const { access, refresh } = await tokensOf(a)
    const [ra, rb] = await Promise.all([a.logout(), b.logout()])
    for (const result of [ra, rb]) expect(result.cleared).toBe(true)
    const sent = world.server.requests.map((r) => `${r.form.get('token_type_hint')}:${r.form.get('token')}`)
    const counts = new Map<string, number>()
    for (const entry of sent) counts.set(entry, (counts.get(entry) ?? 0) + 1)
    // Each token revoked at least once (by whichever tab took it), at most once per tab, and
    // nothing else sent: an empty request list cannot pass.
    expect([...counts.keys()].sort()).toEqual([`access_token:${access}`, `refresh_token:${refresh}`])
    for (const times of counts.values()) expect(times).toBeGreaterThanOrEqual(1)
    for (const times of counts.values()) expect(times).toBeLessThanOrEqual(2)
    expect(a.getSnapshot().status).toBe('signed-out')
    expect(b.getSnapshot().status).toBe('signed-out')
  })
})

describe('signed out on screen before the network', () => {
  it('this tab and another tab turn signed-out while both revocations are still unanswered; logout resolves with the result afterwards', async () => {
    const gate = deferred<void>()
    const world = createWorld(() => gate.promise.then(ok))
    const session = await world.signedInTab()
    const other = world.tab()
    await other.start()
    const seen: string[] = []
    session.subscribe(() => seen.push(session.getSnapshot().status))
    const pending = session.logout()
    // Synchronously: the click shows at once, before the lock, storage or the server.
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    await vi.waitFor(() => expect(other.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'signed-out' })
    await expect(other.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    gate.resolve()
    await expect(pending).resolves.toMatchObject({ revocation: { refresh_token: 'revoked', access_token: 'revoked' } })
    // One change, never back to signed-in in between.
    expect(seen).toEqual(['signed-out'])
  })

  it('with a hanging revocation endpoint the snapshot is signed-out at once, and logout settles at its bound', async () => {
    const world = createWorld(() => 'hang')
    const session = await world.signedInTab({ revocation: { timeoutMs: 200 } })
    const pending = session.logout()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
    const result = await pending
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued' })
  })

  it('a refresh that finishes during the logout never brings the ended sign-in back on screen', async () => {
    const world = createWorld()
    const { protocol: slow, entered, gate } = gatedRefresh(world)
    const session = await world.signedInTab({ protocol: slow })
    const refreshing = session.refresh().catch((error: unknown) => error)
    // The refresh holds the lock and waits for the token endpoint when logout is called.
    await entered.promise
    const statuses: string[] = []
    session.subscribe(() => statuses.push(session.getSnapshot().status))
    const pending = session.logout({})
    gate.resolve()
    await refreshing
    await pending
    expect(statuses.every((status) => status === 'signed-out')).toBe(true)
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'logout' })
  })
})

/**
 * Memory storage on `records` whose writes are applied when `decide` returns (as IndexedDB
 * issues them) but whose writing transactions are reported committed only when the test says
 * so (`control.only` picks which). `reportsIssued: false` makes it a storage that cannot say
 * when its writes are issued: it never calls `onIssued`.
 */
function slowCommitStorage(records: Map<string, unknown>, reportsIssued = true) {
  const inner = createMemoryStorage(records)
  const control = { hold: false, only: (_changes: StorageChanges) => true, release: deferred<void>(), held: 0 }
  const storage: KeyValueStorage = {
    ...inner,
    transact: (keys, decide, onIssued) => {
      let changes: StorageChanges | undefined
      const done = inner.transact(
        keys,
        (current) => {
          const outcome = decide(current)
          changes = outcome.changes
          return outcome
        },
        reportsIssued ? onIssued : undefined,
      )
      const writes = Boolean(changes?.set?.length || changes?.delete?.length)
      if (!control.hold || !writes || !control.only(changes!)) return done
      control.held += 1
      return control.release.promise.then(() => done)
    },
  }
  return { storage, control }
}

/** The logout's take: it ends the session record (an end marker), and queues the tokens. */
const isTake = (changes: StorageChanges) => (changes.set ?? []).some(([key, value]) => key === testSessionKey && isSessionEnded(value))

// With records sealed at rest (the default) and in plaintext: sealing wrapped around storage
// reports the take issued once it has sealed the entries and the inner storage has issued them.
describe.each([
  { atRest: 'sealed', encryptAtRest: true },
  { atRest: 'plaintext', encryptAtRest: false },
])('logout: the storage transaction and the requests off each other’s path ($atRest records)', ({ encryptAtRest }) => {
  it('the revocations leave as soon as the take has issued its writes, before that transaction commits', async () => {
    const world = createWorld()
    const { storage, control } = slowCommitStorage(world.records)
    const session = await world.signedInTab({ storage, encryptAtRest })
    const { access, refresh } = await tokensOf(session)
    control.hold = true
    control.only = isTake
    const pending = session.logout()
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    // The take has not reported its commit, yet its writes are in: the session record is
    // gone and both tokens wait in the outbox. A page dying now is signed out on restart.
    expect(control.held).toBe(1)
    expect(hasSessionRecord(world.records)).toBe(false)
    expect(outboxKeys(world.records)).toHaveLength(2)
    expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([access, refresh].sort())
    control.release.resolve()
    await expect(pending).resolves.toMatchObject({ revocation: { refresh_token: 'revoked', access_token: 'revoked' }, cleared: true })
    expect(tokenRecordKeys(world.records)).toEqual([])
  })

  it('on a storage that writes later than it decides, the revocations wait for the take to commit', async () => {
    const world = createWorld()
    const { storage, control } = slowCommitStorage(world.records, false)
    const session = await world.signedInTab({ storage, encryptAtRest })
    control.hold = true
    control.only = isTake
    const pending = session.logout()
    await vi.waitFor(() => expect(control.held).toBe(1))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(world.server.requests).toHaveLength(0)
    control.release.resolve()
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    await expect(pending).resolves.toMatchObject({ revocation: { refresh_token: 'revoked', access_token: 'revoked' }, cleared: true })
  })

  it('a page that dies after the requests left but before the take committed is signed out on its next start, which sends them again', async () => {
    let clock = Date.now()
    const server = switchable(() => 'hang')
    const world = createWorld(server.handler)
    const { storage, control } = slowCommitStorage(world.records)
    const dying = await world.signedInTab({ storage, encryptAtRest, now: () => clock })
    const access = await dying.getAccessToken()
    control.hold = true // the take's commit never reports: the page dies first
    control.only = isTake
    void dying.logout()
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    dying.dispose()

    server.set(() => ok())
    world.server.requests.length = 0
    clock += 60_000 // past the dead tab's lease on the entries
    const next = world.tab({ now: () => clock, encryptAtRest })
    await next.start()
    expect(next.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'initial' })
    await vi.waitFor(() => expect(outboxKeys(world.records)).toHaveLength(0))
    expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([access, access.replace('at-', 'rt-')].sort())
    expect(tokenRecordKeys(world.records)).toEqual([])
  })

  it('logout resolves once the outbox clean-up is issued; by then no read finds a token', async () => {
    const world = createWorld()
    const { storage, control } = slowCommitStorage(world.records)
    const session = await world.signedInTab({ storage, encryptAtRest })
    control.hold = true
    control.only = (changes) => !isTake(changes) // the clean-up: drops the entries
    const result = await session.logout()
    // The clean-up has not reported its commit, and logout has resolved: what any later
    // transaction reads is already without a token.
    expect(control.held).toBe(1)
    expect(result).toMatchObject({ revocation: { refresh_token: 'revoked', access_token: 'revoked' }, cleared: true })
    expect(tokenRecordKeys(world.records)).toEqual([])
    control.release.resolve()
  })

  it('does not wait for a refresh that holds the lock in another tab: every tab hears at once, and the refresh writes nothing back', async () => {
    const world = createWorld()
    const { protocol: slow, entered, gate } = gatedRefresh(world)
    // One lock queue for both tabs, as Web Locks are for the tabs of an origin.
    const lock = createLockQueue()
    const a = await world.signedInTab({ lock })
    const b = world.tab({ lock, protocol: slow })
    await b.start()
    const refreshing = b.refresh().catch((error: unknown) => error)
    await entered.promise // b holds the lock, waiting for the token endpoint
    const pending = a.logout()
    await vi.waitFor(() => expect(world.server.requests).toHaveLength(2))
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
    await expect(pending).resolves.toMatchObject({ revocation: { refresh_token: 'revoked', access_token: 'revoked' } })
    gate.resolve()
    await expect(refreshing).resolves.toMatchObject({ code: 'signed-out' })
    // The tokens the refresh got were queued, not stored, and are revoked.
    expect(hasSessionRecord(world.records)).toBe(false)
    await vi.waitFor(() => expect(tokenRecordKeys(world.records)).toEqual([]))
    expect(world.server.requests).toHaveLength(4)
  })
})
