import { describe, expect, it, vi } from 'vitest'
import { createSession, isTokenwardenError, type Session } from '../src/index.js'
import { readSessionRecord } from '../src/storage/records.js'
import { createFakeServer, ok, type SeenRequest } from './helpers/fake-server.js'
import { createFakeProtocol, issueGrant, issuer, revocationEndpoint } from './helpers/protocol.js'
import { breakableStorage, outboxKeys, testRecord, testSessionKey } from './helpers/records.js'
import { createWorld, realSessionOptions } from './helpers/session.js'

const apiA = 'https://a.example.test'
const apiB = 'https://b.example.test'
const destinations = [
  { url: `${apiA}/`, resource: `${apiA}/`, scope: 'a:read' },
  { url: `${apiB}/v1/`, resource: 'urn:example:b' },
  'https://plain.example.test',
]

/** The stored session record of `world` (plaintext: tests run with `encryptAtRest: false` or on memory). */
function storedTokens(world: ReturnType<typeof createWorld>) {
  const key = [...world.records.keys()].find((name) => readSessionRecord(world.records.get(name)))!
  return readSessionRecord(world.records.get(key))!.tokens
}

/** A world whose APIs echo the token they were sent, and whose revocation endpoint answers `revocation`. */
function resourceWorld(revocation: (request: SeenRequest) => Response | 'network-error' = () => ok()) {
  return createWorld((request) =>
    request.url === revocationEndpoint ? revocation(request) : Response.json({ authorization: request.headers.get('authorization') }),
  )
}

async function signedIn(world: ReturnType<typeof createWorld>, protocol = createFakeProtocol(), clock?: () => number) {
  const options = { destinations, protocol: protocol.factory, autoRefresh: false, encryptAtRest: false, ...(clock ? { now: clock } : {}) }
  return { session: await world.signedInTab(options), options, protocol }
}

