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
 * - `login-required`: the silent renewal (`prompt=none` in a hidden iframe) could not renew the
 *   session: the server answered `login_required` or `interaction_required` (its session ended,
 *   or its cookies are blocked in the frame), or the silent-callback page never answered (a
 *   blocked frame, a timeout). The session ended; the user must sign in again.
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
  | 'login-required'
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
 * else a new one with `code` and `message` that keeps `error` as its cause; in both, none of
 * `secrets` (see {@link redactError}). One error is made, already clean: no copy that holds a
 * secret is left behind for a reporter to find.
 */
export function toTokenwardenError(
  error: unknown,
  code: TokenwardenErrorCode,
  message: string,
  secrets: ReadonlyArray<string | undefined> = [],
): TokenwardenError {
  return isTokenwardenError(error)
    ? redactError(error, secrets)
    : new TokenwardenError(code, message, { cause: redactCause(error, secrets) })
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

/**
 * `text` with each of `secrets` (as sent, or percent-encoded as in a form) replaced: servers
 * echo what they were sent, in `error_description` and in their messages.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text
  for (const secret of secrets) {
    if (!secret) continue
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1)])) {
      result = result.split(form).join('[redacted]')
    }
  }
  return result
}

/** A copy of `cause` with none of `secrets` in its message, stack or cause chain. */
export function redactCause(cause: unknown, secrets: ReadonlyArray<string | undefined>): unknown {
  if (!(cause instanceof Error)) return cause
  const copy = Object.assign(new Error(redact(cause.message, secrets)), cause)
  copy.name = cause.name
  if (cause.stack !== undefined) copy.stack = redact(cause.stack, secrets)
  if (cause.cause !== undefined) copy.cause = redactCause(cause.cause, secrets)
  return copy
}

/**
 * The one redaction of an error that carries a server's words (the token endpoint's, the
 * revocation endpoint's, a protocol seam's): the same error, with none of `secrets` in its
 * message, OAuth fields or cause chain.
 */
export function redactError(error: TokenwardenError, secrets: ReadonlyArray<string | undefined>): TokenwardenError {
  const said: string[] = [error.message, error.error ?? '', error.error_description ?? '', error.error_uri ?? '']
  for (let cause = error.cause, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    said.push(cause.message, cause.stack ?? '')
  }
  if (said.every((value) => redact(value, secrets) === value)) return error
  const text = (value: string | undefined) => (value === undefined ? undefined : redact(value, secrets))
  const details: TokenwardenErrorDetails = {}
  if (error.status !== undefined) details.status = error.status
  for (const name of ['error', 'error_description', 'error_uri'] as const) {
    const value = text(error[name])
    if (value !== undefined) details[name] = value
  }
  if (error.cause !== undefined) details.cause = redactCause(error.cause, secrets)
  return new TokenwardenError(error.code, redact(error.message, secrets), details)
}
