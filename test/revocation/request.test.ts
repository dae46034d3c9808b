import ky, { HTTPError } from 'ky'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isTokenwardenError, revokeToken, type RevocationOutcome, type RevokeTokenOptions } from '../../src/index.js'
import { parseRetryAfter } from '../../src/revocation/request.js'
import { createFakeServer, oauthError, ok, type ManualRedirectShape } from '../helpers/fake-server.js'
import { findSecrets } from '../helpers/secrets.js'

const endpoint = 'https://id.example.test/token/revocation'

function options(server: { fetch: typeof fetch }, extra: Partial<RevokeTokenOptions> = {}): RevokeTokenOptions {
  return { endpoint, fetch: server.fetch, ...extra }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/** The outcome with its error reduced to what a test compares. */
function summary(outcome: RevocationOutcome) {
  if (outcome.status === 'revoked') return { status: 'revoked' }
  const { code, status, error, error_description, error_uri } = outcome.error
  return {
    ...outcome,
    error: {
      code,
      ...(status === undefined ? {} : { status }),
      ...(error ? { error } : {}),
      ...(error_description ? { error_description } : {}),
      ...(error_uri ? { error_uri } : {}),
    },
  }
}

describe('revokeToken: the request (RFC 7009 §2.1)', () => {
  it('public client: form-encoded POST with token, hint and client_id in the body, nothing in the URL, redirects not followed', async () => {
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
    expect(request!.redirect).toBe('manual')
    expect(request!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(request!.headers.has('authorization')).toBe(false)
    expect([...request!.form]).toEqual([
      ['token', 'rt-secret value'],
      ['token_type_hint', 'refresh_token'],
      ['client_id', 'my-spa'],
    ])
    expect(request!.url).not.toContain('rt-secret')
  })

  it('client_secret_basic: id and secret form-urlencoded (RFC 6749 §2.3.1), then Basic; neither in the body', async () => {
    const server = createFakeServer()
    await revokeToken({ token: 'at-1', token_type_hint: 'access_token', client_id: 'my app', client_secret: 's3cr:t/é' }, options(server))
    const [request] = server.requests
    const encoded = request!.headers.get('authorization')!
    expect(encoded.startsWith('Basic ')).toBe(true)
    // RFC 6749 §2.3.1: "my app" -> "my+app", ":" and "/" and "é" percent-encoded. This is what
    // revocation sends; oidc-client-ts sends the same pair raw to /token (see the profile suite).
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
      revokeToken({ token: 'x', client_id: 'a' }, undefined as never),
    ]
    const codes = await Promise.all(
      attempts.map((p) =>
        p.then(
          () => 'resolved',
          (e: unknown) => isTokenwardenError(e) && e.code,
        ),
      ),
    )
    expect(codes).toEqual([
      'invalid-request',
      'invalid-request',
      'invalid-options',
      'invalid-options',
      'invalid-options',
      'invalid-options',
      'invalid-options',
    ])
    expect(server.requests).toHaveLength(0)
    // The endpoint goes through the same URL check as createSession's options, and says which option.
    await expect(revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'not a url' }))).rejects.toThrow(
      '`endpoint` is not an absolute URL: "not a url".',
    )
  })

  it.each<[string, Partial<RevokeTokenOptions>]>([
    ['timeoutMs -1', { timeoutMs: -1 }],
    ['timeoutMs 0', { timeoutMs: 0 }],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }],
    ['timeoutMs Infinity', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['timeoutMs above the timer maximum', { timeoutMs: 2_147_483_648 }],
    ['timeoutMs as a string', { timeoutMs: '5000' as never }],
    ['retryLimit -1', { retryLimit: -1 }],
    ['retryLimit 1.5', { retryLimit: 1.5 }],
    ['retryLimit NaN', { retryLimit: Number.NaN }],
    ['maxRetryAfterMs -1', { maxRetryAfterMs: -1 }],
    ['maxRetryAfterMs NaN', { maxRetryAfterMs: Number.NaN }],
  ])('%s is invalid-options, thrown before any request (not a RangeError, not a silent failed)', async (_, bad) => {
    const server = createFakeServer()
    const error = await revokeToken({ token: 'x', client_id: 'a' }, options(server, bad)).then(
      (outcome) => outcome,
      (e: unknown) => e,
    )
    expect(isTokenwardenError(error, 'invalid-options')).toBe(true)
    expect(server.requests).toHaveLength(0)
  })

  it('the largest timer, zero retries and a zero Retry-After cap are accepted', async () => {
    const server = createFakeServer()
    await expect(
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { timeoutMs: 2_147_483_647, retryLimit: 0, maxRetryAfterMs: 0 })),
    ).resolves.toEqual({ status: 'revoked' })
  })

  it('plain http is allowed on loopback hosts and with the opt-in', async () => {
    const server = createFakeServer()
    await expect(
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://127.0.0.1:4000/revoke' })),
    ).resolves.toEqual({ status: 'revoked' })
    await expect(
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://localhost:4000/revoke' })),
    ).resolves.toEqual({ status: 'revoked' })
    await expect(
      revokeToken({ token: 'x', client_id: 'a' }, options(server, { endpoint: 'http://dev.internal/revoke', allowInsecureHttp: true })),
    ).resolves.toEqual({ status: 'revoked' })
  })
})

