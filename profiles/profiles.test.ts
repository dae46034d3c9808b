/**
 * Revocation against the servers SPAs meet most, each emulated on loopback from its public
 * documentation and source (profiles.ts cites them). Requests go over real HTTP through Node's
 * fetch (undici), so redirect handling is the real thing. Sign-in runs the real oidc-client-ts
 * code path against each server (harness.ts); nothing here uses the protocol seam.
 *
 * For every case: what tokenwarden reports, and what the server says afterwards. The promise:
 * no token is reported `revoked` while its server still accepts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revokeToken, type LogoutResult, type RevocationOutcome } from '../src/index.js'
import { findSecrets } from '../dev/secrets.js'
import { lies, serverVerdict, signIn, storageHolds, type SignedIn } from './harness.js'
import { auth0, cognito, entra, google, keycloak, okta } from './profiles.js'
import { startProfileServer, type Client, type Profile, type ProfileServer } from './server.js'

const spa: Client = { id: 'spa' }
const other: Client = { id: 'other-spa' }

/** Each token's status with its error's code, status and OAuth error, to compare at once. */
function report(result: LogoutResult) {
  const one = (kind: 'refresh_token' | 'access_token') => {
    const error = result.errors[kind]
    return [
      result.revocation[kind],
      ...(error ? [`${error.code}${error.status === undefined ? '' : ` ${error.status}`}${error.error ? ` ${error.error}` : ''}`] : []),
    ].join(': ')
  }
  return { refresh_token: one('refresh_token'), access_token: one('access_token') }
}

function outcomeLine(outcome: RevocationOutcome): string {
  if (outcome.status === 'revoked') return 'revoked'
  const { code, status, error } = outcome.error
  return `${outcome.status}: ${code}${status === undefined ? '' : ` ${status}`}${error ? ` ${error}` : ''}`
}

/** One server per profile for its describe block. */
function withServer(profile: Profile, clients: Client[] = [spa, other]) {
  const holder: { server: ProfileServer } = {} as never
  beforeAll(async () => {
    holder.server = await startProfileServer(profile, clients)
  })
  afterAll(() => holder.server.close())
  return holder
}

/** Logs out and returns the report, what the server says about each token, and what is left. */
async function logoutAndAsk(server: ProfileServer, signedIn: SignedIn, client: Client = spa) {
  const result = await signedIn.session.logout()
  const verdict = await serverVerdict(server, client, signedIn.tokens)
  const leftInStorage = storageHolds(signedIn.records, signedIn.tokens)
  const leaks = await findSecrets(result, {
    access: signedIn.tokens.accessToken,
    refresh: signedIn.tokens.refreshToken,
    ...(client.secret ? { secret: client.secret } : {}),
  })
  signedIn.session.dispose()
  return {
    result,
    report: report(result),
    verdict,
    lies: lies(result, verdict),
    leftInStorage,
    leaks,
    snapshot: signedIn.session.getSnapshot().status,
  }
}

/**
 * The promise of every logout, at every server: the report matches what the server says now
 * (no lie), nothing is left in storage, no secret sits in the result, the tab is signed out.
 */
function expectTruthful(
  outcome: Awaited<ReturnType<typeof logoutAndAsk>>,
  expected: ReturnType<typeof report>,
  verdict: Awaited<ReturnType<typeof serverVerdict>>,
) {
  expect(outcome).toMatchObject({ report: expected, verdict, lies: [], leftInStorage: [], leaks: [], snapshot: 'signed-out' })
}

