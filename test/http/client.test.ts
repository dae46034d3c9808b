import { HTTPError } from 'ky'
import { describe, expect, it } from 'vitest'
import { isTokenwardenError, type SessionEvent } from '../../src/index.js'
import { createHttpClient } from '../../src/http/index.js'
import { ok, type SeenRequest } from '../helpers/fake-server.js'
import { createWorld } from '../helpers/session.js'

const api = 'https://api.example.test/me'

/** An API that accepts only tokens in `valid`, and a revocation endpoint. */
function apiWorld(accepts: (token: string, request: SeenRequest) => boolean) {
  const world = createWorld((request) => {
    if (!request.url.startsWith(api)) return ok()
    const token = request.headers.get('authorization')?.replace('Bearer ', '') ?? ''
    return accepts(token, request)
      ? Response.json({ sub: 'user-1', token })
      : new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
  })
  const apiRequests = () => world.server.requests.filter((r) => r.url.startsWith(api))
  return { world, apiRequests }
}

describe('session.http', () => {
  it('sends the access token as a bearer token', async () => {
    const { world, apiRequests } = apiWorld(() => true)
    const session = await world.signedInTab({ destinations: [api] })
    const token = await session.getAccessToken()
    await expect(session.http.get(api).json()).resolves.toEqual({ sub: 'user-1', token })
    expect(apiRequests().map((r) => r.headers.get('authorization'))).toEqual([`Bearer ${token}`])
  })

  it('on a 401: one refresh, the request once more with the new token, success', async () => {
    let first: string | undefined
    const { world, apiRequests } = apiWorld((token) => {
      first ??= token
      return first !== token
    })
    const session = await world.signedInTab({ destinations: [api] })
    const body = await session.http.post(api, { json: { hello: 'world' } }).json<{ token: string }>()
    expect(world.protocol.refreshes).toHaveLength(1)
    expect(body.token).toBe(await session.getAccessToken())
    expect(body.token).not.toBe(first)
    const sent = apiRequests()
    expect(sent).toHaveLength(2)
    expect(sent[1]!.body).toBe('{"hello":"world"}')
  })

  it('a second 401 is the answer: no loop, one refresh, two requests', async () => {
    const { world, apiRequests } = apiWorld(() => false)
    const session = await world.signedInTab({ destinations: [api] })
    const error = await session.http.get(api).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HTTPError)
    expect((error as HTTPError).response.status).toBe(401)
    expect(apiRequests()).toHaveLength(2)
    expect(world.protocol.refreshes).toHaveLength(1)
  })

  it('concurrent 401s share one refresh', async () => {
    let first: string | undefined
    const { world } = apiWorld((token) => {
      first ??= token
      return first !== token
    })
    const session = await world.signedInTab({ destinations: [api] })
    await Promise.all([session.http.get(api).json(), session.http.get(api).json(), session.http.get(api).json()])
    expect(world.protocol.refreshes).toHaveLength(1)
  })

  it('after logout it fails with a clear TokenwardenError and sends nothing', async () => {
    const { world, apiRequests } = apiWorld(() => true)
    const session = await world.signedInTab({ destinations: [api] })
    await session.logout()
    const error = await session.http.get(api).catch((e: unknown) => e)
    expect(isTokenwardenError(error, 'not-signed-in')).toBe(true)
    expect(apiRequests()).toHaveLength(0)
  })
})

