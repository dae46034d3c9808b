import {
  DPoPState,
  ErrorResponse,
  ErrorTimeout,
  OidcClient,
  type OidcClientSettings,
  type RefreshState,
  type SigninResponse,
} from 'oidc-client-ts'
import { runSilentFrame } from './silent-frame.js'
import type { Discovery } from './discovery.js'
import { checkCallbackIssuer, checkIdToken } from './mix-up.js'
import { redact, redactCause, TokenwardenError, type TokenwardenErrorCode, toTokenwardenError } from '../errors.js'
import type { ProofKey, Protocol, ProtocolContext } from './seam.js'
import type { IssuedTokens, Profile, TokenSet } from '../tokens.js'

/** oidc-client-ts `OidcClient` settings, passed through under their own names. */
export type OidcSettings = Partial<OidcClientSettings>

/** What a token response (or oidc-client-ts's `User`, built from one) holds. */
type TokenResponse = Pick<SigninResponse, 'access_token' | 'token_type' | 'refresh_token' | 'id_token' | 'scope' | 'expires_at' | 'profile'>

function toIssued(response: TokenResponse, previous?: IssuedTokens): IssuedTokens {
  const tokens: TokenSet = {
    accessToken: response.access_token,
    tokenType: response.token_type || 'Bearer',
  }
  // A server that does not rotate refresh tokens answers without one: keep the one we had.
  const refreshToken = response.refresh_token ?? previous?.tokens.refreshToken
  if (refreshToken) tokens.refreshToken = refreshToken
  const idToken = response.id_token ?? previous?.tokens.idToken
  if (idToken) tokens.idToken = idToken
  const scope = response.scope ?? previous?.tokens.scope
  if (scope) tokens.scope = scope
  if (response.expires_at !== undefined) tokens.expiresAt = response.expires_at * 1000
  // A refresh token kept from before keeps its end; a new one has its own, if the server says.
  const refreshExpiresAt = response.refresh_token ? refreshExpiryOf(response) : previous?.tokens.refreshExpiresAt
  if (refreshToken && refreshExpiresAt !== undefined) tokens.refreshExpiresAt = refreshExpiresAt
  return { tokens, profile: { ...(response.profile as Profile) } }
}

/**
 * When the refresh token in `response` stops working, where the server says so: Keycloak's
 * `refresh_expires_in` (seconds; 0 means an offline token, with no end), else the `exp` of a
 * refresh token that is a JWT. Nothing is guessed: an opaque token with no such field has none.
 */