/** revokeToken on its own, then what the server says about the token. */
async function revokeAndAsk(
  server: ProfileServer,
  profile: Profile,
  tokenValue: string,
  kind: 'access_token' | 'refresh_token',
  client: Client,
  request: { client_id?: string } = { client_id: client.id },
) {
  const outcome = await revokeToken(
    { token: tokenValue, token_type_hint: kind, ...request, ...(client.secret ? { client_secret: client.secret } : {}) },
    { endpoint: `${server.origin}${profile.paths.revocation}`, timeoutMs: 5000 },
  )
  const accepted = await server.accepts(tokenValue, kind, client)
  // The promise, for every single call: revoked means the server refuses the token now.
  if (outcome.status === 'revoked') expect(accepted, `${profile.name}: reported revoked, still accepted`).toBe(false)
  return { outcome: outcomeLine(outcome), server: accepted ? 'accepted' : 'refused' }
}

describe('Keycloak (/protocol/openid-connect/revoke)', () => {
  const ctx = withServer(keycloak)

  it('logout: both revoked; refresh revocation ended the client session, so the access token dies too', async () => {
    const outcome = await logoutAndAsk(ctx.server, await signIn(ctx.server, spa))
    expectTruthful(outcome, { refresh_token: 'revoked', access_token: 'revoked' }, { refresh_token: 'refused', access_token: 'refused' })
    expect(
      ctx.server
        .revocationCalls()
        .slice(-2)
        .map((call) => [call.form.get('token_type_hint'), call.form.get('client_id')]),
    ).toEqual([
      ['refresh_token', 'spa'],
      ['access_token', 'spa'],
    ])
  })

  it('a dead token: Keycloak answers 200 {"error":"invalid_token"}, and that is revoked (it is dead)', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, keycloak, tokens.refreshToken, 'refresh_token', spa)).toEqual({
      outcome: 'revoked',
      server: 'refused',
    })
    const again = await revokeToken(
      { token: tokens.refreshToken, token_type_hint: 'refresh_token', client_id: 'spa' },
      { endpoint: `${ctx.server.origin}${keycloak.paths.revocation}` },
    )
    expect(again).toEqual({ status: 'revoked' })
  })

  it('access token alone: revoked, and the refresh token lives on', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, keycloak, tokens.accessToken, 'access_token', spa)).toEqual({
      outcome: 'revoked',
      server: 'refused',
    })
    expect(await ctx.server.accepts(tokens.refreshToken, 'refresh_token', spa)).toBe(true)
  })

  it('without client_id: failed 401 invalid_client, and the token still works', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, keycloak, tokens.refreshToken, 'refresh_token', spa, {})).toEqual({
      outcome: 'failed: revocation-failed 401 invalid_client',
      server: 'accepted',
    })
  })

  it("another client's token: failed 400 invalid_request, and the token still works", async () => {
    const tokens = ctx.server.issueDirect('other-spa')
    expect(await revokeAndAsk(ctx.server, keycloak, tokens.refreshToken, 'refresh_token', other, { client_id: 'spa' })).toEqual({
      outcome: 'failed: revocation-failed 400 invalid_request',
      server: 'accepted',
    })
  })
})

describe('Auth0 (/oauth/revoke: refresh tokens only)', () => {
  const ctx = withServer(auth0)

  it('logout: refresh token revoked; access token failed (200 invalid_request) and still accepted until it expires', async () => {
    const outcome = await logoutAndAsk(ctx.server, await signIn(ctx.server, spa))
    expectTruthful(
      outcome,
      { refresh_token: 'revoked', access_token: 'failed: revocation-failed 200 invalid_request' },
      { refresh_token: 'refused', access_token: 'accepted' },
    )
  })

  it('an access token: 200 with {"error":"invalid_request"} is failed, not revoked, and the server still accepts it', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, auth0, tokens.accessToken, 'access_token', spa)).toEqual({
      outcome: 'failed: revocation-failed 200 invalid_request',
      server: 'accepted',
    })
  })

  it("another client's refresh token: 200 with an error, failed, still accepted", async () => {
    const tokens = ctx.server.issueDirect('other-spa')
    expect(await revokeAndAsk(ctx.server, auth0, tokens.refreshToken, 'refresh_token', other, { client_id: 'spa' })).toEqual({
      outcome: 'failed: revocation-failed 200 invalid_request',
      server: 'accepted',
    })
  })

  it('its own refresh token: revoked, refused afterwards', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, auth0, tokens.refreshToken, 'refresh_token', spa)).toEqual({
      outcome: 'revoked',
      server: 'refused',
    })
  })
})