describe('session.http sends the token only to declared destinations', () => {
  const everything = () =>
    createWorld((request) => Response.json({ authorization: request.headers.get('authorization'), dpop: request.headers.get('dpop') }))

  it('refuses an undeclared origin before any request, with destination-refused naming the option, and says so in an event (origin only)', async () => {
    const world = everything()
    const session = await world.signedInTab({ destinations: ['https://api.example.test'] })
    const events: SessionEvent[] = []
    session.on((event) => events.push(event))
    const before = world.server.requests.length
    const error = await session.http.get('https://evil.example.net/collect?who=me').catch((e: unknown) => e)
    expect(isTokenwardenError(error, 'destination-refused')).toBe(true)
    expect((error as Error).message).toContain('`destinations`')
    expect(world.server.requests.length).toBe(before)
    expect(events.filter((event) => event.type === 'destination-refused')).toMatchObject([
      { type: 'destination-refused', origin: 'https://evil.example.net' },
    ])
    expect(JSON.stringify(events)).not.toContain('who=me')
  })

  it.each([
    ['a host that only starts like the declared one', 'https://api.example.test.evil.test/v1/me'],
    ['another port', 'https://api.example.test:8443/v1/me'],
    ['plain http', 'http://api.example.test/v1/me'],
    ['a path that only shares a prefix with the declared one', 'https://api.example.test/v10/me'],
    ['a subdomain of the declared host', 'https://www.api.example.test/v1/me'],
  ])('refuses %s', async (_, url) => {
    const world = everything()
    const session = await world.signedInTab({ destinations: ['https://api.example.test/v1'] })
    await expect(session.http.get(url)).rejects.toMatchObject({ code: 'destination-refused' })
    expect(world.server.requests.filter((request) => request.headers.get('authorization'))).toEqual([])
  })

  it('sends to the declared path prefix on a segment boundary, and to the app’s own origin without declaring it', async () => {
    const world = everything()
    const session = await world.signedInTab({ destinations: ['https://api.example.test/v1/'] })
    const token = await session.getAccessToken()
    await expect(session.http.get('https://api.example.test/v1/me').json()).resolves.toMatchObject({ authorization: `Bearer ${token}` })
    await expect(session.http.get('https://api.example.test/v1').json()).resolves.toMatchObject({ authorization: `Bearer ${token}` })
    await expect(session.http.get(new URL('/api/me', location.href).href).json()).resolves.toMatchObject({
      authorization: `Bearer ${token}`,
    })
  })

  it('a 401 from an undeclared origin spends no refresh: the request never leaves', async () => {
    const world = createWorld(() => new Response('', { status: 401 }))
    const session = await world.signedInTab()
    await expect(session.http.get('https://evil.example.net/me')).rejects.toMatchObject({ code: 'destination-refused' })
    await expect(session.http.get('https://evil.example.net/me')).rejects.toMatchObject({ code: 'destination-refused' })
    expect(world.protocol.refreshes).toEqual([])
  })

  it.each([
    ['not a URL', 'api.example.test'],
    ['plain http on a host that is not loopback', 'http://api.example.test'],
    ['a query', 'https://api.example.test/?tenant=a'],
    ['credentials', 'https://user:pw@api.example.test'],
  ])('refuses a destination that is %s, at createSession', (_, value) => {
    expect(() => createWorld().tab({ destinations: [value] })).toThrow(expect.objectContaining({ code: 'invalid-options' }))
  })
})

describe('session.http with DPoP: nonces (RFC 9449 §8)', () => {
  it('a nonce is remembered for the origin that sent it: after a redirect, the one that answered', async () => {
    const remembered: Array<[string, string]> = []
    const http = createHttpClient({
      destinations: [{ origin: 'https://api.example.test', path: '' }],
      onRefused: () => {},
      getAccessToken: async () => 'at-nonce-test',
      refreshAfterRejection: async () => 'at-nonce-test',
      dpop: { proof: async () => 'proof', rememberNonce: (url, nonce) => remembered.push([new URL(url).origin, nonce]) },
      fetch: async (input) => {
        // What fetch returns after following a redirect: the answer carries the final URL.
        const response = new Response('{}', { headers: { 'dpop-nonce': 'n-from-moved', 'content-type': 'application/json' } })
        Object.assign(response, { url: 'https://moved.example.test/me' })
        expect(new Request(input).url).toBe(api)
        return response
      },
    })
    await http.get(api).json()
    expect(remembered).toEqual([['https://moved.example.test', 'n-from-moved']])
  })
})
