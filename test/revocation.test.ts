import { describe, expect, it } from 'vitest'
import { isTokenwardenError, revokeToken, type RevokeTokenOptions } from '../src/index.js'
import { createFakeServer, oauthError, ok } from './helpers/fake-server.js'

const endpoint = 'https://id.example.test/token/revocation'

function options(server: { fetch: typeof fetch }, extra: Partial<RevokeTokenOptions> = {}): RevokeTokenOptions {
  return { endpoint, fetch: server.fetch, ...extra }
}

describe('revokeToken: the request (RFC 7009 §2.1)', () => {
  it('public client: form-encoded POST with token, hint and client_id in the body, nothing in the URL', async () => {
    const server = createFakeServer()
    const outcome = await revokeToken(
      { token: 'rt-secret value', token_type_hint: 'refresh_token', client_id: 'my-spa' },
      options(server, { clientAuthentication: 'none' }),
    )
    expect(outcome).toEqual({ status: 'revoked' })
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe(endpoint)
    expect(request!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(request!.headers.has('authorization')).toBe(false)
    expect([...request!.form]).toEqual([
      ['token', 'rt-secret value'],
      ['token_type_hint', 'refresh_token'],
      ['client_id', 'my-spa'],
    ])
    expect(request!.url).not.toContain('rt-secret')
  })

  it('client_secret_basic: id and secret form-urlencoded, then Basic; neither in the body', async () => {
    const server = createFakeServer()
    await revokeToken(
      { token: 'at-1', token_type_hint: 'access_token', client_id: 'my app', client_secret: 's3cr:t/é' },
      options(server),
    )
    const [request] = server.requests
    const encoded = request!.headers.get('authorization')!
    expect(encoded.startsWith('Basic ')).toBe(true)
    // RFC 6749 §2.3.1: "my app" -> "my+app", ":" and "/" and "é" percent-encoded.
    expect(atob(encoded.slice(6))).toBe('my+app:s3cr%3At%2F%C3%A9')
    expect([...request!.form]).toEqual([
      ['token', 'at-1'],
      ['token_type_hint', 'access_token'],
    ])
  })

  it('client_secret_post: id and secret in the body, no Authorization header', async () => {
    const server = createFakeServer()
    await revokeToken(
      { token: 'at-1', client_id: 'my-app', client_secret: 'shh' },
      options(server, { clientAuthentication: 'client_secret_post' }),
    )
    const [request] = server.requests
    expect(request!.headers.has('authorization')).toBe(false)
    expect(Object.fromEntries(request!.form)).toEqual({ token: 'at-1', client_id: 'my-app', client_secret: 'shh' })
  })

  it('bad input is a typed error, not a request', async () => {
    const server = createFakeServer()
    const attempts: Array<Promise<unknown>> = [
      revokeToken({ token: '' }, options(server)),
      revokeToken({ token: 'x', token_type_hint: 'id_token' as never }, options(server)),
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'not a url' })),
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://id.example.test/revoke' })),
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { clientAuthentication: 'client_secret_basic' })),
      revokeToken({ token: 'x', client_id: 'a', client_secret: 's' }, options(server, { clientAuthentication: 'none' })),
    ]
    const codes = await Promise.all(attempts.map((p) => p.then(() => 'resolved', (e: unknown) => isTokenwardenError(e) && e.code)))
    expect(codes).toEqual(['invalid-request', 'invalid-request', 'invalid-options', 'invalid-options', 'invalid-options', 'invalid-options'])
    expect(server.requests).toHaveLength(0)
  })

  it('plain http is allowed on loopback hosts and with the opt-in', async () => {
    const server = createFakeServer()
    await expect(revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://127.0.0.1:4000/revoke' }))).resolves.toEqual({ status: 'revoked' })
    await expect(revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://localhost:4000/revoke' }))).resolves.toEqual({ status: 'revoked' })
    await expect(
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://dev.internal/revoke', allowInsecureHttp: true })),
    ).resolves.toEqual({ status: 'revoked' })
  })
})