describe('AWS Cognito (/oauth2/revoke: refresh tokens only)', () => {
  const confidential: Client = { id: 'confclient1', secret: 'conf1secret2with3only4word5chars' }
  const ctx = withServer(cognito, [spa, other, confidential])

  it('logout: refresh token revoked; access token unsupported, yet refused afterwards (revoking the refresh token revoked what it issued)', async () => {
    const outcome = await logoutAndAsk(ctx.server, await signIn(ctx.server, spa))
    expectTruthful(
      outcome,
      { refresh_token: 'revoked', access_token: 'unsupported: revocation-unsupported 400 unsupported_token_type' },
      { refresh_token: 'refused', access_token: 'refused' },
    )
  })

  it('an access token alone: unsupported, and the server still accepts it', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, cognito, tokens.accessToken, 'access_token', spa)).toEqual({
      outcome: 'unsupported: revocation-unsupported 400 unsupported_token_type',
      server: 'accepted',
    })
  })

  it('a client with a secret: logout authenticates with HTTP Basic, and the refresh token is revoked', async () => {
    const signedIn = await signIn(ctx.server, confidential)
    const outcome = await logoutAndAsk(ctx.server, signedIn, confidential)
    expect(outcome).toMatchObject({
      report: { refresh_token: 'revoked' },
      verdict: { refresh_token: 'refused', access_token: 'refused' },
      lies: [],
      leaks: [],
    })
    const [call] = ctx.server.revocationCalls().slice(-2)
    expect(call!.authorization).toBe(`Basic ${btoa(`${confidential.id}:${confidential.secret}`)}`)
    expect(call!.form.has('client_secret')).toBe(false)
    expect(signedIn.warnings.join('\n')).toMatch(/clientSecret/)
  })
})

describe('Google (/revoke)', () => {
  const ctx = withServer(google)

  it('logout: both revoked (the second finds the grant already gone: 400 invalid_token), both refused afterwards', async () => {
    const outcome = await logoutAndAsk(ctx.server, await signIn(ctx.server, spa))
    expectTruthful(outcome, { refresh_token: 'revoked', access_token: 'revoked' }, { refresh_token: 'refused', access_token: 'refused' })
    const answers = ctx.server.revocationCalls().slice(-2)
    expect(answers).toHaveLength(2)
  })

  it('an access token alone: revoked, and its refresh token is refused too', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, google, tokens.accessToken, 'access_token', spa)).toEqual({
      outcome: 'revoked',
      server: 'refused',
    })
    expect(await ctx.server.accepts(tokens.refreshToken, 'refresh_token', spa)).toBe(false)
  })

  it('an unknown or already revoked token: 400 invalid_token, revoked (the server does not accept it)', async () => {
    expect(await revokeAndAsk(ctx.server, google, 'rt.never-issued-by-google', 'refresh_token', spa)).toEqual({
      outcome: 'revoked',
      server: 'refused',
    })
  })
})

describe('Microsoft Entra ID (no revocation_endpoint)', () => {
  const ctx = withServer(entra)

  it('logout: both failed revocation-unavailable, the session is cleared, and the server still accepts both', async () => {
    const outcome = await logoutAndAsk(ctx.server, await signIn(ctx.server, spa))
    expectTruthful(
      outcome,
      { refresh_token: 'failed: revocation-unavailable', access_token: 'failed: revocation-unavailable' },
      { refresh_token: 'accepted', access_token: 'accepted' },
    )
    expect(ctx.server.calls.filter((call) => call.method === 'POST' && call.path.includes('revoke'))).toEqual([])
  })
})

