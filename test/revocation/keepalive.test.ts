// @vitest-environment node
// Revocations (revokeToken's, and a session logout's) go out with fetch's `keepalive`, so a
// logout followed by navigation still reaches the server. Node's Request keeps the flag
// (happy-dom's has none), so the fake server sees it here.
import { describe, expect, it } from 'vitest'
import { revokeToken } from '../../src/index.js'
import { createFakeServer } from '../helpers/fake-server.js'
import { createWorld } from '../helpers/session.js'

const endpoint = 'https://id.example.test/token/revocation'
const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

describe('revokeToken: keepalive (the request outlives the page)', () => {
  it('is on by default', async () => {
    const server = createFakeServer()
    await expect(revokeToken(request, { endpoint, fetch: server.fetch })).resolves.toEqual({ status: 'revoked' })
    expect(server.requests.map((r) => r.keepalive)).toEqual([true])
  })

  it('keepalive: false sends without it', async () => {
    const server = createFakeServer()
    await revokeToken(request, { endpoint, fetch: server.fetch, keepalive: false })
    expect(server.requests.map((r) => r.keepalive)).toEqual([false])
  })
})

describe("logout's revocations: keepalive (revocation.keepalive)", () => {
  it('both go out with it by default', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    await session.logout()
    expect(world.server.requests.map((r) => [r.form.get('token_type_hint'), r.keepalive]).sort()).toEqual([
      ['access_token', true],
      ['refresh_token', true],
    ])
  })

  it('revocation: { keepalive: false } sends them without it', async () => {
    const world = createWorld()
    const session = await world.signedInTab({ revocation: { keepalive: false } })
    await session.logout()
    expect(world.server.requests.map((r) => r.keepalive)).toEqual([false, false])
  })
})
