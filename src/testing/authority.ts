import {
  TokenwardenError,
  createMemoryStorage,
  createSession,
  type IssuedTokens,
  type Profile,
  type ProtocolFactory,
  type Session,
  type SessionOptions,
} from 'tokenwarden'
import { createChannelHub } from './channel.js'
import { createTestClock, settle } from './clock.js'
import { createFakeFetch, oauthError, ok, type Answer, type SeenRequest } from './fetch.js'
import { createLockHub } from './lock.js'
import { trackedSubtle } from './work.js'
import type { ReceivedRevocation, RefreshFailure, RevocationMode, TestAuthority, TestAuthorityOptions } from './types.js'

export type { ReceivedRevocation, RefreshFailure, RevocationMode, TestAuthority, TestAuthorityOptions }

interface IssuedToken {
  kind: 'access' | 'refresh' | 'id'
  /** The authorization grant the token belongs to: a sign-in and the refreshes that follow it. */
  grant: string
  claims: Profile
  expiresAt: number | undefined
  dead: boolean
}

const defaultClaims: Profile = Object.freeze({ sub: 'user-1', name: 'Test User' })

/**
 * An authorization server that runs in-process, for app tests: sessions from
 * `authority.session()` sign in, refresh and log out against it with no network, no
 * redirect and no real time, and the test decides what the server does next.
 */
