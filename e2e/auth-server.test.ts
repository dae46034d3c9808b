// The dev authorization server (dev/auth-server/), over real HTTP on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { signInHeadless, startAuthServer, type AuthServer, type LoggedRequest, type RevocationVerdict } from '../dev/auth-server/index.js'

const ORIGIN = 'http://127.0.0.1:5173'
const OTHER_ORIGIN = 'http://localhost:5173'

let server: AuthServer

beforeAll(async () => {
  server = await startAuthServer({ spaOrigins: [ORIGIN] })
})

afterAll(async () => {
  await server?.close()
})

beforeEach(() => {
  server.faults.reset()
  server.clearLog()
})

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields)
}

function revoke(
  token: string,
  hint?: 'access_token' | 'refresh_token',
  init: { origin?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const fields: Record<string, string> = { token, client_id: server.clientId }
  if (hint) fields.token_type_hint = hint
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (init.origin) headers.origin = init.origin
  return fetch(`${server.issuer}/token/revocation`, {
    method: 'POST',
    headers,
    body: form(fields),
    ...(init.signal ? { signal: init.signal } : {}),
  })
}

async function refresh(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    body: form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: server.clientId }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

function apiMe(accessToken: string): Promise<Response> {
  return fetch(`${server.issuer}/api/me`, { headers: { authorization: `Bearer ${accessToken}`, origin: ORIGIN } })
}

describe('discovery and sign-in', () => {
  it('advertises revocation, introspection and end_session endpoints', async () => {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`)
    expect(res.status).toBe(200)
    const discovery = (await res.json()) as Record<string, unknown>
    expect(discovery.issuer).toBe(server.issuer)
    expect(discovery.revocation_endpoint).toBe(`${server.issuer}/token/revocation`)
    expect(discovery.introspection_endpoint).toBe(`${server.issuer}/token/introspection`)
    expect(discovery.end_session_endpoint).toBe(`${server.issuer}/session/end`)
    expect(discovery.code_challenge_methods_supported).toContain('S256')
  })

  it('signs in headless with code + PKCE and issues access, refresh and id tokens', async () => {
    const tokens = await signInHeadless(server, { origin: ORIGIN })
    expect(tokens.access_token).toEqual(expect.any(String))
    expect(tokens.refresh_token).toEqual(expect.any(String))
    expect(tokens.id_token.split('.')).toHaveLength(3)
    expect(tokens.expires_in).toBeGreaterThan(3500)
    const idClaims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    expect(idClaims).toMatchObject({ sub: 'demo-user', name: 'Demo User', email: 'demo@example.test', aud: server.clientId })

    const at = await server.introspect(tokens.access_token)
    expect(at).toMatchObject({ active: true, sub: 'demo-user', client_id: server.clientId })
    expect(await server.introspect(tokens.refresh_token)).toMatchObject({ active: true })

    const [tokenRequest] = server.requests.filter((r) => r.endpoint === 'token')
    expect(tokenRequest?.body).toMatchObject({ grant_type: 'authorization_code', client_id: server.clientId })
    expect(tokenRequest?.body.code_verifier).toEqual(expect.any(String))
    expect(tokenRequest?.status).toBe(200)
  })

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(`${server.issuer}/auth`)
    url.search = form({
      client_id: server.clientId,
      redirect_uri: `${ORIGIN}/callback`,
      response_type: 'code',
      scope: 'openid',
    }).toString()
    const res = await fetch(url, { redirect: 'manual' })
    const location = new URL(res.headers.get('location') ?? '', url)
    expect(location.searchParams.get('error')).toBe('invalid_request')
  })

  it('rotates refresh tokens', async () => {
    const tokens = await signInHeadless(server)
    const first = await refresh(tokens.refresh_token)
    expect(first.status).toBe(200)
    expect(first.body.refresh_token).toEqual(expect.any(String))
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token)
    expect(first.body.access_token).not.toBe(tokens.access_token)
    expect((await server.introspect(tokens.refresh_token)).active).toBe(false)
    expect((await server.introspect(first.body.refresh_token as string)).active).toBe(true)
  })
})

describe('revocation (no faults)', () => {
  it('answers 200 with an empty text/plain body and kills the whole grant', async () => {
    const tokens = await signInHeadless(server)
    const res = await revoke(tokens.refresh_token, 'refresh_token', { origin: ORIGIN })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await res.text()).toBe('')
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN)

    expect((await server.introspect(tokens.refresh_token)).active).toBe(false)
    expect((await server.introspect(tokens.access_token)).active).toBe(false)

    const [logged] = server.revocations()
    expect(logged).toMatchObject({
      method: 'POST',
      path: '/token/revocation',
      status: 200,
      body: { token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: server.clientId },
      headers: { origin: ORIGIN },
    })
  })

  it('answers CORS preflights and refuses other origins on the real request', async () => {
    const preflight = await fetch(`${server.issuer}/token/revocation`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')

    const tokens = await signInHeadless(server)
    const res = await revoke(tokens.access_token, 'access_token', { origin: OTHER_ORIGIN })
    expect(res.status).toBe(400)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect((await server.introspect(tokens.access_token)).active).toBe(true)
  })

  it('requires client_id for the public client', async () => {
    const tokens = await signInHeadless(server)
    const res = await fetch(`${server.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token: tokens.access_token }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  })
})

describe('/api/me', () => {
  it('answers 200 with a valid token and 401 after revocation', async () => {
    const tokens = await signInHeadless(server)
    const ok = await apiMe(tokens.access_token)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    const me = (await ok.json()) as Record<string, unknown>
    expect(me).toMatchObject({ sub: 'demo-user', name: 'Demo User', clientId: server.clientId })
    expect(me.scope).toContain('openid')
    expect(me.tokenExpiresAt).toBeGreaterThan(Date.now() / 1000)

    expect((await revoke(tokens.access_token, 'access_token')).status).toBe(200)
    const dead = await apiMe(tokens.access_token)
    expect(dead.status).toBe(401)
    expect(dead.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/)
    expect(dead.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate')

    const none = await fetch(`${server.issuer}/api/me`)
    expect(none.status).toBe(401)
  })

  it('answers the CORS preflight with Authorization allowed', async () => {
    const res = await fetch(`${server.issuer}/api/me`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization')
  })
})

describe('revocation faults', () => {
  it("'503-once' answers 503 + Retry-After once per (token, hint), then revokes", async () => {
    const tokens = await signInHeadless(server)
    server.faults.set({ revocation: '503-once', retryAfterSeconds: 2 })

    const first = await revoke(tokens.access_token, 'access_token', { origin: ORIGIN })
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('2')
    expect(first.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(first.headers.get('access-control-expose-headers')).toContain('Retry-After')
    expect((await server.introspect(tokens.access_token)).active).toBe(true)

    const second = await revoke(tokens.access_token, 'access_token', { origin: ORIGIN })
    expect(second.status).toBe(200)
    expect((await server.introspect(tokens.access_token)).active).toBe(false)

    // another token (or the same token with another hint) gets its own first 503
    expect((await revoke(tokens.refresh_token, 'refresh_token')).status).toBe(503)
    expect((await revoke(tokens.refresh_token, 'refresh_token')).status).toBe(200)
    expect((await revoke(tokens.access_token)).status).toBe(503)

    expect(server.revocations().map((r: LoggedRequest) => r.status)).toEqual([503, 200, 503, 200, 503])
    expect(server.faults.get().revocation).toBe('503-once')
  })

  it("'503-always' and '500' never revoke", async () => {
    const tokens = await signInHeadless(server)
    server.faults.set({ revocation: '503-always' })
    for (let i = 0; i < 2; i += 1) {
      const res = await revoke(tokens.refresh_token, 'refresh_token')
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('1')
    }
    server.faults.set({ revocation: '500' })
    const res = await revoke(tokens.refresh_token, 'refresh_token')
    expect(res.status).toBe(500)
    expect((await server.introspect(tokens.refresh_token)).active).toBe(true)
  })

  it("'hang' never answers, and close() still returns", async () => {
    const own = await startAuthServer({ spaOrigins: [ORIGIN] })
    try {
      const tokens = await signInHeadless(own)
      own.faults.set({ revocation: 'hang' })
      const started = Date.now()
      const hung = fetch(`${own.issuer}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ token: tokens.access_token, client_id: own.clientId }),
        signal: AbortSignal.timeout(500),
      })
      await expect(hung).rejects.toThrow()
      expect(Date.now() - started).toBeGreaterThanOrEqual(450)
      expect(own.revocations()).toHaveLength(1)
      expect(own.revocations()[0]?.status).toBeUndefined()

      // A second hanging request stays open while we close.
      const pending = fetch(`${own.issuer}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ token: tokens.refresh_token, client_id: own.clientId }),
      }).then(
        () => 'answered',
        () => 'failed',
      )
      await new Promise((resolve) => setTimeout(resolve, 50))
      const closing = Date.now()
      await own.close()
      expect(Date.now() - closing).toBeLessThan(1000)
      expect(await pending).toBe('failed')
    } finally {
      await own.close()
    }
  })

  it("'unsupported-access-token' refuses access tokens, revokes refresh tokens", async () => {
    const tokens = await signInHeadless(server)
    server.faults.set({ revocation: 'unsupported-access-token' })

    for (const hint of ['access_token', 'refresh_token', undefined] as const) {
      const res = await revoke(tokens.access_token, hint, { origin: ORIGIN })
      expect(res.status).toBe(400)
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN)
      expect(await res.json()).toMatchObject({ error: 'unsupported_token_type' })
    }
    expect((await server.introspect(tokens.access_token)).active).toBe(true)

    const res = await revoke(tokens.refresh_token, 'refresh_token')
    expect(res.status).toBe(200)
    expect((await server.introspect(tokens.refresh_token)).active).toBe(false)
    // the provider still revokes the whole grant
    expect((await server.introspect(tokens.access_token)).active).toBe(false)
  })

  it("'revokeOnlyPresented' kills just the presented token", async () => {
    const tokens = await signInHeadless(server)
    server.faults.set({ revokeOnlyPresented: true })

    expect((await revoke(tokens.access_token, 'access_token')).status).toBe(200)
    expect((await server.introspect(tokens.access_token)).active).toBe(false)
    expect((await server.introspect(tokens.refresh_token)).active).toBe(true)
    expect((await apiMe(tokens.access_token)).status).toBe(401)

    // the refresh token still works, and revoking it leaves the new access token alive
    const refreshed = await refresh(tokens.refresh_token)
    expect(refreshed.status).toBe(200)
    const next = refreshed.body as { access_token: string; refresh_token: string }
    expect((await revoke(next.refresh_token, 'refresh_token')).status).toBe(200)
    expect((await server.introspect(next.refresh_token)).active).toBe(false)
    expect((await server.introspect(next.access_token)).active).toBe(true)
    expect((await apiMe(next.access_token)).status).toBe(200)

    // default again: revoking one token kills the grant
    server.faults.reset()
    expect((await revoke(next.access_token, 'access_token')).status).toBe(200)
    expect((await server.introspect(next.access_token)).active).toBe(false)
  })

  it('latencyMs delays every request, tokenLatencyMs only /token', async () => {
    server.faults.set({ tokenLatencyMs: 400 })
    let started = Date.now()
    await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).arrayBuffer()
    expect(Date.now() - started).toBeLessThan(350)
    started = Date.now()
    const slow = await refresh('not-a-token')
    expect(slow.status).toBe(400)
    expect(Date.now() - started).toBeGreaterThanOrEqual(390)

    server.faults.set({ tokenLatencyMs: 0, latencyMs: 150 })
    started = Date.now()
    await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).arrayBuffer()
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('rejects unknown faults', () => {
    expect(() => server.faults.set({ revocation: 'nope' as never })).toThrow(TypeError)
    expect(() => server.faults.set({ bogus: 1 } as never)).toThrow(TypeError)
    expect(server.faults.get()).toEqual({
      latencyMs: 0,
      tokenLatencyMs: 0,
      tokenResponseDelayMs: 0,
      revocation: 'ok',
      retryAfterSeconds: 1,
      revokeOnlyPresented: false,
      tokenDpopNonce: false,
      apiDpopNonce: false,
    })
  })
})

