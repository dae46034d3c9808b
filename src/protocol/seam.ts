/**
 * The protocol seam: what tokenwarden asks of OAuth/OIDC besides revocation. `oidc.ts`
 * implements it on oidc-client-ts; tests and `tokenwarden/testing` implement it without a
 * network. It imports only the nouns every part speaks (tokens.ts).
 */
import type { ClientAuthentication, IssuedTokens, TokenSet } from '../tokens.js'
import type { StateStore } from '../storage/index.js'

export type { StateStore }

/** The endpoints tokenwarden uses from the server's metadata (RFC 8414). */
export interface ProtocolMetadata {
  revocationEndpoint?: string
  endSessionEndpoint?: string
  /** `dpop_signing_alg_values_supported` (RFC 9449 §5.1): absent when the server has no DPoP. */
  dpopSigningAlgValues?: readonly string[]
}

/**
 * A DPoP key pair (RFC 9449) for the token endpoint: the protocol signs proofs with it and
 * keeps the server's nonce (§8) through `nonce` / `rememberNonce`, per origin.
 */
export interface ProofKey {
  readonly keys: CryptoKeyPair
  nonce(url: string): string | undefined
  rememberNonce(url: string, nonce: string): void
}

/** Arguments of `session.login()`: passed to the authorization request. */
export interface SignInArgs {
  /** OIDC `prompt`, e.g. `login` or `consent`. */
  prompt?: string
  /** OIDC `login_hint`. */
  loginHint?: string
  /** Extra query parameters for the authorization request. */
  extraQueryParams?: Record<string, string | number | boolean>
}

/** What the refresh grant is given: the session's tokens, and the resource a token is for, if any. */
export interface RefreshRequest extends IssuedTokens {
  /** RFC 8707: the resource indicator the access token is asked for. */
  resource?: string
  /** The scopes asked for that resource (absent: the server decides). */
  scope?: string
}

/** Everything tokenwarden asks of OAuth/OIDC besides revocation. */
export interface Protocol {
  /** Discovery, fetched once and cached. */
  metadata(): Promise<ProtocolMetadata>
  /** Builds the authorization request (code + PKCE) and stores its state. */
  signInUrl(args: SignInArgs): Promise<string>
  /** Exchanges the code from the redirect back for tokens; with `proofKey`, DPoP-bound ones. */
  processCallback(url: string, proofKey?: ProofKey): Promise<IssuedTokens>
  /**
   * The refresh grant (RFC 6749 §6); with `proofKey`, a DPoP proof of that key goes along.
   * With `resource` (RFC 8707 §2.2), the access token issued is for that resource, with just
   * `scope`; the answer's refresh token (rotated or not) is the session's from then on.
   */
  refresh(current: RefreshRequest, proofKey?: ProofKey): Promise<IssuedTokens>
  /**
   * Silent renewal (OIDC Core §3.1.2.1 `prompt=none`): a new token set for the user of
   * `current` while the server's own session lives, without the refresh grant (the default
   * protocol: oidc-client-ts's silent sign-in in a hidden iframe on `silentRedirectUri`).
   * Rejects with `login-required` when the server wants the user back (`login_required`,
   * `interaction_required`, another user) or the frame never answers. Optional: a protocol
   * without it cannot renew silently.
   */
  silentRenew?(current: IssuedTokens): Promise<IssuedTokens>
  /**
   * The RP-initiated logout URL, when the server has an end_session_endpoint. It names the
   * client, not the ID token: no token ever goes into a URL.
   */
  signOutUrl(): Promise<string | undefined>
  /** Removes the sign-in state of logins that were started and never completed (optional). */
  clearStaleState?(): Promise<void>
}

/** The part of the session's options a protocol needs. */
export interface ProtocolConfig {
  readonly authority: string
  readonly clientId: string
  readonly redirectUri: string
  readonly scope: string
  readonly postLogoutRedirectUri: string | undefined
  readonly clientSecret: string | undefined
  readonly clientAuthentication: ClientAuthentication
  /** Plain http allowed on hosts that are not loopback (development only). */
  readonly allowInsecureHttp?: boolean | undefined
  /**
   * The session's `fetch` seam, when set: discovery uses it (oidc-client-ts's own requests, the
   * token endpoint's, use the global `fetch`).
   */
  readonly fetch?: typeof fetch | undefined
  /**
   * The declared destinations: those that name a `resource` (RFC 8707) are asked for at
   * sign-in (`resource` and their scopes in the authorization request) and get their own token.
   */
  readonly destinations?: readonly { readonly resource?: string; readonly scope?: string }[]
  /** The silent-callback page (README, "Staying signed in"); silent renewal needs it. */
  readonly silentRedirectUri?: string | undefined
  /** How long the silent-callback page may take to answer, in seconds. */
  readonly silentRenewTimeoutSeconds?: number | undefined
  /** Pass-through settings for the protocol library (oidc-client-ts's, for the default one). */
  readonly oidc: Readonly<Record<string, unknown>>
}

export interface ProtocolContext {
  options: ProtocolConfig
  stateStore: StateStore
  /**
   * Tokens the protocol received and refuses (an ID token from another issuer, say): the
   * session revokes them, since nobody will hold them.
   */
  discard?: (tokens: TokenSet) => void
}

export type ProtocolFactory = (context: ProtocolContext) => Protocol
