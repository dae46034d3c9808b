import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSession } from '../../src/index.js'
import { discover, discoveryOf, protocolMetadata } from '../../src/protocol/discovery.js'
import { createFakeServer, oauthError } from '../helpers/fake-server.js'
import { issuer, revocationEndpoint, serverMetadata } from '../helpers/protocol.js'

const document = serverMetadata

describe('discovery (what oidc-client-ts would fetch, without it)', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('GETs the well-known document under the authority, once per call, as JSON, and lays metadataSeed over it', async () => {
    // Each authority's document names it as the issuer.
    const server = createFakeServer((request) =>
      Response.json({ ...document, issuer: request.url.replace('/.well-known/openid-configuration', '') }),
    )
    vi.stubGlobal('fetch', server.fetch)
    const seed = { end_session_endpoint: `${issuer}/logout` }
    await expect(discover({ authority: `${issuer}/`, oidc: { metadataSeed: seed } })).resolves.toEqual({ ...document, ...seed })
    await discover({ authority: `${issuer}/realms/a`, oidc: { extraHeaders: { 'X-Tenant': () => 't1', Accept: 'text/html' } } })
    expect(server.requests.map((request) => [request.method, request.url])).toEqual([
      ['GET', `${issuer}/.well-known/openid-configuration`],
      ['GET', `${issuer}/realms/a/.well-known/openid-configuration`],
    ])
    // extraHeaders are sent, but may not replace Accept (oidc-client-ts protects it too).
    expect(server.requests[1]!.headers.get('x-tenant')).toBe('t1')
    expect(server.requests[1]!.headers.get('accept')).toBe('application/jwk-set+json, application/json')
  })

  it('uses oidc.metadata as given, with no request, and oidc.metadataUrl instead of the well-known path', async () => {
    const server = createFakeServer(() => Response.json(document))
    vi.stubGlobal('fetch', server.fetch)
    await expect(discover({ authority: issuer, oidc: { metadata: document } })).resolves.toBe(document)
    expect(server.requests).toEqual([])
    await discover({ authority: issuer, oidc: { metadataUrl: `${issuer}/meta.json` } })
    expect(server.requests.map((request) => request.url)).toEqual([`${issuer}/meta.json`])
  })

  it("goes through the session's fetch seam when one is set, never the global fetch", async () => {
    const global = createFakeServer(() => Response.json(document))
    vi.stubGlobal('fetch', global.fetch)
    const seam = createFakeServer(() => Response.json(document))
    const session = createSession({ authority: issuer, clientId: 'spa', redirectUri: 'https://app.example.test/cb', fetch: seam.fetch })
    await session.start()
    expect(seam.requests.map((request) => request.url)).toEqual([`${issuer}/.well-known/openid-configuration`])
    expect(global.requests).toEqual([])
    session.dispose()
  })

  it('reports an error answer, a non-JSON answer, no answer and a late answer with their own codes', async () => {
    const fail = (answer: () => Response | Promise<Response>) => {
      vi.stubGlobal('fetch', createFakeServer(answer).fetch)
      return discover({ authority: issuer, oidc: { requestTimeoutInSeconds: 0.05 } }).then(
        () => undefined,
        (error: unknown) => error,
      )
    }
    await expect(fail(() => oauthError(400, 'invalid_request'))).resolves.toMatchObject({
      code: 'discovery-failed',
      status: 400,
      error: 'invalid_request',
      error_description: 'invalid_request (test)',
    })
    await expect(fail(() => new Response('<html>', { status: 200, headers: { 'Content-Type': 'text/html' } }))).resolves.toMatchObject({
      code: 'discovery-failed',
      message: expect.stringContaining('text/html'),
    })
    await expect(fail(() => new Response('oops', { status: 502 }))).resolves.toMatchObject({ code: 'discovery-failed', status: 502 })
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')))
    await expect(discover({ authority: issuer, oidc: {} })).rejects.toMatchObject({ code: 'network' })
    vi.stubGlobal(
      'fetch',
      (_: unknown, init: RequestInit) =>
        new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
    )
    await expect(discover({ authority: issuer, oidc: { requestTimeoutInSeconds: 0.05 } })).rejects.toMatchObject({ code: 'timeout' })
  })

  it('refuses a document whose issuer is not the authority, before sign-in can use it (issuer-mismatch)', async () => {
    const server = createFakeServer(() => Response.json({ ...document, issuer: 'https://someone-else.example' }))
    vi.stubGlobal('fetch', server.fetch)
    await expect(discover({ authority: issuer, oidc: {} })).rejects.toMatchObject({ code: 'issuer-mismatch' })
    vi.stubGlobal('fetch', createFakeServer(() => Response.json({ ...document, issuer: undefined })).fetch)
    await expect(discover({ authority: issuer, oidc: {} })).rejects.toMatchObject({ code: 'issuer-mismatch' })
    // The same issuer with or without a trailing slash is the same issuer.
    vi.stubGlobal('fetch', createFakeServer(() => Response.json({ ...document, issuer: `${issuer}/` })).fetch)
    await expect(discover({ authority: issuer, oidc: {} })).resolves.toMatchObject({ issuer: `${issuer}/` })
    await expect(
      discover({ authority: issuer, oidc: { metadata: { ...document, issuer: 'https://someone-else.example' } } }),
    ).rejects.toMatchObject({
      code: 'issuer-mismatch',
    })
  })

  it('follows no redirect: a 302 to another origin is a discovery failure, and nothing is fetched from there', async () => {
    const server = createFakeServer((request) =>
      request.url.startsWith(issuer)
        ? new Response(null, { status: 302, headers: { location: 'https://evil.example/.well-known/openid-configuration' } })
        : Response.json(document),
    )
    vi.stubGlobal('fetch', server.fetch)
    await expect(discover({ authority: issuer, oidc: {} })).rejects.toMatchObject({
      code: 'discovery-failed',
      message: expect.stringContaining('redirect'),
    })
    expect(server.requests.map((request) => [request.url, request.redirect])).toEqual([
      [`${issuer}/.well-known/openid-configuration`, 'manual'],
    ])
  })

  it('refuses plain-http endpoints from every metadata input: the fetched document and metadataSeed at discovery; metadata, metadataSeed and metadataUrl at createSession', async () => {
    vi.stubGlobal(
      'fetch',
      createFakeServer(() => Response.json({ ...document, authorization_endpoint: 'http://evil.example/authorize' })).fetch,
    )
    await expect(discover({ authority: issuer, oidc: {} })).rejects.toMatchObject({
      code: 'discovery-failed',
      message: expect.stringContaining('authorization_endpoint'),
    })
    vi.stubGlobal('fetch', createFakeServer(() => Response.json(document)).fetch)
    await expect(
      discover({ authority: issuer, oidc: { metadataSeed: { token_endpoint: 'http://evil.example/token' } } }),
    ).rejects.toMatchObject({
      code: 'discovery-failed',
    })
    // Loopback is allowed, as for the authority.
    await expect(
      discover({ authority: issuer, oidc: { metadataSeed: { token_endpoint: 'http://127.0.0.1:9/token' } } }),
    ).resolves.toBeDefined()
    const base = { authority: issuer, clientId: 'spa', redirectUri: 'https://app.example.test/cb' }
    for (const oidc of [
      { metadataUrl: 'http://evil.example/meta.json' },
      // The URL parser (and so fetch) drops leading spaces: such a URL is checked all the same.
      { metadataUrl: ' http://evil.example/meta.json' },
      { metadataSeed: { authorization_endpoint: 'http://evil.example/authorize' } },
      { metadata: { ...document, token_endpoint: 'http://evil.example/token' } },
    ]) {
      expect(() => createSession({ ...base, oidc })).toThrow(expect.objectContaining({ code: 'invalid-options' }))
    }
  })

  it('keeps the endpoints tokenwarden uses, and only well-typed ones', () => {
    expect(protocolMetadata({ ...document, end_session_endpoint: 42, dpop_signing_alg_values_supported: ['ES256', 7] })).toEqual({
      revocationEndpoint,
      dpopSigningAlgValues: ['ES256'],
    })
  })
  it('hands the oidc-client-ts steps the issuer it trusts (trailing slashes aside) and the request bound it used itself', () => {
    const served = discoveryOf({ ...document, issuer: `${issuer}/` }, { authority: issuer, oidc: {} })
    expect([served.isIssuer(issuer), served.isIssuer(`${issuer}//`), served.isIssuer('https://evil.example.test')]).toEqual([
      true,
      true,
      false,
    ])
    expect(served.requestTimeoutInSeconds).toBe(10)
    // A document given in oidc.metadata without an issuer: the authority is the issuer.
    const given = discoveryOf({ token_endpoint: `${issuer}/token` }, { authority: `${issuer}/`, oidc: { requestTimeoutInSeconds: 3 } })
    expect([given.isIssuer(issuer), given.isIssuer(`${issuer}/other`)]).toEqual([true, false])
    expect(given.requestTimeoutInSeconds).toBe(3)
    expect(
      discoveryOf(document, { authority: issuer, oidc: { requestTimeoutInSeconds: undefined } }).requestTimeoutInSeconds,
    ).toBeUndefined()
  })
})
