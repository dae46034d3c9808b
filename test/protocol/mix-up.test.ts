// Mix-up defence through the real oidc-client-ts steps: the callback's `iss` (RFC 9207) before
// the code is exchanged, the ID token's `iss`, `aud` and `azp` before anything is stored.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, createSession, type SessionOptions } from '../../src/index.js'
import { createFakeServer, type SeenRequest } from '../helpers/fake-server.js'
import { issuer, revocationEndpoint, serverMetadata } from '../helpers/protocol.js'
import { createChannelHub } from '../helpers/tabs.js'

const metadata = serverMetadata

const base64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const idToken = (claims: Record<string, unknown>) => `${base64url({ alg: 'none' })}.${base64url(claims)}.sig`

/** A sign-in through the real oidc-client-ts against a fake server whose ID token says `claims`. */
async function signIn(options: { claims?: Record<string, unknown>; iss?: string | null; metadata?: Record<string, unknown> } = {}) {
  let nonce = ''
  const server = createFakeServer((request: SeenRequest) =>
    request.url === metadata.token_endpoint
      ? Response.json({
          access_token: 'at-from-server',
          refresh_token: 'rt-from-server',
          token_type: 'Bearer',
          expires_in: 300,
          id_token: idToken({ iss: issuer, aud: 'spa', sub: 'ada', nonce, iat: 0, exp: 4102444800, ...options.claims }),
        })
      : new Response(null, { status: 200 }),
  )
  vi.stubGlobal('fetch', server.fetch)
  const sent: string[] = []
  const sessionOptions: SessionOptions = {
    authority: issuer,
    clientId: 'spa',
    redirectUri: 'https://app.example.test/callback',
    scope: 'openid offline_access',
    oidc: { metadata: { ...metadata, ...options.metadata } },
    storage: createMemoryStorage(),
    navigate: (url: string) => sent.push(url),
    channel: createChannelHub().factory,
    logger: { warn: () => {} },
  }
  const session = createSession(sessionOptions)
  await session.start()
  await session.login()
  const authorization = new URL(sent[0]!)
  nonce = authorization.searchParams.get('nonce') ?? ''
  const callback = new URL('https://app.example.test/callback')
  callback.searchParams.set('code', 'abc')
  callback.searchParams.set('state', authorization.searchParams.get('state')!)
  const iss = options.iss === undefined ? issuer : options.iss
  if (iss !== null) callback.searchParams.set('iss', iss)
  const outcome = await session.handleCallback(callback.href).then(
    () => undefined,
    (error: unknown) => error,
  )
  const exchanges = () => server.requests.filter((request) => request.url === metadata.token_endpoint)
  const revoked = () => server.requests.filter((request) => request.url === revocationEndpoint).map((request) => request.form.get('token'))
  return { session, outcome, exchanges, revoked }
}

describe('mix-up defence', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('signs in when the callback and the ID token both name this issuer and client', async () => {
    const { session, outcome } = await signIn()
    expect(outcome).toBeUndefined()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
  })

  it('refuses a callback whose iss names another server, before the code is exchanged (RFC 9207)', async () => {
    const { session, outcome, exchanges } = await signIn({ iss: 'https://attacker.example' })
    expect(outcome).toMatchObject({ code: 'issuer-mismatch' })
    expect(exchanges()).toEqual([])
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out' })
  })

  it('refuses a callback without iss when the server says it always sends one, before the code is exchanged', async () => {
    const { outcome, exchanges } = await signIn({ iss: null, metadata: { authorization_response_iss_parameter_supported: true } })
    expect(outcome).toMatchObject({ code: 'issuer-mismatch' })
    expect(exchanges()).toEqual([])
    // Without the promise, a callback with no iss is the server's usual answer.
    const { outcome: usual } = await signIn({ iss: null })
    expect(usual).toBeUndefined()
  })

  it.each([
    ['from another issuer', { iss: 'https://attacker.example' }],
    ['for another client', { aud: 'someone-else' }],
    ['for several audiences, authorized for another party', { aud: ['spa', 'api'], azp: 'api' }],
    ['for several audiences, with no authorized party', { aud: ['spa', 'api'] }],
  ])('refuses an ID token %s: nothing is stored, and the tokens it came with are revoked', async (_, claims) => {
    const { session, outcome, revoked } = await signIn({ claims })
    expect(outcome).toMatchObject({ code: 'issuer-mismatch' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out' })
    await vi.waitFor(() => expect(revoked().sort()).toEqual(['at-from-server', 'rt-from-server']))
  })

  it('accepts several audiences when this client is the authorized party', async () => {
    const { outcome } = await signIn({ claims: { aud: ['spa', 'api'], azp: 'spa' } })
    expect(outcome).toBeUndefined()
  })
})