function refreshExpiryOf(response: TokenResponse): number | undefined {
  const seconds = (response as { refresh_expires_in?: unknown }).refresh_expires_in
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) return Date.now() + seconds * 1000
  const payload = response.refresh_token?.split('.')
  if (payload?.length !== 3 || !payload[1]) return undefined
  try {
    const claims = JSON.parse(atob(payload[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown }
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/**
 * The oidc-client-ts failure as a `TokenwardenError`, made once and already without `secrets`
 * (what was sent: servers echo it in `error_description`). The session redacts again at its
 * boundary, for protocol seams that are not this one.
 */
function toError(
  code: TokenwardenErrorCode,
  message: string,
  cause: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
): TokenwardenError {
  if (cause instanceof ErrorResponse) {
    const description = cause.error_description && redact(cause.error_description, secrets)
    return new TokenwardenError(code, `${message}: ${cause.error ?? 'error'}${description ? ` (${description})` : ''}.`, {
      ...(cause.error ? { error: cause.error } : {}),
      ...(description ? { error_description: description } : {}),
      // (The constructor keeps only safeCause of it: an ErrorResponse holds the request form.)
      cause: redactCause(cause, secrets),
    })
  }
  if (cause instanceof ErrorTimeout) return new TokenwardenError('timeout', `${message}: the server did not answer in time.`, { cause })
  if (cause instanceof TypeError) return new TokenwardenError('network', `${message}: the server could not be reached.`, { cause })
  return toTokenwardenError(cause, code, `${message}.`, secrets)
}

/**
 * The answers of a silent renewal that mean "the user must come back": the server's session
 * ended or needs the user (OIDC Core §3.1.2.6), or the frame never answered (blocked by
 * X-Frame-Options or frame-ancestors, or a page that does not post back). Each ends the
 * session with `login-required`: retrying would get the same answer.
 */
function toSilentError(cause: unknown): TokenwardenError {
  if (cause instanceof TokenwardenError) return cause
  if (cause instanceof ErrorResponse) {
    return new TokenwardenError(
      'login-required',
      `The silent renewal was refused: ${cause.error ?? 'error'}${cause.error_description ? ` (${cause.error_description})` : ''}.`,
      {
        ...(cause.error ? { error: cause.error } : {}),
        ...(cause.error_description ? { error_description: cause.error_description } : {}),
        cause,
      },
    )
  }
  if (cause instanceof TypeError) return new TokenwardenError('network', 'The silent renewal could not reach the server.', { cause })
  return new TokenwardenError('login-required', 'The silent renewal failed.', { cause })
}

/** What oidc-client-ts does for tokenwarden: every protocol step but discovery (discovery.ts). */
export type OidcSteps = Omit<Protocol, 'metadata' | 'silentRenew'> & Required<Pick<Protocol, 'silentRenew'>>

/**
 * The protocol steps on oidc-client-ts, on the metadata discovery.ts already loaded. This is the
 * only file that imports oidc-client-ts, and it is loaded on demand (default-protocol.ts): only
 * sign-in, the callback, the refresh grant and the end-session URL need it.
 */
export function createOidcSteps({ options, stateStore, discard }: ProtocolContext, discovery: Discovery): OidcSteps {
  const { metadata, isIssuer } = discovery
  const settings: OidcClientSettings = {
    authority: options.authority,
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope,
    response_type: 'code',
    loadUserInfo: false,
    requestTimeoutInSeconds: discovery.requestTimeoutInSeconds,
    ...(options.postLogoutRedirectUri ? { post_logout_redirect_uri: options.postLogoutRedirectUri } : {}),
    ...(options.clientSecret
      ? {
          client_secret: options.clientSecret,
          client_authentication: options.clientAuthentication === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
        }
      : {}),
    ...(options.oidc as OidcSettings),
    // Ours, whatever `oidc` says: PKCE state must stay out of sessionStorage.
    stateStore,
    // Discovered once, by discovery.ts, with these same settings: never fetched again here.
    metadata: metadata as NonNullable<OidcClientSettings['metadata']>,
  }
  const client = new OidcClient(settings)
  // RFC 8707 §2.1: the sign-in asks for every declared resource and its scopes, so that the
  // refresh token may later be exchanged for each resource's token.
  const declared = (options.destinations ?? []).filter((destination) => destination.resource)
  const resources = [...new Set(declared.map((destination) => destination.resource!))]
  const scope = [options.scope, ...declared.map((destination) => destination.scope)].filter(Boolean).join(' ')

  /**
   * The tokens, once the ID token that came with them names this issuer and client. Tokens
   * that fail were issued all the same: they are handed to `discard` (revoked), never stored.
   */
  const accepted = (issued: IssuedTokens): IssuedTokens => {
    try {
      checkIdToken(issued.tokens.idToken, isIssuer, options.clientId)
    } catch (error) {
      discard?.(issued.tokens)
      throw error
    }
    return issued
  }

  /**
   * A client that sends a DPoP proof of `key` to the token endpoint (RFC 9449 §5) and retries
   * once with the server's nonce (§8): oidc-client-ts's own `dpop` support, on a store that
   * holds just this key. Its store is fixed per client, and a callback and a refresh of two
   * sign-ins may run at once in one tab, so each call gets a client of its own, on the
   * metadata already loaded.
   */
  async function clientFor(key: ProofKey | undefined): Promise<OidcClient> {
    if (!key) return client
    const tokenEndpoint = await client.metadataService.getTokenEndpoint(false)
    const state = () => new DPoPState(key.keys, key.nonce(tokenEndpoint))
    const store: NonNullable<OidcClientSettings['dpop']>['store'] = {
      getAllKeys: async () => [options.clientId],
      get: async () => state(),
      // oidc-client-ts stores the nonce the server sent with its `use_dpop_nonce` error.
      set: async (_key, value) => {
        if (value.nonce) key.rememberNonce(tokenEndpoint, value.nonce)
      },
      remove: async () => state(),
    }
    return new OidcClient({ ...settings, dpop: { store } })
  }

  return {
    async signInUrl(args) {
      try {
        const request = await client.createSigninRequest({
          ...(args.prompt ? { prompt: args.prompt } : {}),
          ...(args.loginHint ? { login_hint: args.loginHint } : {}),
          ...(args.extraQueryParams ? { extraQueryParams: args.extraQueryParams } : {}),
          ...(resources.length ? { resource: resources, scope } : {}),
        })
        return request.url
      } catch (cause) {
        throw toError('sign-in-failed', 'Could not start the sign-in', cause)
      }
    },
    async processCallback(url, proofKey) {
      let issued: IssuedTokens
      try {
        // Before the code is exchanged: a response from another server is never redeemed here.
        checkCallbackIssuer(url, discovery)
        issued = toIssued(await (await clientFor(proofKey)).processSigninResponse(url))
      } catch (cause) {
        throw toError('callback-failed', 'The sign-in callback failed', cause, [new URL(url).searchParams.get('code') ?? undefined])
      }
      return accepted(issued)
    },
    async refresh(current, proofKey) {
      const { refreshToken, idToken } = current.tokens
      // For a resource (RFC 8707 §2.2), only its own scopes, or none: the server then grants
      // what it granted that resource at sign-in.
      const scope = current.resource ? current.scope : current.tokens.scope
      if (!refreshToken) throw new TokenwardenError('refresh-failed', 'There is no refresh token to refresh with.')
      let issued: IssuedTokens
      try {
        // RefreshState is declared in oidc-client-ts's types but not exported by its bundle;
        // its constructor only copies these fields, so a plain object of that shape is it.
        const state: RefreshState = {
          refresh_token: refreshToken,
          session_state: null,
          profile: current.profile as RefreshState['profile'],
          ...(idToken ? { id_token: idToken } : {}),
          ...(scope ? { scope } : {}),
        }
        const resource = current.resource ? { resource: current.resource } : {}
        issued = toIssued(await (await clientFor(proofKey)).useRefreshToken({ state, ...resource }), current)
      } catch (cause) {
        throw toError('refresh-failed', 'The refresh grant failed', cause, [refreshToken, idToken, current.tokens.accessToken])
      }
      return accepted(issued)
    },
    async silentRenew(current) {
      const silentRedirectUri = options.silentRedirectUri
      if (!silentRedirectUri) throw new TokenwardenError('login-required', 'Silent renewal needs a `silentRedirectUri`.')
      // oidc-client-ts's silent sign-in, on the client already built: the authorization request
      // with prompt=none (its state and PKCE verifier in our state store), the frame, then the
      // code exchange, as at sign-in.
      let issued: IssuedTokens
      try {
        const request = await client.createSigninRequest({ request_type: 'si:s', prompt: 'none', redirect_uri: silentRedirectUri })
        const url = await runSilentFrame(request.url, request.state.id, (options.silentRenewTimeoutSeconds ?? 10) * 1000)
        // Before the code is exchanged: an answer from another server is never redeemed here.
        checkCallbackIssuer(url, discovery)
        issued = toIssued(await client.processSigninResponse(url), current)
      } catch (cause) {
        throw toSilentError(cause)
      }
      // Another user signed in at the server meanwhile: these tokens are not this session's.
      if (current.profile.sub !== undefined && issued.profile.sub !== current.profile.sub) {
        discard?.(issued.tokens)
        throw new TokenwardenError('login-required', 'The silent renewal signed in another user: this session ended.', {
          error: 'login_required',
        })
      }
      return accepted(issued)
    },
    // oidc-client-ts drops state older than `staleStateAgeInSeconds` (15 minutes by default).
    clearStaleState: () => client.clearStaleState(),
    async signOutUrl() {
      if (typeof metadata.end_session_endpoint !== 'string') return undefined
      // OIDC RP-Initiated Logout 1.0 §2: client_id (with post_logout_redirect_uri) instead of
      // id_token_hint, which would put the ID token in the URL and the browser history.
      const request = await client.createSignoutRequest({ client_id: options.clientId })
      return request.url
    },
  }
}
