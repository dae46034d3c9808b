// @vitest-environment node
// Revocations go out with fetch's `keepalive`, so a logout followed by navigation still reaches
// the server. Node's Request keeps the flag (happy-dom's drops it), so the fake server sees it here.
import { describe, expect, it } from 'vitest'
import { revokeToken } from '../../src/index.js'
import { createFakeServer } from '../helpers/fake-server.js'

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