describe('revokeToken: a 200 is read for an error (RFC 7009 §2.2, and what Auth0 and Keycloak answer)', () => {
  const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

  it.each([
    ['empty, text/plain (node-oidc-provider)', () => ok()],
    ['empty, no content type', () => new Response(null, { status: 200 })],
    ['text/plain "OK"', () => new Response('OK', { status: 200, headers: { 'content-type': 'text/plain' } })],
    ['JSON {}', () => json({})],
    ['JSON without error', () => json({ whatever: true })],
    ['JSON whose error is not a string', () => json({ error: 5 })],
    ['a JSON array', () => json([{ error: 'invalid_request' }])],
    ['HTML', () => new Response('<!doctype html><p>ok</p>', { status: 200, headers: { 'content-type': 'text/html' } })],
    ['truncated JSON', () => new Response('{"error":"invalid_req', { status: 200, headers: { 'content-type': 'application/json' } })],
  ])('200 %s is revoked', async (_, answer) => {
    const server = createFakeServer(answer)
    await expect(revokeToken(request, options(server))).resolves.toEqual({ status: 'revoked' })
  })

  it('200 {"error":"invalid_token"} (Keycloak, a dead token) is revoked', async () => {
    const server = createFakeServer(() => json({ error: 'invalid_token', error_description: 'Invalid token' }))
    await expect(revokeToken(request, options(server))).resolves.toEqual({ status: 'revoked' })
  })

  it('200 {"error":"unsupported_token_type"} is unsupported', async () => {
    const server = createFakeServer(() => json({ error: 'unsupported_token_type' }))
    const outcome = await revokeToken(request, options(server))
    expect(summary(outcome)).toEqual({
      status: 'unsupported',
      error: { code: 'revocation-unsupported', status: 200, error: 'unsupported_token_type' },
    })
  })

  it('200 {"error":"invalid_request",…} (Auth0, a token it did not revoke) is failed, not retryable, with the OAuth fields', async () => {
    const server = createFakeServer(() =>
      json({ error: 'invalid_request', error_description: 'Invalid token', error_uri: 'https://id.example.test/docs/revoke' }),
    )
    const outcome = await revokeToken(request, options(server))
    expect(summary(outcome)).toEqual({
      status: 'failed',
      retryable: false,
      error: {
        code: 'revocation-failed',
        status: 200,
        error: 'invalid_request',
        error_description: 'Invalid token',
        error_uri: 'https://id.example.test/docs/revoke',
      },
    })
    expect(server.requests).toHaveLength(1)
  })

  it('an error_description that echoes the token or secret keeps its text, not the secret', async () => {
    const server = createFakeServer(() =>
      json({ error: 'invalid_request', error_description: 'token rt-echo-me-1 not for client, secret pa55word-1' }),
    )
    const outcome = await revokeToken({ token: 'rt-echo-me-1', client_id: 'spa', client_secret: 'pa55word-1' }, options(server))
    expect(outcome.status).toBe('failed')
    expect(outcome.status !== 'revoked' && outcome.error.error_description).toBe('token [redacted] not for client, secret [redacted]')
  })
})

