// What a revocation answer means (RFC 7009 §2.2): the outcome for one token, read from the
// response or the failure, never lying (a redirect or a 200 carrying an error is not success)
// and never carrying a token or secret in an error. request.ts sends; this file reads.
import { HTTPError, TimeoutError } from 'ky'
import { TokenwardenError, redact, safeCause } from '../errors.js'

/**
 * What became of one token:
 * - `revoked`: the server answered 200 (RFC 7009 §2.2) with no OAuth `error` in a JSON body,
 *   or `invalid_token` (on a 400 or inside a 200) for a token that is already dead;
 * - `unsupported`: the server does not revoke this token type (`unsupported_token_type`);
 * - `failed`: anything else, a redirect included (never followed). `retryable` is true for
 *   network errors, timeouts, 5xx and 429, where sending the same request later may succeed.
 */
export type RevocationOutcome =
  | { status: 'revoked' }
  | { status: 'unsupported'; error: TokenwardenError }
  | {
      status: 'failed'
      error: TokenwardenError
      retryable: boolean
      /**
       * How long the server asked to wait before trying again (`Retry-After`, RFC 9110
       * §10.2.3), in milliseconds, when its last answer said so: seconds or an HTTP-date, a
       * negative or past value as 0. The wait inside `revokeToken` is cut to
       * `maxRetryAfterMs`; this is the server's own figure, for whoever retries later.
       */
      retryAfterMs?: number
      /**
       * The request got no readable answer and the endpoint is on another origin than the
       * page: the server may well have revoked the token, but its answer lacked CORS headers
       * (`Access-Control-Allow-Origin`), so the browser hid it. Retrying will not change that.
       */
      maybeCors?: true
    }

/** The OAuth error fields of an answer (RFC 6749 §5.2), from a JSON body of at most {@link maxBodyBytes}. */
interface OAuthErrorFields {
  error?: string
  error_description?: string
  error_uri?: string
}

function readOAuthError(text: string | undefined, secrets: readonly string[]): OAuthErrorFields {
  if (!text) return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return {}
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {}
  const fields: OAuthErrorFields = {}
  for (const name of ['error', 'error_description', 'error_uri'] as const) {
    const value = (body as Record<string, unknown>)[name]
    // Some servers echo what they were sent; what we sent never goes into an error.
    if (typeof value === 'string') fields[name] = redact(value, secrets)
  }
  return fields
}

/** What an attempt needs to know to describe its outcome. */
export interface AttemptContext {
  endpoint: URL
  /** The token and client secret: never to appear in an error. */
  secrets: readonly string[]
  /** The last `Retry-After` the server sent, parsed. */
  retryAfterMs: number | undefined
}

/**
 * A 2xx answer. RFC 7009 §2.2 lets a client ignore the body of a 200, but servers in use put
 * their refusals there: Auth0 answers 200 `{"error":"invalid_request"}` for a token it did not
 * revoke, Keycloak 200 `{"error":"invalid_token"}` for a dead one. So a JSON `error` is read
 * as it would be on a 400; an empty, non-JSON or error-free body means revoked.
 */
export async function readSuccess(response: Response, signal: AbortSignal, context: AttemptContext): Promise<RevocationOutcome> {
  if (isRedirect(response)) return redirectOutcome(response)
  context.retryAfterMs = undefined
  const text = await readBody(response, signal)
  if (text === undefined) {
    const json = /\bjson\b/i.test(response.headers.get('content-type') ?? '')
    if (!json) return { status: 'revoked' }
    return {
      status: 'failed',
      retryable: false,
      error: new TokenwardenError(
        'revocation-failed',
        `The revocation endpoint answered ${response.status} with a JSON body over ${maxBodyBytes} bytes, or one that could not be read; it may hold an error, so the token is not known to be revoked.`,
        { status: response.status },
      ),
    }
  }
  const fields = readOAuthError(text, context.secrets)
  if (fields.error === undefined) return { status: 'revoked' }
  return errorOutcome(response.status, fields, undefined, context)
}

/** A redirect: a 3xx (Node, or a fetch seam), an opaque redirect (browsers), or one that was followed. */
function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400) || response.redirected
}

function redirectOutcome(response: Response): RevocationOutcome {
  const what =
    response.type === 'opaqueredirect'
      ? 'a redirect (opaque: the browser hides its status)'
      : response.redirected
        ? `${response.status} after a redirect that the fetch followed`
        : `a redirect (${response.status})`
  return {
    status: 'failed',
    retryable: false,
    error: new TokenwardenError(
      'revocation-failed',
      `The revocation endpoint answered with ${what}. A revocation endpoint never redirects a POST (a login page, a moved endpoint?): nothing was revoked, and the redirect was not followed.`,
      { status: response.status },
    ),
  }
}