describe('revokeToken: the answers (RFC 7009 §2.2)', () => {
  const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

  it.each([
    ['200, empty, text/plain', () => ok()],
    ['200 with a JSON body', () => new Response('{"whatever":true}', { status: 200, headers: { 'content-type': 'application/json' } })],
    ['200 with an HTML body', () => new Response('<p>ok</p>', { status: 200, headers: { 'content-type': 'text/html' } })],
  ])('%s is revoked', async (_, answer) => {
    const server = createFakeServer(answer)
    await expect(revokeToken(request, options(server))).resolves.toEqual({ status: 'revoked' })
  })

  it('503 with Retry-After is retried after the wait, then revoked', async () => {
    const server = createFakeServer((_, index) =>
      index === 0 ? new Response('', { status: 503, headers: { 'retry-after': '1' } }) : ok(),
    )
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toEqual({ status: 'revoked' })
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900)
    expect(server.requests[1]!.body).toBe(server.requests[0]!.body)
  })

  it('a Retry-After longer than maxRetryAfterMs is cut to it', async () => {
    const server = createFakeServer((_, index) =>
      index === 0 ? new Response('', { status: 503, headers: { 'retry-after': '3600' } }) : ok(),
    )
    const outcome = await revokeToken(request, options(server, { maxRetryAfterMs: 50 }))
    expect(outcome).toEqual({ status: 'revoked' })
    expect(server.requests).toHaveLength(2)
  })

  it('503 every time: retried retryLimit times, then failed and retryable', async () => {
    const server = createFakeServer(() => new Response('', { status: 503, headers: { 'retry-after': '0' } }))
    const outcome = await revokeToken(request, options(server, { retryLimit: 2 }))
    expect(outcome.status).toBe('failed')
    expect(outcome).toMatchObject({ retryable: true, error: { code: 'revocation-failed', status: 503 } })
    expect(server.requests).toHaveLength(3)
  })

  it('400 unsupported_token_type is reported as unsupported and not retried', async () => {
    const server = createFakeServer(() => oauthError(400, 'unsupported_token_type'))
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toMatchObject({
      status: 'unsupported',
      error: { code: 'revocation-unsupported', status: 400, error: 'unsupported_token_type' },
    })
    expect(server.requests).toHaveLength(1)
  })

  it('400 invalid_token counts as revoked: the token is already dead', async () => {
    const server = createFakeServer(() => oauthError(400, 'invalid_token'))
    await expect(revokeToken(request, options(server))).resolves.toEqual({ status: 'revoked' })
  })

  it('400 invalid_client fails and is not retryable', async () => {
    const server = createFakeServer(() => oauthError(401, 'invalid_client'))
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toMatchObject({ status: 'failed', retryable: false, error: { status: 401, error: 'invalid_client' } })
    expect(server.requests).toHaveLength(1)
  })

  it('500 fails, retryable, without a retry now', async () => {
    const server = createFakeServer(() => new Response('boom', { status: 500 }))
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'revocation-failed', status: 500 } })
    expect(server.requests).toHaveLength(1)
  })

  it('a network error fails at once with code network (offline: no point retrying now)', async () => {
    const server = createFakeServer(() => 'network-error')
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'network' } })
    expect(server.requests).toHaveLength(1)
  })

  it("the caller's signal aborts it, also where AbortSignal.any is missing", async () => {
    const any = AbortSignal.any
    try {
      for (const withAny of [true, false]) {
        if (!withAny) Reflect.deleteProperty(AbortSignal, 'any')
        const server = createFakeServer(() => 'hang')
        const controller = new AbortController()
        const pending = revokeToken(request, options(server, { signal: controller.signal, timeoutMs: 5000 }))
        setTimeout(() => controller.abort(), 20)
        const started = Date.now()
        await expect(pending).resolves.toMatchObject({ status: 'failed', retryable: true })
        expect(Date.now() - started).toBeLessThan(1000)
      }
    } finally {
      AbortSignal.any = any
    }
  })

  /** A fetch that never answers and, once aborted, rejects like WebKitGTK's: AbortError("Fetch is aborted"), whatever the reason. */
  const webkitFetch: typeof fetch = (input, init) =>
    new Promise((_resolve, reject) => {
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
      signal?.addEventListener('abort', () => reject(new DOMException('Fetch is aborted', 'AbortError')), { once: true })
    })

  it("the caller's deadline runs out first, in an engine whose fetch rejects with a plain AbortError (WebKit): code timeout", async () => {
    const any = AbortSignal.any
    try {
      for (const withAny of [true, false]) {
        if (!withAny) Reflect.deleteProperty(AbortSignal, 'any')
        const outcome = await revokeToken(request, { endpoint, fetch: webkitFetch, signal: AbortSignal.timeout(50), timeoutMs: 5000 })
        expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'timeout' } })
      }
    } finally {
      AbortSignal.any = any
    }
  })

  it('a caller that aborts (not a timeout), in that engine: revocation-failed, not timeout', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    const outcome = await revokeToken(request, { endpoint, fetch: webkitFetch, signal: controller.signal, timeoutMs: 5000 })
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'revocation-failed' } })
  })

  it('no answer: fails with code timeout once timeoutMs has passed', async () => {
    const server = createFakeServer(() => 'hang')
    const started = Date.now()
    const outcome = await revokeToken(request, options(server, { timeoutMs: 200 }))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'timeout' } })
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