describe('revokeToken: a redirect is never followed and never success', () => {
  const request = { token: 'rt-redirected-1', token_type_hint: 'refresh_token', client_id: 'spa', client_secret: 'basic-secret-1' } as const
  const targets = {
    'same origin': 'https://id.example.test/login?return=/revoke',
    'cross origin': 'https://elsewhere.example.test/collect',
  }

  it('the fake fetch follows like a real one when told to: a 307 re-sends the token, a 302 turns into a GET of the page', async () => {
    // The control for the tests below: were our request to say 'follow', these would happen.
    for (const [status, method, resent] of [
      [307, 'POST', true],
      [302, 'GET', false],
    ] as const) {
      const server = createFakeServer((_, index) =>
        index === 0 ? new Response(null, { status, headers: { location: targets['cross origin'] } }) : ok(),
      )
      const response = await server.fetch(endpoint, { method: 'POST', body: new URLSearchParams({ token: 'rt-x1' }), redirect: 'follow' })
      expect(response.status).toBe(200)
      expect(response.redirected).toBe(true)
      expect(server.requests.map((r) => [r.method, r.url, r.form.get('token')])).toEqual([
        ['POST', endpoint, 'rt-x1'],
        [method, targets['cross origin'], resent ? 'rt-x1' : null],
      ])
    }
  })

  const cases = [301, 302, 303, 307, 308].flatMap((status) =>
    (['same origin', 'cross origin'] as const).flatMap((where) =>
      (['browser', 'node'] as ManualRedirectShape[]).map((shape) => [status, where, shape] as const),
    ),
  )
  it.each(cases)('%i to %s (%s shape of a manual redirect): failed, not retryable, the token sent once', async (status, where, shape) => {
    const server = createFakeServer(
      () => new Response('<p>Moved</p>', { status, headers: { location: targets[where], 'content-type': 'text/html' } }),
      {
        manualRedirect: shape,
      },
    )
    const outcome = await revokeToken(request, options(server))
    expect(summary(outcome)).toEqual({
      status: 'failed',
      retryable: false,
      error: { code: 'revocation-failed', status: shape === 'browser' ? 0 : status },
    })
    expect(outcome.status !== 'revoked' && outcome.error.message).toMatch(
      shape === 'browser' ? /opaque/ : new RegExp(`redirect \\(${status}\\)`),
    )
    expect(server.requests.map((r) => [r.method, r.url, r.redirect, r.followed])).toEqual([['POST', endpoint, 'manual', false]])
    expect(await findSecrets(outcome, { token: request.token, secret: request.client_secret })).toEqual([])
  })

  it('a fetch that follows anyway (a seam ignoring redirect: manual) is still failed, not revoked', async () => {
    const server = createFakeServer((_, index) =>
      index === 0
        ? new Response(null, { status: 302, headers: { location: targets['same origin'] } })
        : new Response('<form>login</form>', { status: 200, headers: { 'content-type': 'text/html' } }),
    )
    const following: typeof fetch = (input, init) => server.fetch(new Request(input as RequestInfo, { ...init, redirect: 'follow' }))
    const outcome = await revokeToken(request, options(server, { fetch: following }))
    expect(summary(outcome)).toEqual({ status: 'failed', retryable: false, error: { code: 'revocation-failed', status: 200 } })
    expect(outcome.status !== 'revoked' && outcome.error.message).toMatch(/redirect that the fetch followed/)
  })
})