/** An OAuth error answer, on a 4xx/5xx or inside a 200. */
function errorOutcome(status: number, fields: OAuthErrorFields, cause: unknown, context: AttemptContext): RevocationOutcome {
  const details = { status, ...fields, ...(cause === undefined ? {} : { cause: safeCause(cause) }) }
  if ((status === 200 || status === 400) && fields.error === 'unsupported_token_type') {
    return {
      status: 'unsupported',
      error: new TokenwardenError('revocation-unsupported', 'The server does not revoke this token type.', details),
    }
  }
  // A token already dead (its sibling's revocation killed the grant) is what we wanted.
  if ((status === 200 || status === 400) && fields.error === 'invalid_token') return { status: 'revoked' }
  const retryable = status >= 500 || status === 429
  const { retryAfterMs } = context
  return {
    status: 'failed',
    retryable,
    error: new TokenwardenError(
      'revocation-failed',
      `The revocation endpoint answered ${status}${fields.error ? ` ${fields.error}` : ''}.`,
      details,
    ),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  }
}

const isTimeoutReason = (reason: unknown) => reason instanceof DOMException && reason.name === 'TimeoutError'

export async function toOutcome(
  error: unknown,
  deadline: AbortSignal,
  signal: AbortSignal,
  context: AttemptContext,
): Promise<RevocationOutcome> {
  const retryAfter = context.retryAfterMs === undefined ? {} : { retryAfterMs: context.retryAfterMs }
  if (error instanceof HTTPError) {
    const { response } = error
    if (isRedirect(response) || response.status === 0) {
      void response.body?.cancel().catch(() => undefined)
      return redirectOutcome(response)
    }
    context.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
    const fields = readOAuthError(await readBody(response, signal), context.secrets)
    return errorOutcome(response.status, fields, error, context)
  }
  // The signal's reason, not the error, says whether time ran out: WebKit (WebKitGTK 2.50 at
  // least) rejects an aborted fetch with a plain AbortError whatever the signal's reason was.
  if (error instanceof TimeoutError || isTimeoutReason(error) || deadline.aborted || (signal.aborted && isTimeoutReason(signal.reason))) {
    return {
      status: 'failed',
      retryable: true,
      error: new TokenwardenError('timeout', 'The revocation endpoint did not answer in time.', { cause: safeCause(error) }),
      ...retryAfter,
    }
  }
  if (signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) {
    return {
      status: 'failed',
      retryable: true,
      error: new TokenwardenError('revocation-failed', 'The revocation request was aborted.', { cause: safeCause(error) }),
      ...retryAfter,
    }
  }
  const page = pageOrigin()
  if (error instanceof TypeError && page !== undefined && page !== context.endpoint.origin) {
    return {
      status: 'failed',
      retryable: true,
      maybeCors: true,
      error: new TokenwardenError(
        'network',
        `The revocation endpoint ${context.endpoint.origin} could not be reached, or the answer was blocked by CORS: ` +
          `the server must send Access-Control-Allow-Origin for ${page}. Without it the token may well be revoked, but the answer cannot be read.`,
        { cause: safeCause(error) },
      ),
    }
  }
  return {
    status: 'failed',
    retryable: true,
    error: new TokenwardenError('network', 'The revocation endpoint could not be reached.', { cause: safeCause(error) }),
  }
}

/** Enough for any OAuth error; a larger body is not read to the end (it could be megabytes). */
const maxBodyBytes = 64 * 1024

/**
 * The body as text, or undefined when it is longer than {@link maxBodyBytes}, cannot be
 * read, or `signal` aborts first: a slow or endless body must not hold logout past its bound.
 */
async function readBody(response: Response, signal: AbortSignal): Promise<string | undefined> {
  const stream = response.body
  // The usual answer (RFC 7009 §2.2: "the content of the response body is ignored by the
  // client"): nothing to read, so no stream read on logout's path.
  if (!stream || response.headers.get('content-length') === '0') return ''
  const reader = stream.getReader()
  const onAbort = () => void reader.cancel().catch(() => undefined)
  if (signal.aborted) onAbort()
  else signal.addEventListener('abort', onAbort, { once: true })
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (signal.aborted) return undefined
      size += value.byteLength
      if (size > maxBodyBytes) {
        void reader.cancel().catch(() => undefined)
        return undefined
      }
      chunks.push(value)
    }
  } catch {
    return undefined
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  return signal.aborted ? undefined : new Blob(chunks as BlobPart[]).text()
}

/**
 * `Retry-After` in milliseconds (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. A negative
 * delay or a date in the past is 0; anything else unreadable is ignored (undefined).
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (/^-?\d+$/.test(text)) return clampMs(Number(text) * 1000)
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return clampMs(date - now)
}

function clampMs(ms: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, ms))
}

/** The page's origin, or undefined outside a page (Node, a worker without one, an opaque origin). */
function pageOrigin(): string | undefined {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin
  return typeof origin === 'string' && origin !== 'null' && /^https?:/.test(origin) ? origin : undefined
}