describe('/__control', () => {
  const control = (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${server.issuer}/__control${path}`, {
      method: init.method ?? 'GET',
      headers: { origin: ORIGIN, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    })

  it('sets, reads and resets faults', async () => {
    const set = await control('/faults', { method: 'POST', json: { revocation: '503-always', retryAfterSeconds: 3 } })
    expect(set.status).toBe(200)
    expect(set.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(await set.json()).toMatchObject({ revocation: '503-always', retryAfterSeconds: 3 })
    expect(server.faults.get().revocation).toBe('503-always')
    expect(await (await control('/faults')).json()).toMatchObject({ revocation: '503-always' })

    expect((await control('/faults', { method: 'POST', json: { revocation: 'bad' } })).status).toBe(400)

    const reset = await control('/reset', { method: 'POST' })
    expect(await reset.json()).toMatchObject({ revocation: 'ok', retryAfterSeconds: 1 })
    expect(server.faults.get().revocation).toBe('ok')

    const preflight = await fetch(`${server.issuer}/__control/faults`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type')
  })

  it('reports a refused revocation as still active in the verdict', async () => {
    const tokens = await signInHeadless(server)
    server.faults.set({ revocation: '500' })
    const since = Date.now()
    await revoke(tokens.access_token, 'access_token', { origin: ORIGIN })
    const verdict = (await (await control(`/verdict?since=${since}`)).json()) as RevocationVerdict[]
    expect(verdict).toMatchObject([{ hint: 'access_token', status: 500, active: true, clientId: server.clientId }])
  })

  it('lists requests with masked token values and introspects', async () => {
    const tokens = await signInHeadless(server)
    const since = Date.now()
    await revoke(tokens.refresh_token, 'refresh_token', { origin: ORIGIN })

    const list = (await (await control(`/requests?since=${since}`)).json()) as LoggedRequest[]
    const revocations = list.filter((r) => r.endpoint === 'revocation')
    expect(revocations).toHaveLength(1)
    expect(revocations[0]?.body).toEqual({
      token: `${tokens.refresh_token.slice(0, 6)}…${tokens.refresh_token.length}`,
      token_type_hint: 'refresh_token',
      client_id: server.clientId,
    })
    expect(list.every((r) => r.at >= since)).toBe(true)
    // the JS log keeps the real values
    expect(server.revocations()[0]?.body.token).toBe(tokens.refresh_token)

    const verdict = (await (await control(`/verdict?since=${since}`)).json()) as RevocationVerdict[]
    expect(verdict).toEqual([
      {
        at: expect.any(Number),
        hint: 'refresh_token',
        token: `${tokens.refresh_token.slice(0, 6)}…${tokens.refresh_token.length}`,
        clientId: server.clientId,
        status: 200,
        active: false,
      },
    ])

    const dead = await control('/introspect', { method: 'POST', json: { token: tokens.access_token } })
    expect(await dead.json()).toEqual({ active: false })
    const masked = (await (await control('/requests')).json()) as LoggedRequest[]
    const introspection = masked.find((r) => r.endpoint === 'introspection')
    expect(introspection?.headers.authorization).toMatch(/^Basic .{6}…\d+$/)
  })
})