describe('revokeToken: error answers (RFC 7009 §2.2.1)', () => {
  const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

  it('503 with Retry-After is retried after the wait, then revoked', async () => {
    const server = createFakeServer((_, index) => (index === 0 ? new Response('', { status: 503, headers: { 'retry-after': '1' } }) : ok()))
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toEqual({ status: 'revoked' })
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(900)
    expect(server.requests[1]!.body).toBe(server.requests[0]!.body)
  })

  it('a Retry-After longer than maxRetryAfterMs is never sent to early: failed, retryable, with the server figure', async () => {
    const server = createFakeServer((_, index) =>
      index === 0 ? new Response('', { status: 503, headers: { 'retry-after': '3600' } }) : ok(),
    )
    const outcome = await revokeToken(request, options(server, { maxRetryAfterMs: 50 }))
    expect(summary(outcome)).toEqual({
      status: 'failed',
      retryable: true,
      retryAfterMs: 3_600_000,
      error: { code: 'revocation-failed', status: 503 },
    })
    expect(server.requests).toHaveLength(1)
  })

  it('503 every time: retried retryLimit times, then failed and retryable', async () => {
    const server = createFakeServer(() => new Response('', { status: 503, headers: { 'retry-after': '0' } }))
    const outcome = await revokeToken(request, options(server, { retryLimit: 2 }))
    expect(summary(outcome)).toEqual({
      status: 'failed',
      retryable: true,
      retryAfterMs: 0,
      error: { code: 'revocation-failed', status: 503 },
    })
    expect(server.requests).toHaveLength(3)
  })

  it.each([
    ['seconds beyond the cap', '3600', 3_600_000, 1],
    ['a negative number', '-5', 0, 2],
    ['a huge number', '99999999999999999999', Number.MAX_SAFE_INTEGER, 1],
    ['an HTTP-date in the past', 'Wed, 21 Oct 2015 07:28:00 GMT', 0, 2],
  ])('Retry-After %s: retried only within the cap, and the outcome carries the server figure', async (_, header, expected, sent) => {
    const server = createFakeServer(() => new Response('', { status: 503, headers: { 'retry-after': header } }))
    const outcome = await revokeToken(request, options(server, { retryLimit: 1, maxRetryAfterMs: 20 }))
    expect(summary(outcome)).toEqual({
      status: 'failed',
      retryable: true,
      retryAfterMs: expected,
      error: { code: 'revocation-failed', status: 503 },
    })
    expect(server.requests).toHaveLength(sent)
  })

  it('Retry-After that is not a number or a date is ignored: failed, without retryAfterMs', async () => {
    const server = createFakeServer(() => new Response('', { status: 503, headers: { 'retry-after': 'soon-ish' } }))
    const outcome = await revokeToken(request, options(server, { retryLimit: 1, maxRetryAfterMs: 20 }))
    expect(outcome.status).toBe('failed')
    expect(outcome).not.toHaveProperty('retryAfterMs')
  })

  it('a Retry-After longer than the time left: the bound ends the wait, timeout, and the outcome still has the server figure', async () => {
    const server = createFakeServer(() => new Response('', { status: 503, headers: { 'retry-after': '30' } }))
    const outcome = await revokeToken(request, options(server, { timeoutMs: 200, maxRetryAfterMs: 60_000 }))
    expect(summary(outcome)).toEqual({ status: 'failed', retryable: true, retryAfterMs: 30_000, error: { code: 'timeout' } })
    expect(server.requests).toHaveLength(1)
  })

  it('429 with Retry-After: failed, retryable, not retried now, with retryAfterMs', async () => {
    const server = createFakeServer(() => oauthError(429, 'slow_down', { 'retry-after': '120' }))
    const outcome = await revokeToken(request, options(server))
    expect(summary(outcome)).toMatchObject({ status: 'failed', retryable: true, retryAfterMs: 120_000, error: { status: 429 } })
    expect(server.requests).toHaveLength(1)
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

  it('401 invalid_client fails and is not retryable', async () => {
    const server = createFakeServer(() => oauthError(401, 'invalid_client'))
    const outcome = await revokeToken(request, options(server))
    expect(outcome).toMatchObject({ status: 'failed', retryable: false, error: { status: 401, error: 'invalid_client' } })
    expect(server.requests).toHaveLength(1)
  })

  it('400 keeps error, error_description and error_uri', async () => {
    const server = createFakeServer(() =>
      json({ error: 'invalid_request', error_description: 'Missing client', error_uri: 'https://id.example.test/e' }, 400),
    )
    const outcome = await revokeToken(request, options(server))
    expect(summary(outcome)).toEqual({
      status: 'failed',
      retryable: false,
      error: {
        code: 'revocation-failed',
        status: 400,
        error: 'invalid_request',
        error_description: 'Missing client',
        error_uri: 'https://id.example.test/e',
      },
    })
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

  it('no answer: fails with code timeout once timeoutMs has passed', async () => {
    const server = createFakeServer(() => 'hang')
    const outcome = await revokeToken(request, options(server, { timeoutMs: 200 }))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'timeout' } })
  })
})

describe('revokeToken: bodies of many megabytes are not read to the end', () => {
  const request = { token: 'rt-1', client_id: 'spa' } as const
  const big = (contentType: string, status = 200) => {
    let sent = 0
    const chunk = new TextEncoder().encode(`{"error":"x",${' '.repeat(64 * 1024)}`)
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1
        // 8 MB in all, unless the reader stops early.
        if (sent > 128) controller.close()
        else controller.enqueue(chunk)
      },
    })
    return { response: new Response(body, { status, headers: { 'content-type': contentType } }), chunksRead: () => sent }
  }

  it('200 HTML of 8 MB is revoked (not JSON), after reading no more than the cap', async () => {
    const answer = big('text/html')
    const outcome = await revokeToken(request, options(createFakeServer(() => answer.response)))
    expect(outcome).toEqual({ status: 'revoked' })
    expect(answer.chunksRead()).toBeLessThan(4)
  })

  it('200 JSON of 8 MB is failed: it may hold an error that cannot be checked', async () => {
    const answer = big('application/json')
    const outcome = await revokeToken(request, options(createFakeServer(() => answer.response)))
    expect(summary(outcome)).toEqual({ status: 'failed', retryable: false, error: { code: 'revocation-failed', status: 200 } })
    expect(answer.chunksRead()).toBeLessThan(4)
  })

  it('400 with 8 MB is failed with its status, its body unread past the cap', async () => {
    const answer = big('application/json', 400)
    const outcome = await revokeToken(request, options(createFakeServer(() => answer.response)))
    expect(summary(outcome)).toEqual({ status: 'failed', retryable: false, error: { code: 'revocation-failed', status: 400 } })
    expect(answer.chunksRead()).toBeLessThan(4)
  })

  it('a 200 whose body never ends is settled by timeoutMs', async () => {
    const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) })
    const outcome = await revokeToken(
      request,
      options(
        createFakeServer(() => new Response(endless, { status: 200, headers: { 'content-type': 'application/json' } })),
        { timeoutMs: 200 },
      ),
    )
    expect(outcome.status).toBe('failed')
  })
})

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    ['120', 120_000],
    [' 7 ', 7000],
    ['0', 0],
    ['-3', 0],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['1e3', undefined],
    ['soon', undefined],
    ['', undefined],
  ])('%j -> %s', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected)
  })
  it('no header is undefined', () => expect(parseRetryAfter(null, now)).toBeUndefined())
})