describe('a token per resource (RFC 8707)', () => {
  it("getAccessToken({ resource }) asks with the refresh token, naming the resource and its scope; the rotated refresh token is the session's", async () => {
    const world = resourceWorld()
    const { session, protocol } = await signedIn(world)
    const own = await session.getAccessToken()
    const before = storedTokens(world)
    const token = await session.getAccessToken({ resource: `${apiA}/` })
    expect(protocol.resourceRefreshes).toEqual([{ resource: `${apiA}/`, scope: 'a:read' }])
    expect(protocol.refreshes).toEqual([before.refreshToken])
    expect(token).not.toBe(own)
    const after = storedTokens(world)
    // The grant rotated the refresh token: the new one is stored, the session's own access token is kept.
    expect(after.refreshToken).not.toBe(before.refreshToken)
    expect(after.refreshToken).toBe(token.replace('at-', 'rt-'))
    expect(after.accessToken).toBe(own)
    expect(after.resources?.[`${apiA}/`]?.accessToken).toBe(token)
    // Held, not due: no second grant.
    expect(await session.getAccessToken({ resource: `${apiA}/` })).toBe(token)
    expect(protocol.resourceRefreshes).toHaveLength(1)
    // Without a scope, none is sent: the server decides.
    await session.getAccessToken({ resource: 'urn:example:b' })
    expect(protocol.resourceRefreshes[1]).toEqual({ resource: 'urn:example:b', scope: undefined })
  })

  it('an undeclared resource is refused with invalid-request naming the option, and no grant is made', async () => {
    const world = resourceWorld()
    const { session, protocol } = await signedIn(world)
    const error = await session.getAccessToken({ resource: 'https://elsewhere.example.test/' }).catch((caught: unknown) => caught)
    expect(isTokenwardenError(error) && error.code).toBe('invalid-request')
    expect((error as Error).message).toContain('`destinations`')
    expect(protocol.refreshes).toEqual([])
  })

  it('getAccessToken({ url }): the token of the destination the URL falls under, by the rule session.http applies', async () => {
    const world = resourceWorld()
    const events: string[] = []
    const { session, protocol } = await signedIn(world)
    session.on((event) => event.type === 'destination-refused' && events.push(event.origin))
    const own = await session.getAccessToken()
    const forA = await session.getAccessToken({ url: `${apiA}/orders?id=1` })
    expect(forA).toBe(await session.getAccessToken({ resource: `${apiA}/` }))
    expect(forA).not.toBe(own)
    expect(await session.getAccessToken({ url: new URL('https://plain.example.test/x') })).toBe(own)
    // Outside the path prefix of B's destination: no destination, no token.
    for (const url of [`${apiB}/v10/x`, 'https://a.example.test.evil.test/']) {
      const error = await session.getAccessToken({ url }).catch((caught: unknown) => caught)
      expect(isTokenwardenError(error) && error.code).toBe('destination-refused')
      expect((error as Error).message).toContain('`destinations`')
    }
    expect(events).toEqual([apiB, 'https://a.example.test.evil.test'])
    for (const options of [{ url: `${apiA}/`, resource: `${apiA}/` }, { url: 'http://' }, { rejected: '' }]) {
      const error = await session.getAccessToken(options).catch((caught: unknown) => caught)
      expect(isTokenwardenError(error) && error.code).toBe('invalid-request')
    }
    expect(protocol.resourceRefreshes).toHaveLength(1)
  })

  it('getAccessToken({ url, rejected }): one grant for the refused resource token, none when a newer one is held', async () => {
    const world = resourceWorld()
    const { session, protocol } = await signedIn(world)
    const url = `${apiA}/orders`
    const refused = await session.getAccessToken({ url })
    const newer = await session.getAccessToken({ url, rejected: refused })
    expect(newer).not.toBe(refused)
    expect(protocol.resourceRefreshes).toHaveLength(2)
    // The same refusal again (a second request that was in flight): the newer token, no grant.
    expect(await session.getAccessToken({ url, rejected: refused })).toBe(newer)
    expect(protocol.resourceRefreshes).toHaveLength(2)
    // The session's own token, refused: its refresh, not a resource grant.
    const own = await session.getAccessToken()
    expect(await session.getAccessToken({ url: 'https://plain.example.test/', rejected: own })).not.toBe(own)
    expect(protocol.resourceRefreshes).toHaveLength(2)
  })

  it("a resource's token is due when the session's would be: at half its life when it lives shorter than the leeway, else refreshLeewaySeconds before expiry", async () => {
    let clock = Date.now()
    // Resource tokens that live 40 s, under the default leeway of 60 s.
    const world = resourceWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(3600_000, clock), refreshGrant: () => issueGrant(40_000, clock) })
    const { session } = await signedIn(world, protocol, () => clock)
    const first = await session.getAccessToken({ resource: `${apiA}/` })
    clock += 19_000
    expect(await session.getAccessToken({ resource: `${apiA}/` })).toBe(first)
    clock += 1_000
    expect(await session.getAccessToken({ resource: `${apiA}/` })).not.toBe(first)
    expect(protocol.resourceRefreshes).toHaveLength(2)

    // Tokens that live 120 s with a leeway of 10 s: due at 110 s, not at 60 s.
    const other = resourceWorld()
    const long = createFakeProtocol({ callbackGrant: () => issueGrant(3600_000, clock), refreshGrant: () => issueGrant(120_000, clock) })
    const { options } = await signedIn(other, long, () => clock)
    const tab = await other.signedInTab({ ...options, refreshLeewaySeconds: 10 })
    const held = await tab.getAccessToken({ resource: `${apiA}/` })
    clock += 109_000
    expect(await tab.getAccessToken({ resource: `${apiA}/` })).toBe(held)
    clock += 1_000
    expect(await tab.getAccessToken({ resource: `${apiA}/` })).not.toBe(held)
  })

  it('a resource token due in four tabs at once: one grant across tabs (the lock), every tab gets the same token', async () => {
    let clock = Date.now()
    const world = resourceWorld()
    const protocol = createFakeProtocol({ callbackGrant: () => issueGrant(600_000, clock), refreshGrant: () => issueGrant(120_000, clock) })
    const { session: first, options } = await signedIn(world, protocol, () => clock)
    await first.getAccessToken({ resource: `${apiA}/` })
    const tabs = [first, world.tab(options), world.tab(options), world.tab(options)]
    await Promise.all(tabs.map((tab) => tab.start()))
    clock += 120_000 // the resource's token expired; the session's own is still fresh
    const tokens = await Promise.all(tabs.map((tab) => tab.getAccessToken({ resource: `${apiA}/` })))
    expect(protocol.resourceRefreshes).toHaveLength(2)
    expect(new Set(tokens).size).toBe(1)
    expect(protocol.refreshes[1]).not.toBe(protocol.refreshes[0]) // the second grant sent the rotated refresh token
  })

  it('session.http sends each resource its own token, the default token elsewhere; a 401 from a resource asks for its token again, once', async () => {
    let refusals = 1
    const world = createWorld((request) => {
      if (request.url.startsWith(apiA) && refusals-- > 0) return new Response('', { status: 401 })
      return Response.json({ authorization: request.headers.get('authorization') })
    })
    const { session, protocol } = await signedIn(world)
    const own = await session.getAccessToken()
    const plain = await session.http.get('https://plain.example.test/me').json<{ authorization: string }>()
    expect(plain.authorization).toBe(`Bearer ${own}`)
    const b = await session.http.get(`${apiB}/v1/me`).json<{ authorization: string }>()
    expect(b.authorization).toBe(`Bearer ${await session.getAccessToken({ resource: 'urn:example:b' })}`)
    const a = await session.http.get(`${apiA}/me`).json<{ authorization: string }>()
    const tokenA = await session.getAccessToken({ resource: `${apiA}/` })
    expect(a.authorization).toBe(`Bearer ${tokenA}`)
    // The 401 spent one grant for that resource, none of the session's own refresh.
    expect(protocol.resourceRefreshes.map(({ resource }) => resource)).toEqual(['urn:example:b', `${apiA}/`, `${apiA}/`])
    const sentToA = world.server.requests.filter((request) => request.url.startsWith(apiA)).map((r) => r.headers.get('authorization'))
    expect(sentToA).toHaveLength(2)
    expect(sentToA).not.toContain(`Bearer ${own}`)
    // Outside /v1/ on b's origin is not a destination at all.
    await expect(session.http.get(`${apiB}/other`)).rejects.toMatchObject({ code: 'destination-refused' })
  })

  it("a refresh of the session's own token keeps the resources' tokens", async () => {
    const world = resourceWorld()
    const { session } = await signedIn(world)
    const tokenA = await session.getAccessToken({ resource: `${apiA}/` })
    await session.refresh()
    expect(storedTokens(world).resources?.[`${apiA}/`]?.accessToken).toBe(tokenA)
    expect(await session.getAccessToken({ resource: `${apiA}/` })).toBe(tokenA)
  })

  it('logout revokes the refresh token, the access token and each resource token concurrently, one entry each in LogoutResult', async () => {
    const world = resourceWorld()
    const { session } = await signedIn(world)
    const own = await session.getAccessToken()
    const tokenA = await session.getAccessToken({ resource: `${apiA}/` })
    const tokenB = await session.getAccessToken({ resource: 'urn:example:b' })
    const refresh = storedTokens(world).refreshToken
    world.server.requests.length = 0
    const result = await session.logout()
    expect(result.revocation).toEqual({
      refresh_token: 'revoked',
      access_token: 'revoked',
      resources: { [`${apiA}/`]: 'revoked', 'urn:example:b': 'revoked' },
    })
    const revoked = world.server.requests.filter((request) => request.url === revocationEndpoint)
    expect(revoked.map((request) => [request.form.get('token'), request.form.get('token_type_hint')])).toEqual([
      [refresh, 'refresh_token'],
      [own, 'access_token'],
      [tokenA, 'access_token'],
      [tokenB, 'access_token'],
    ])
    expect(result.cleared).toBe(true)
    expect(outboxKeys(world.records)).toEqual([])
  })

  it('the four revocations leave together: none waits for another', async () => {
    const held: Array<() => void> = []
    const world = createWorld((request) =>
      request.url === revocationEndpoint ? new Promise<Response>((resolve) => held.push(() => resolve(ok()))) : ok(),
    )
    const { session } = await signedIn(world)
    await session.getAccessToken({ resource: `${apiA}/` })
    await session.getAccessToken({ resource: 'urn:example:b' })
    const logout = session.logout()
    await expect.poll(() => held.length).toBe(4)
    for (const release of held) release()
    expect((await logout).revocation.resources).toEqual({ [`${apiA}/`]: 'revoked', 'urn:example:b': 'revoked' })
  })

  it('offline at logout: every token, the resources’ too, is queued sealed in the transaction that removes the session; back online they are revoked', async () => {
    let online = false
    const world = resourceWorld(() => (online ? ok() : 'network-error'))
    const session = await world.signedInTab({ destinations, protocol: createFakeProtocol().factory, autoRefresh: false })
    const tokenA = await session.getAccessToken({ resource: `${apiA}/` })
    // Sealed at rest like the others: no stored byte spells the resource's token.
    expect(JSON.stringify([...world.records.values()], (_, value) => (ArrayBuffer.isView(value) ? '' : value))).not.toContain(tokenA)
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued', resources: { [`${apiA}/`]: 'queued' } })
    expect(result.errors.resources?.[`${apiA}/`]?.code).toBe('network')
    expect(outboxKeys(world.records)).toHaveLength(3)
    expect(world.records.get(testSessionKey)).toMatchObject({ kind: 'tokenwarden/session-ended' })
    online = true
    world.server.requests.length = 0
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(outboxKeys(world.records)).toEqual([]))
    const sent = world.server.requests.filter((request) => request.url === revocationEndpoint).map((request) => request.form.get('token'))
    expect(sent).toContain(tokenA)
    expect(sent).toHaveLength(3)
  })

  it('a logout whose transaction storage refuses, offline: the resources’ tokens too are kept in memory, reported queued, and sent back online', async () => {
    let online = false
    const world = resourceWorld(() => (online ? ok() : 'network-error'))
    const { storage, control } = breakableStorage(world.records)
    const session = await world.signedInTab({ destinations, protocol: createFakeProtocol().factory, autoRefresh: false, storage })
    const tokenA = await session.getAccessToken({ resource: `${apiA}/` })
    control.failWrites = true
    const result = await session.logout()
    expect(result).toMatchObject({
      cleared: false,
      revocation: { refresh_token: 'queued', access_token: 'queued', resources: { [`${apiA}/`]: 'queued' } },
    })
    online = true
    world.server.requests.length = 0
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() =>
      expect(world.server.requests.filter((r) => r.url === revocationEndpoint).map((r) => r.form.get('token'))).toContain(tokenA),
    )
    session.dispose()
  })

  it('a resource grant refused with invalid_grant ends the session, and what it held is revoked; invalid_target leaves it signed in', async () => {
    let answer: 'invalid_target' | 'invalid_grant' = 'invalid_target'
    const world = resourceWorld()
    const protocol = createFakeProtocol()
    const refusing = (context: Parameters<typeof protocol.factory>[0]) => {
      const inner = protocol.factory(context)
      return {
        ...inner,
        refresh: async (current: Parameters<typeof inner.refresh>[0]) => {
          if (!current.resource) return inner.refresh(current)
          const { TokenwardenError } = await import('../src/errors.js')
          throw new TokenwardenError('refresh-failed', `400 ${answer}`, { status: 400, error: answer })
        },
      }
    }
    const session: Session = await world.signedInTab({ destinations, protocol: refusing, autoRefresh: false, encryptAtRest: false })
    const own = await session.getAccessToken()
    await expect(session.getAccessToken({ resource: `${apiA}/` })).rejects.toMatchObject({ error: 'invalid_target' })
    expect(session.getSnapshot().status).toBe('signed-in')
    answer = 'invalid_grant'
    await expect(session.getAccessToken({ resource: `${apiA}/` })).rejects.toMatchObject({ error: 'invalid_grant' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'refresh-failed' })
    await expect.poll(() => world.server.requests.filter((request) => request.url === revocationEndpoint).length).toBe(1)
    expect(world.server.requests.find((request) => request.url === revocationEndpoint)?.form.get('token')).toBe(own)
  })

  it('a grant that lands after another tab logged out is never written back: what it brought is revoked', async () => {
    const world = resourceWorld()
    const protocol = createFakeProtocol()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let entered!: () => void
    const inside = new Promise<void>((resolve) => (entered = resolve))
    const gated = (context: Parameters<typeof protocol.factory>[0]) => {
      const inner = protocol.factory(context)
      return {
        ...inner,
        refresh: async (current: Parameters<typeof inner.refresh>[0]) => {
          entered()
          await gate
          return inner.refresh(current)
        },
      }
    }
    const options = { destinations, protocol: gated, autoRefresh: false, encryptAtRest: false }
    const session = await world.signedInTab(options)
    const other = world.tab(options)
    await other.start()
    const asking = session.getAccessToken({ resource: `${apiA}/` }).catch((error: unknown) => error)
    await inside
    await other.logout()
    release()
    expect(await asking).toMatchObject({ code: 'signed-out' })
    await expect.poll(() => world.server.requests.filter((request) => request.url === revocationEndpoint).length).toBe(4)
    const issued = protocol.refreshes.length
    expect(issued).toBe(1)
    expect(outboxKeys(world.records)).toEqual([])
    expect([...world.records.values()].some((value) => readSessionRecord(value))).toBe(false)
  })
})