describe('Okta (/oauth2/default/v1/revoke)', () => {
  const ctx = withServer(okta)

  it('logout: both revoked, both refused afterwards; client_id in the body', async () => {
    const outcome = await logoutAndAsk(ctx.server, await signIn(ctx.server, spa))
    expectTruthful(outcome, { refresh_token: 'revoked', access_token: 'revoked' }, { refresh_token: 'refused', access_token: 'refused' })
    expect(ctx.server.revocationCalls().every((call) => call.form.get('client_id') === 'spa' && call.authorization === undefined)).toBe(
      true,
    )
  })

  it('an access token alone: revoked; the refresh token lives on', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, okta, tokens.accessToken, 'access_token', spa)).toEqual({ outcome: 'revoked', server: 'refused' })
    expect(await ctx.server.accepts(tokens.refreshToken, 'refresh_token', spa)).toBe(true)
  })

  it('a refresh token: revoked, and its access token is refused too', async () => {
    const tokens = ctx.server.issueDirect('spa')
    expect(await revokeAndAsk(ctx.server, okta, tokens.refreshToken, 'refresh_token', spa)).toEqual({
      outcome: 'revoked',
      server: 'refused',
    })
    expect(await ctx.server.accepts(tokens.accessToken, 'access_token', spa)).toBe(false)
  })
})

describe('HTTP Basic is encoded two ways (RFC 6749 §2.3.1): oidc-client-ts at /token raw, revocation form-encoded', () => {
  // A secret with characters that form-encoding changes; a server that reads Basic raw, as
  // Cognito documents it ("Base64Encode(client_id:client_secret)").
  const reserved: Client = { id: 'conf client', secret: 'pa ss+word/1' }
  const ctx = withServer(cognito, [reserved])

  it('client_secret_basic: /token gets the raw pair, revocation the form-encoded one; a raw-reading server refuses the revocation (401), and says so', async () => {
    const signedIn = await signIn(ctx.server, reserved)
    const tokenCall = ctx.server.calls.find((call) => call.path === cognito.paths.token)
    expect(tokenCall!.authorization).toBe(`Basic ${Buffer.from('conf client:pa ss+word/1').toString('base64')}`)
    const outcome = await logoutAndAsk(ctx.server, signedIn, reserved)
    const [revocation] = ctx.server.revocationCalls()
    expect(revocation!.authorization).toBe(`Basic ${btoa('conf+client:pa+ss%2Bword%2F1')}`)
    expectTruthful(
      outcome,
      { refresh_token: 'failed: revocation-failed 401 invalid_client', access_token: 'failed: revocation-failed 401 invalid_client' },
      { refresh_token: 'accepted', access_token: 'accepted' },
    )
  })

  it('client_secret_post: both endpoints get the pair in the body, and the revocation works', async () => {
    const signedIn = await signIn(ctx.server, reserved, { clientAuthentication: 'client_secret_post' })
    const outcome = await logoutAndAsk(ctx.server, signedIn, reserved)
    const revocation = ctx.server.revocationCalls().at(-1)!
    expect(revocation.authorization).toBeUndefined()
    expect(revocation.form.get('client_secret')).toBe(reserved.secret)
    expect(outcome).toMatchObject({ report: { refresh_token: 'revoked' }, verdict: { refresh_token: 'refused' }, lies: [] })
  })
})

