import { HTTPError } from 'ky'
import { describe, expect, it } from 'vitest'
import { isTokenwardenError } from '../src/index.js'
import { ok, type SeenRequest } from './helpers/fake-server.js'
import { createWorld } from './helpers/session.js'

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
    const session = await world.signedInTab()
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
    const session = await world.signedInTab()
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
    const session = await world.signedInTab()
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
    const session = await world.signedInTab()
    await Promise.all([session.http.get(api).json(), session.http.get(api).json(), session.http.get(api).json()])
    expect(world.protocol.refreshes).toHaveLength(1)
  })

  it('after logout it fails with a clear TokenwardenError and sends nothing', async () => {
    const { world, apiRequests } = apiWorld(() => true)
    const session = await world.signedInTab()
    await session.logout()
    const error = await session.http.get(api).catch((e: unknown) => e)
    expect(isTokenwardenError(error, 'not-signed-in')).toBe(true)
    expect(apiRequests()).toHaveLength(0)
  })
})
