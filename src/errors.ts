/**
 * Every error tokenwarden raises or reports. `switch (error.code)` narrows.
 *
 * - `invalid-options`: `createSession` or `revokeToken` got options it cannot use.
 * - `invalid-request`: a call got an argument it cannot use (an empty token, say).
 * - `insecure-context`: the page is not a secure context (plain http on a host that is not
 *   localhost), so the browser gives it no WebCrypto: serve it over https.
 * - `storage-unavailable`: IndexedDB could not be opened; the session runs from memory.
 * - `storage-invalid`: a stored record was corrupt, foreign or undecryptable and was discarded.
 * - `storage-failed`: reading or writing IndexedDB failed after it had opened.
 * - `discovery-failed`: the authority's metadata could not be loaded.
 * - `issuer-mismatch`: the server's metadata, the callback's `iss` or the ID token names another
 *   issuer or client than the session's (a mix-up, RFC 9207): refused before anything was stored.
 * - `sign-in-failed`: the authorization request could not be started.
 * - `callback-failed`: the redirect back from the authorization server was an error or invalid.
 * - `refresh-failed`: the refresh grant failed (`error` holds e.g. `invalid_grant`).
 * - `not-signed-in`: a token was asked for while no session exists.
 * - `signed-out`: the session ended (logout here or in another tab) while the call was running.
 * - `revocation-failed`: the revocation endpoint answered an error, or could not be reached.
 * - `revocation-unsupported`: the server answered `unsupported_token_type` (RFC 7009 §2.2.1).
 * - `revocation-unavailable`: the server's metadata has no `revocation_endpoint`.
 * - `timeout`: the server did not answer within the configured bound.
 * - `network`: the request never got an HTTP answer (offline, DNS, CORS, connection reset).
 * - `destination-refused`: `session.http` was asked to send the access token to a URL outside the
 *   declared `destinations`; nothing was sent.
 * - `dpop-unsupported`: `dpop: true`, but the authorization server does not offer DPoP
 *   (RFC 9449) or answered with a token that is not DPoP-bound; or this browser has no
 *   WebCrypto ECDSA P-256.
 * - `disposed`: the session was used after `dispose()`.
 * - `unexpected`: a failure tokenwarden did not anticipate (a bug, or a seam that threw
 *   something odd); `cause` holds it.
 */
export type TokenwardenErrorCode =
  | 'invalid-options'
  | 'invalid-request'
  | 'insecure-context'
  | 'storage-unavailable'
  | 'storage-invalid'
  | 'storage-failed'
  | 'discovery-failed'
  | 'issuer-mismatch'
  | 'sign-in-failed'
  | 'callback-failed'
  | 'refresh-failed'
  | 'not-signed-in'
  | 'signed-out'
  | 'revocation-failed'
  | 'revocation-unsupported'
  | 'revocation-unavailable'
  | 'timeout'
  | 'network'
  | 'destination-refused'
  | 'dpop-unsupported'
  | 'disposed'
  | 'unexpected'

/** Protocol details carried by an error that came from an HTTP answer. */
export interface TokenwardenErrorDetails {
  /** HTTP status of the answer, when there was one. */
  status?: number
  /** OAuth `error` code from the answer body (RFC 6749 §5.2, RFC 7009 §2.2.1). */
  error?: string
  /** OAuth `error_description` from the answer body. */
  error_description?: string
  /** OAuth `error_uri` from the answer body: a page about the error. */
  error_uri?: string
  /** The underlying error. */
  cause?: unknown
}

/** The one error class of tokenwarden. Its `code` says what went wrong. */
export class TokenwardenError extends Error {
  override readonly name = 'TokenwardenError'
  readonly code: TokenwardenErrorCode
  readonly status?: number
  readonly error?: string
  readonly error_description?: string
  readonly error_uri?: string

  constructor(code: TokenwardenErrorCode, message: string, details: TokenwardenErrorDetails = {}) {
    // Every cause is kept stripped (safeCause): HTTP and OAuth library errors carry the request,
    // its body and headers (a token, a refresh token in a form, Basic credentials).
    super(
      message,
      details.cause === undefined ? undefined : { cause: isTokenwardenError(details.cause) ? details.cause : safeCause(details.cause) },
    )
    this.code = code
    if (details.status !== undefined) this.status = details.status
    if (details.error !== undefined) this.error = details.error
    if (details.error_description !== undefined) this.error_description = details.error_description
    if (details.error_uri !== undefined) this.error_uri = details.error_uri
  }
}

/**
 * True for a `TokenwardenError`, also one from another realm (an iframe, a second copy of
 * the package), where `instanceof` fails: it then checks `name` and `code`.
 */
export function isTokenwardenError(value: unknown, code?: TokenwardenErrorCode): value is TokenwardenError {
  const matches =
    value instanceof TokenwardenError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'TokenwardenError' &&
      typeof (value as { code?: unknown }).code === 'string')
  return matches && (code === undefined || (value as TokenwardenError).code === code)
}

/**
 * `error` itself when it is already a `TokenwardenError` (it says more than a wrapper could),
 * else a new one with `code` and `message` that keeps `error` as its cause.
 */
export function toTokenwardenError(error: unknown, code: TokenwardenErrorCode, message: string): TokenwardenError {
  return isTokenwardenError(error) ? error : new TokenwardenError(code, message, { cause: error })
}

/** What {@link safeCause} keeps of an error: what happened, never what was sent. */
export interface SafeCause extends Error {
  /** HTTP status, when the original was an HTTP error. */
  status?: number
  /** A system error code (`ECONNREFUSED`, …), when the original had one. */
  code?: string
}

/**
 * A copy of `error` fit to keep as a `cause`: name, message, stack, HTTP status and system
 * code, and the same of its own cause, nothing else. HTTP client errors (ky's `HTTPError`)
 * carry the request, its options and its body: the token being sent and the Basic
 * credentials. Those must never travel with an error into logs or error reporters.
 */
export function safeCause(error: unknown, depth = 0): SafeCause | undefined {
  if (error === undefined || error === null) return undefined
  if (!(error instanceof Error) && !(typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')) {
    // A thrown string or an abort reason could be anything, a token included: say only what kind it was.
    return Object.assign(new Error(`A non-Error value (${typeof error}) was thrown.`), { name: 'NonError' })
  }
  const original = error as Error & { status?: unknown; code?: unknown; response?: { status?: unknown } }
  const copy: SafeCause = new Error(String(original.message))
  copy.name = typeof original.name === 'string' ? original.name : 'Error'
  if (typeof original.stack === 'string') copy.stack = original.stack
  const status = typeof original.status === 'number' ? original.status : original.response?.status
  if (typeof status === 'number') copy.status = status
  if (typeof original.code === 'string') copy.code = original.code
  if (depth < 4) {
    const inner = safeCause(original.cause, depth + 1)
    if (inner) copy.cause = inner
  }
  return copy
}