describe('bad answers at logout, for the record: a clear outcome, everything cleared, within the bound, no token in an error', () => {
  const ctx = withServer(okta)
  const timeoutMs = 1500
  const big = (contentType: string) => ({
    headers: { 'content-type': contentType },
    async *stream() {
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      yield Buffer.from('{"error":"invalid_request",')
      for (let i = 0; i < 160; i += 1) yield chunk // 10 MB
      yield Buffer.from('"x":1}')
    },
  })
  const cases: Array<[string, Parameters<ProfileServer['setRevocationOverride']>[0], { refresh_token: RegExp; access_token: RegExp }]> = [
    [
      '200 with an HTML page',
      () => ({ status: 200, body: '<!doctype html><p>Welcome</p>', headers: { 'content-type': 'text/html' } }),
      { refresh_token: /^revoked$/, access_token: /^revoked$/ },
    ],
    [
      '302 to a login page',
      () => ({ status: 302, headers: { location: '/login' } }),
      { refresh_token: /^failed: revocation-failed 302$/, access_token: /^failed: revocation-failed 302$/ },
    ],
    [
      '307 to another endpoint',
      () => ({ status: 307, headers: { location: `${okta.paths.revocation}/moved` } }),
      { refresh_token: /^failed: revocation-failed 307$/, access_token: /^failed: revocation-failed 307$/ },
    ],
    [
      '200 with a JSON error',
      () => ({ status: 200, body: '{"error":"server_error"}', headers: { 'content-type': 'application/json' } }),
      { refresh_token: /^failed: revocation-failed 200 server_error$/, access_token: /^failed: revocation-failed 200 server_error$/ },
    ],
    [
      '200 with 10 MB of JSON',
      () => big('application/json'),
      { refresh_token: /^failed: revocation-failed 200$/, access_token: /^failed: revocation-failed 200$/ },
    ],
    ['200 with 10 MB of HTML', () => big('text/html'), { refresh_token: /^revoked$/, access_token: /^revoked$/ }],
    [
      '503, Retry-After -30',
      () => ({ status: 503, headers: { 'retry-after': '-30' } }),
      { refresh_token: /^queued: revocation-failed 503$/, access_token: /^queued: revocation-failed 503$/ },
    ],
    [
      '503, Retry-After of a year',
      () => ({ status: 503, headers: { 'retry-after': String(365 * 24 * 3600) } }),
      { refresh_token: /^queued: (revocation-failed 503|timeout)$/, access_token: /^queued: (revocation-failed 503|timeout)$/ },
    ],
    [
      '503, Retry-After an HTTP-date in the past',
      () => ({ status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' } }),
      { refresh_token: /^queued: revocation-failed 503$/, access_token: /^queued: revocation-failed 503$/ },
    ],
    ['no answer at all', () => 'hang', { refresh_token: /^queued: timeout$/, access_token: /^queued: timeout$/ }],
  ]

  it.each(cases)('%s', async (_, override, expected) => {
    const signedIn = await signIn(ctx.server, spa, { revocation: { timeoutMs, maxRetryAfterMs: 300 } })
    ctx.server.setRevocationOverride(override)
    const callsBefore = ctx.server.calls.length
    try {
      const started = Date.now()
      const outcome = await logoutAndAsk(ctx.server, signedIn)
      const elapsed = Date.now() - started
      expect(outcome.report.refresh_token).toMatch(expected.refresh_token)
      expect(outcome.report.access_token).toMatch(expected.access_token)
      expect(outcome.result.cleared).toBe(true)
      expect(outcome.snapshot).toBe('signed-out')
      expect(outcome.leaks).toEqual([])
      // Only the outbox may keep a token, and only one that is queued to be sent again.
      const queued = Object.values(outcome.result.revocation).filter((status) => status === 'queued').length
      expect(outcome.leftInStorage).toHaveLength(queued)
      // The bound, with room for a loaded machine: the point is that it does not wait a year.
      expect(elapsed).toBeLessThan(timeoutMs + 3000)
      // Nothing followed a redirect: no GET of the login page, no POST to where a 307 pointed.
      const after = ctx.server.calls.slice(callsBefore)
      expect(after.filter((call) => call.path === '/login' || call.path.endsWith('/moved'))).toEqual([])
      // This server revokes nothing. A plain 200 is its word that it did (RFC 7009 §2.2), and
      // believed; every other answer here must not be reported as revoked.
      const believed = String(expected.refresh_token) === String(/^revoked$/)
      expect(outcome.lies).toEqual(believed ? ['refresh_token', 'access_token'] : [])
    } finally {
      ctx.server.setRevocationOverride(undefined)
    }
  })
})
