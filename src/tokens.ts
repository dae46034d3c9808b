/**
 * The nouns every part of tokenwarden speaks: the tokens of a sign-in, the claims, what a
 * token is (its RFC 7009 hint) and what became of it, and how the client proves who it is.
 * This file imports nothing.
 */

/** The tokens of one sign-in. Only the storage format, the workflows and `oidc.ts` see them. */
export interface TokenSet {
  accessToken: string
  tokenType: string
  refreshToken?: string
  idToken?: string
  scope?: string
  /** Access token expiry, milliseconds since the epoch. */
  expiresAt?: number
  /**
   * When the refresh token stops working, where the server said so (Keycloak's
   * `refresh_expires_in`, the `exp` of a refresh token that is a JWT): the end of the server's
   * session. Milliseconds since the epoch; absent when the server did not say.
   */
  refreshExpiresAt?: number
  /**
   * The id of the DPoP key these tokens are bound to (RFC 9449), when they are: the key pair
   * itself is a separate record, made at sign-in and deleted with the session.
   */
  dpopKey?: string
  /**
   * Access tokens for the resources the app declared (RFC 8707), by resource indicator: each
   * from a refresh grant with that `resource`, revoked with the others at logout.
   */
  resources?: Readonly<Record<string, ResourceToken>>
}

/** The access token of one resource (RFC 8707), from a refresh grant that named it. */
export interface ResourceToken {
  accessToken: string
  tokenType: string
  scope?: string
  /** Expiry, milliseconds since the epoch. */
  expiresAt?: number
  /** When it was issued, milliseconds since the epoch: it is refreshed at the same point of its life as the others. */
  issuedAt: number
}

/** ID token claims, as a UI would show them. */
export type Profile = Readonly<Record<string, unknown>> & { readonly sub?: string }

/** What a token endpoint answer gives the session: the tokens and the ID token's claims. */
export interface IssuedTokens {
  tokens: TokenSet
  profile: Profile
}

/** @deprecated Renamed {@link IssuedTokens}: it holds tokens and claims, not an OAuth grant. */
export type Grant = IssuedTokens

/** RFC 7009 §2.1 `token_type_hint`: which kind of token is being revoked. */
export type TokenTypeHint = 'access_token' | 'refresh_token'

/** What became of one token at logout (see `LogoutResult.revocation`). */
export type RevocationStatus = 'revoked' | 'not-present' | 'unsupported' | 'queued' | 'failed'

/** How the client authenticates at the token and revocation endpoints (RFC 6749 §2.3.1, RFC 7009 §2.1). */
export type ClientAuthentication = 'none' | 'client_secret_basic' | 'client_secret_post'