export function createTestAuthority(options: TestAuthorityOptions = {}): TestAuthority {
  const issuer = options.issuer ?? 'https://id.example.test'
  const clientId = options.clientId ?? 'spa'
  const redirectUri = options.redirectUri ?? 'https://app.example.test/callback'
  const lifetimeMs = options.accessTokenLifetimeMs ?? 3600_000
  const revocationEndpoint = `${issuer}/token/revocation`
  const clock = createTestClock(options.startTime)
  const records = new Map<string, unknown>()
  const channels = createChannelHub()
  const locks = createLockHub()
  const tokens = new Map<string, IssuedToken>()
  const codes = new Map<string, Profile>()
  const revocations: ReceivedRevocation[] = []
  const navigations: string[] = []
  const warnings: string[] = []
  const sessions = new Set<Session>()
  let nextRefresh: RefreshFailure | undefined
  let revocationMode: RevocationMode = 'ok'
  let codeCounter = 0

  const isLive = (token: string) => {
    const issued = tokens.get(token)
    return !!issued && !issued.dead && (issued.expiresAt === undefined || issued.expiresAt > clock.now())
  }

  const issue = (claims: Profile, grant: string = crypto.randomUUID()): IssuedTokens => {
    const id = crypto.randomUUID()
    const expiresAt = clock.now() + lifetimeMs
    const set = { accessToken: `test-access-${id}`, refreshToken: `test-refresh-${id}`, idToken: `test-id-${id}` }
    tokens.set(set.accessToken, { kind: 'access', grant, claims, expiresAt, dead: false })
    tokens.set(set.refreshToken, { kind: 'refresh', grant, claims, expiresAt: undefined, dead: false })
    tokens.set(set.idToken, { kind: 'id', grant, claims, expiresAt, dead: false })
    return { tokens: { ...set, tokenType: 'Bearer', scope: 'openid profile offline_access', expiresAt }, profile: { ...claims } }
  }

  const protocol: ProtocolFactory = () => ({
    metadata: async () => ({ revocationEndpoint, endSessionEndpoint: `${issuer}/session/end` }),
    signInUrl: async () => `${issuer}/authorize?client_id=${encodeURIComponent(clientId)}&response_type=code`,
    processCallback: async (url) => {
      const params = new URL(url).searchParams
      const error = params.get('error')
      if (error) throw new TokenwardenError('callback-failed', `The authorization server answered ${error}.`, { error })
      const claims = codes.get(params.get('code') ?? '')
      if (!claims)
        throw new TokenwardenError('callback-failed', 'The authorization code is unknown or used.', { status: 400, error: 'invalid_grant' })
      codes.delete(params.get('code')!)
      return issue(claims)
    },
    refresh: async (current) => {
      const failure = nextRefresh
      nextRefresh = undefined
      if (failure === 'network') throw new TokenwardenError('network', 'The token endpoint could not be reached.')
      if (failure === 'server_error') {
        throw new TokenwardenError('refresh-failed', 'The token endpoint answered 500 server_error.', {
          status: 500,
          error: 'server_error',
        })
      }
      const presented = current.tokens.refreshToken
      if (failure === 'invalid_grant' || !presented || !isLive(presented)) {
        throw new TokenwardenError('refresh-failed', 'The token endpoint answered 400 invalid_grant.', {
          status: 400,
          error: 'invalid_grant',
        })
      }
      // Rotation, as servers do for public clients: the presented refresh token is used up.
      const used = tokens.get(presented)!
      used.dead = true
      return issue(used.claims, used.grant)
    },
    signOutUrl: async () => `${issuer}/session/end?client_id=${encodeURIComponent(clientId)}`,
  })

  const revoke = (request: SeenRequest): { answer: Answer; recorded: ReceivedRevocation['answer'] } => {
    if (request.method !== 'POST') return { answer: new Response('', { status: 405 }), recorded: 405 }
    if (request.form.get('client_id') !== clientId) return { answer: oauthError(401, 'invalid_client'), recorded: 401 }
    const token = request.form.get('token')
    if (!token) return { answer: oauthError(400, 'invalid_request'), recorded: 400 }
    if (revocationMode === 'hang') return { answer: 'hang', recorded: 'hang' }
    if (revocationMode === 'network') return { answer: 'network-error', recorded: 'network' }
    if (revocationMode === '503') return { answer: oauthError(503, 'temporarily_unavailable', { 'retry-after': '0' }), recorded: 503 }
    const issued = tokens.get(token)
    // RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of its
    // grant (and the rotated ones); revoking an access token kills only that token.
    if (issued?.kind === 'refresh') {
      for (const other of tokens.values()) if (other.grant === issued.grant) other.dead = true
    } else if (issued) {
      issued.dead = true
    }
    // RFC 7009 §2.2: an unknown or already dead token is answered 200 too.
    return { answer: ok(), recorded: 200 }
  }

  const api =
    options.api ??
    ((_request, caller) =>
      caller.live
        ? Response.json(caller.claims ?? {})
        : new Response('', { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }))

  const server = createFakeFetch((request) => {
    if (request.url.split('?')[0] === revocationEndpoint) {
      const { answer, recorded } = revoke(request)
      const hint = request.form.get('token_type_hint')
      revocations.push({
        token: request.form.get('token') ?? '',
        hint: hint === 'access_token' || hint === 'refresh_token' ? hint : undefined,
        clientId: request.form.get('client_id') ?? undefined,
        answer: recorded,
      })
      return answer
    }
    const accessToken = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    const live = accessToken !== undefined && isLive(accessToken) && tokens.get(accessToken)?.kind === 'access'
    return api(request, { accessToken, live, claims: accessToken ? tokens.get(accessToken)?.claims : undefined })
  })

  const subtle = trackedSubtle()
  const sessionOptions = ({ revocation, ...overrides }: Partial<SessionOptions> = {}): SessionOptions => ({
    authority: issuer,
    clientId,
    redirectUri,
    protocol,
    fetch: server.fetch,
    storage: createMemoryStorage(records),
    channel: channels.factory,
    lock: locks.factory,
    now: clock.now,
    timers: clock.timers,
    navigate: (url) => void navigations.push(url),
    logger: { warn: (message) => void warnings.push(message) },
    // Sealing as the browser does it, counted, so that settle() waits for it.
    ...(subtle ? { subtle } : {}),
    // Real time bounds revocation (it is fetch's own timeout): short, so a hanging server
    // costs a test half a second, and a 503 is retried at once.
    revocation: { timeoutMs: 500, maxRetryAfterMs: 0, ...revocation },
    ...overrides,
  })

  return {
    issuer,
    clientId,
    clock,
    records,
    channels,
    requests: server.requests,
    revocations,
    navigations,
    warnings,
    options: sessionOptions,
    session(overrides) {
      const session = createSession(sessionOptions(overrides))
      sessions.add(session)
      return session
    },
    async signIn(session, claims = options.claims ?? defaultClaims) {
      const code = `test-code-${++codeCounter}`
      codes.set(code, Object.freeze({ ...claims }))
      await session.start()
      return session.handleCallback(`${redirectUri}?code=${code}&state=test`)
    },
    failNextRefresh(failure = 'invalid_grant') {
      nextRefresh = failure
    },
    setRevocation(mode) {
      revocationMode = mode
    },
    advance: (ms) => clock.advance(ms),
    settle: () => settle(),
    isLive,
    liveTokens() {
      const live = [...tokens].filter(([token]) => isLive(token))
      return {
        accessTokens: live.filter(([, issued]) => issued.kind === 'access').map(([token]) => token),
        refreshTokens: live.filter(([, issued]) => issued.kind === 'refresh').map(([token]) => token),
      }
    },
    issuedTokens: () => [...tokens.keys()],
    dispose() {
      for (const session of sessions) session.dispose()
      sessions.clear()
    },
  }
}