describe('revokeToken: errors carry no token and no credentials (16.1)', () => {
  const secrets = { token: 'rt-leaky-0123456789', secret: 'client-secret-9876543210' }
  const request = {
    token: secrets.token,
    token_type_hint: 'refresh_token',
    client_id: 'conf-client',
    client_secret: secrets.secret,
  } as const

  it('findSecrets finds the token and the Basic credentials in what ky throws (the helper can fail)', async () => {
    const server = createFakeServer(() => oauthError(400, 'invalid_request'))
    const thrown = await ky
      .post(endpoint, {
        fetch: server.fetch,
        body: new URLSearchParams({ token: secrets.token }),
        headers: { authorization: `Basic ${btoa(`conf-client:${secrets.secret}`)}` },
        retry: 0,
      })
      .catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(HTTPError)
    const found = await findSecrets(thrown, secrets)
    expect(found.some((line) => line.endsWith(': token'))).toBe(true)
    expect(found.some((line) => line.endsWith(': secret'))).toBe(true)
  })

  it.each([
    ['400 JSON error', () => oauthError(400, 'invalid_request')],
    ['401 invalid_client', () => oauthError(401, 'invalid_client')],
    ['500', () => new Response('boom', { status: 500 })],
    ['503 with Retry-After', () => new Response('', { status: 503, headers: { 'retry-after': '0' } })],
    ['200 with a JSON error', () => json({ error: 'invalid_request' })],
    ['302', () => new Response(null, { status: 302, headers: { location: '/login' } })],
    ['a network error', () => 'network-error' as const],
  ])('%s: the error keeps status and OAuth fields, the cause has no request, options, body or headers', async (_, answer) => {
    const server = createFakeServer(answer)
    const outcome = await revokeToken(request, options(server, { retryLimit: 0 }))
    expect(outcome.status).not.toBe('revoked')
    expect(await findSecrets(outcome, secrets)).toEqual([])
    const cause = outcome.status !== 'revoked' ? (outcome.error.cause as Record<string, unknown> | undefined) : undefined
    for (const key of ['request', 'options', 'response', 'body', 'headers']) expect(cause ?? {}).not.toHaveProperty(key)
  })

  it('the cause of an HTTP error names it and keeps its status', async () => {
    const server = createFakeServer(() => oauthError(401, 'invalid_client'))
    const outcome = await revokeToken(request, options(server))
    expect(outcome.status !== 'revoked' && outcome.error.cause).toMatchObject({ name: 'HTTPError', status: 401 })
  })
})