describe('the destinations option, object form', () => {
  it.each([
    [{ url: 'https://a.example.test', resource: 'not a uri' }],
    [{ url: 'https://a.example.test', resource: 'https://a.example.test/#frag' }],
    [{ url: 'https://a.example.test', scope: 'a:read' }],
    [{ url: 'https://a.example.test', resource: 'https://a.example.test/', scope: 5 }],
    [{ url: 'http://a.example.test', resource: 'https://a.example.test/' }],
  ])('refuses %j with invalid-options', (value) => {
    expect(() => createWorld().tab({ destinations: [value as never] })).toThrow(expect.objectContaining({ code: 'invalid-options' }))
  })

  it('refuses one resource asked for with two scopes', () => {
    const twice = [
      { url: 'https://a.example.test/x/', resource: 'urn:a', scope: 'one' },
      { url: 'https://a.example.test/y/', resource: 'urn:a', scope: 'two' },
    ]
    expect(() => createWorld().tab({ destinations: twice })).toThrow(expect.objectContaining({ code: 'invalid-options' }))
  })
})

describe('on the real oidc-client-ts (protocol/oidc.ts)', () => {
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: revocationEndpoint,
  }

  it('the sign-in URL names every declared resource and adds their scopes; the refresh grant names one resource and only its scope', async () => {
    const world = createWorld()
    // No ID token: the fake one of testRecord is no JWT, and the grant's answer carries none.
    const { idToken: _, ...tokens } = testRecord().tokens
    const stored = testRecord({ tokens })
    world.records.set(testSessionKey, stored)
    const tokenEndpoint = createFakeServer((request) =>
      request.form.get('grant_type') === 'refresh_token'
        ? Response.json({ access_token: 'at-for-a', token_type: 'Bearer', expires_in: 600, refresh_token: 'rt-rotated', scope: 'a:read' })
        : ok(),
    )
    vi.stubGlobal('fetch', tokenEndpoint.fetch)
    try {
      let navigated = ''
      const session = createSession({
        ...realSessionOptions(world),
        oidc: { metadata },
        autoRefresh: false,
        encryptAtRest: false,
        destinations,
        navigate: (url) => {
          navigated = url
        },
      })
      await session.start()
      const token = await session.getAccessToken({ resource: `${apiA}/` })
      expect(token).toBe('at-for-a')
      const [grant] = tokenEndpoint.requests
      expect(grant?.form.get('grant_type')).toBe('refresh_token')
      expect(grant?.form.get('refresh_token')).toBe(stored.tokens.refreshToken)
      expect(grant?.form.getAll('resource')).toEqual([`${apiA}/`])
      expect(grant?.form.get('scope')).toBe('a:read')
      expect(storedTokens(world).refreshToken).toBe('rt-rotated')
      // A resource without a scope: none is sent, and the rotated refresh token is the one used.
      await session.getAccessToken({ resource: 'urn:example:b' })
      expect(tokenEndpoint.requests[1]?.form.get('scope')).toBeNull()
      expect(tokenEndpoint.requests[1]?.form.get('refresh_token')).toBe('rt-rotated')

      await session.logout()
      await session.login()
      const url = new URL(navigated)
      expect(url.searchParams.getAll('resource')).toEqual([`${apiA}/`, 'urn:example:b'])
      expect(url.searchParams.get('scope')?.split(' ')).toEqual(['openid', 'profile', 'offline_access', 'a:read'])
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
