// What the dev authorization server offers its callers (tests, the bench, the demo): its
// options, its handle, its fault switches and what its request log holds.

export type RevocationFault = 'ok' | '503-once' | '503-always' | '500' | 'hang' | 'unsupported-access-token'

export interface Faults {
  /** Added to every request except /__control (discovery, /auth, /token, revocation, …). */
  latencyMs: number
  /** Added to POST /token only, on top of latencyMs. */
  tokenLatencyMs: number
  /** Delays the answer of POST /token after it was processed (a rotated refresh token, a late answer). */
  tokenResponseDelayMs: number
  /** How POST /token/revocation answers. 'ok' lets the provider handle it. */
  revocation: RevocationFault
  /** Retry-After (seconds) sent with the 503s. Default 1. */
  retryAfterSeconds: number
  /** Revocation kills only the presented token, not every token of its grant. */
  revokeOnlyPresented: boolean
  /** The token endpoint demands a DPoP nonce (400 use_dpop_nonce + DPoP-Nonce). */
  tokenDpopNonce: boolean
  /** /api/me demands a DPoP nonce (401 WWW-Authenticate: DPoP error="use_dpop_nonce" + DPoP-Nonce). */
  apiDpopNonce: boolean
}

export interface AuthServerOptions {
  /** Default 0: an ephemeral port. */
  port?: number | undefined
  /** Default '127.0.0.1'. */
  host?: string | undefined
  /** Origins of the SPA; redirect URIs, post-logout URIs and CORS derive from them. Default ['http://127.0.0.1:5173']. */
  spaOrigins?: readonly string[] | undefined
  /** The public SPA client. Default 'tokenwarden-demo'. */
  clientId?: string | undefined
  /** Initial (and reset) value of faults.latencyMs. Default 0. */
  latencyMs?: number | undefined
  /** Access token lifetime in seconds. Default 3600. */
  accessTokenTtl?: number | undefined
  /** Refresh token absolute lifetime in seconds (rotation keeps the remaining lifetime). Default 14 days. */
  refreshTokenTtl?: number | undefined
  /** Default true: no per-request logging, no oidc-provider runtime notice. */
  quiet?: boolean | undefined
  /**
   * Default true: DPoP (RFC 9449) at the token endpoint and /api/me, and the `<clientId>-dpop`
   * client that must use it. false: a server without DPoP (no dpop_signing_alg_values_supported,
   * bearer tokens only).
   */
  dpop?: boolean | undefined
}

export type LoggedEndpoint = 'token' | 'revocation' | 'introspection' | 'userinfo' | 'api' | 'authorization'

export interface LoggedRequest {
  /** Date.now() when the request arrived. */
  at: number
  method: string
  /** '/token', '/token/revocation', '/token/introspection', '/me', '/api/me', '/api-a/me' or '/api-b/me'. */
  path: string
  endpoint: LoggedEndpoint
  /** The parsed form body (token values included, unmasked). */
  body: Record<string, string>
  /** authorization, dpop (the DPoP proof), origin and content-type, when sent. */
  headers: Record<string, string>
  /** Absent while the request is pending (or hanging). */
  status?: number
  /** For a 200 of the token endpoint: the tokens it handed out. */
  issued?: IssuedTokenSet
}

/** A token endpoint answer's tokens, as the server sent them. */
export interface IssuedTokenSet {
  access_token: string
  refresh_token?: string
  id_token?: string
}

/** One row of `GET /__control/verdict?since=<ms>` (HTTP only): a revocation request and its token's state now. */
export interface RevocationVerdict {
  at: number
  /** token_type_hint as sent, '' when absent. */
  hint: string
  /** Masked: first 6 characters + '…' + length. */
  token: string
  /** client_id from the body, else the HTTP Basic username, else ''. */
  clientId: string
  /** null while unanswered (e.g. the 'hang' fault). */
  status: number | null
  /** Whether the token introspects active now. */
  active: boolean
}

export interface IntrospectionResponse {
  active: boolean
  [k: string]: unknown
}

export interface AuthServer {
  /** e.g. 'http://127.0.0.1:PORT' */
  issuer: string
  port: number
  /** The public SPA client. */
  clientId: string
  /** The same SPA as a client that must use DPoP (`dpop_bound_access_tokens`); undefined with `dpop: false`. */
  dpopClientId: string | undefined
  spaOrigins: string[]
  introspectionClient: { clientId: 'tokenwarden-introspector'; clientSecret: string }
  /** POSTs to its own introspection endpoint as the confidential introspector client. */
  introspect(token: string): Promise<IntrospectionResponse>
  /** Live log (OPTIONS preflights and /__control are not logged), oldest first, capped at 5000. */
  readonly requests: LoggedRequest[]
  /** The log entries of revocation requests. */
  revocations(): LoggedRequest[]
  /** Every token set the token endpoint handed out (code exchange and refresh), oldest first; `clearLog()` keeps them. */
  issuedTokens(): IssuedTokenSet[]
  clearLog(): void
  faults: {
    /** Merges; throws TypeError on unknown keys or bad values. Setting `revocation` re-arms '503-once'. */
    set(partial: Partial<Faults>): void
    /** Everything off again (latencyMs back to the latencyMs option). */
    reset(): void
    get(): Faults
  }
  /** The same SPA as a client that gets no refresh token (it renews silently, `prompt=none`). */
  noRefreshClientId: string
  /**
   * Ends every session the server holds (its login cookie then names none), as a user who
   * signed out elsewhere or a server-side idle timeout would: `prompt=none` answers `login_required`.
   */
  endSessions(): number
  /** The node-oidc-provider instance (escape hatch for tests). */
  provider: unknown
  /** Stops listening and destroys open sockets (hanging requests included). */
  close(): Promise<void>
}

export interface HeadlessTokenSet {
  access_token: string
  refresh_token: string
  id_token: string
  expires_in: number
  token_type: string
  scope: string
}

export interface SignInHeadlessOptions {
  /** Default: the server's first SPA origin. Sent as Origin on the token request. */
  origin?: string | undefined
  /** Default 'openid profile email offline_access'. */
  scope?: string | undefined
  /** Default `${origin}/callback`. */
  redirectUri?: string | undefined
  /** Resource indicators (RFC 8707) asked for at authorization, each a `resource` parameter. */
  resources?: readonly string[] | undefined
}