describe('revokeToken: a cross-origin endpoint that cannot be read (16.10)', () => {
  const request = { token: 'rt-cors-1', client_id: 'spa' } as const
  // happy-dom's page; its URL is set as a browser's would be, and put back after each test.
  const pageAt = (url: string) => (globalThis as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url)
  const original = location.href
  afterEach(() => pageAt(original))

  it('a fetch TypeError for another origin says CORS may be why, and flags maybeCors', async () => {
    pageAt('https://app.example.test/home')
    const outcome = await revokeToken(request, options(createFakeServer(() => 'network-error')))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, maybeCors: true, error: { code: 'network' } })
    expect(outcome.status !== 'revoked' && outcome.error.message).toMatch(
      /could not be reached, or the answer was blocked by CORS: the server must send Access-Control-Allow-Origin for https:\/\/app\.example\.test/,
    )
    expect(await findSecrets(outcome, [request.token])).toEqual([])
  })

  it('outside a page (no location, as in Node or a worker without one) it is a plain network error', async () => {
    const outcome = await revokeToken(request, options(createFakeServer(() => 'network-error')))
    expect(location.origin).not.toBe('https://id.example.test')
    vi.stubGlobal('location', undefined)
    try {
      const outside = await revokeToken(request, options(createFakeServer(() => 'network-error')))
      expect(outside).not.toHaveProperty('maybeCors')
      expect(outcome).toHaveProperty('maybeCors', true)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('the same error on the page origin is a plain network error', async () => {
    pageAt('https://id.example.test/app')
    const outcome = await revokeToken(request, options(createFakeServer(() => 'network-error')))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'network' } })
    expect(outcome).not.toHaveProperty('maybeCors')
    expect(outcome.status !== 'revoked' && outcome.error.message).not.toMatch(/CORS/)
  })
})

describe("revokeToken: the caller's signal", () => {
  const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

  it('aborts the request; the outcome is failed (aborted), retryable', async () => {
    const server = createFakeServer(() => 'hang')
    const controller = new AbortController()
    const pending = revokeToken(request, options(server, { signal: controller.signal, timeoutMs: 5000 }))
    setTimeout(() => controller.abort(), 20)
    await expect(pending).resolves.toMatchObject({
      status: 'failed',
      retryable: true,
      error: { code: 'revocation-failed', message: expect.stringMatching(/aborted/) },
    })
  })
})

describe('revokeToken in an engine whose aborted fetch rejects with a plain AbortError (WebKit)', () => {
  const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

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

  it('no answer (WebKit-shaped fetch or not): fails with code timeout once timeoutMs has passed', async () => {
    const server = createFakeServer(() => 'hang')
    const started = Date.now()
    const outcome = await revokeToken(request, options(server, { timeoutMs: 200 }))
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'timeout' } })
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
