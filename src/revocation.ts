import ky, { HTTPError, TimeoutError } from 'ky'
import { TokenwardenError } from './errors.js'
import { isAllowedEndpoint, type ClientAuthentication } from './options.js'

/**
 * One revocation request (RFC 7009 §2.1), in the protocol's own field names.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export interface RevokeTokenRequest {
  /** The access or refresh token to revoke. */
  token: string
  /** Which kind of token `token` is; a hint the server may use to look it up faster. */
  token_type_hint?: 'access_token' | 'refresh_token'
  /** The client's id: in the form body, or as the HTTP Basic user name. */
  client_id?: string
  /** Confidential clients only: in the form body, or as the HTTP Basic password. */
  client_secret?: string
}

/** Options of {@link revokeToken}. */
export interface RevokeTokenOptions {
  /** The server's `revocation_endpoint`. */
  endpoint: string
  /**
   * How the client authenticates (RFC 6749 §2.3.1).
   * `none`: `client_id` in the body (public clients). `client_secret_basic`: HTTP Basic with
   * the form-urlencoded id and secret. `client_secret_post`: both in the body.
   * @default 'client_secret_basic' when `client_secret` is set, else 'none'
   */
  clientAuthentication?: ClientAuthentication
  /**
   * Bound on the whole attempt, retries included.
   * @default 5000
   */
  timeoutMs?: number
  /**
   * How many times a 503 is retried, honouring `Retry-After` (RFC 7009 §2.2.1).
   * @default 2
   */
  retryLimit?: number
  /**
   * The longest `Retry-After` honoured; longer waits are cut to this.
   * @default 2000
   */
  maxRetryAfterMs?: number
  /** Send with `fetch` keepalive, so the request survives the page navigating away. @default false */
  keepalive?: boolean
  /** Allow a plain-http endpoint on a non-loopback host. @default false */
  allowInsecureHttp?: boolean
  /** Aborts the request; the outcome is then `failed`. */
  signal?: AbortSignal
  /** Seam: the `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch
}

/**
 * What became of one token:
 * - `revoked`: the server answered 200 (RFC 7009 §2.2: whatever the body), or `invalid_token`
 *   for a token that is already dead;
 * - `unsupported`: the server does not revoke this token type (`unsupported_token_type`);
 * - `failed`: anything else. `retryable` is true for network errors, timeouts, 5xx and 429,
 *   where sending the same request later may succeed.
 */
export type RevocationOutcome =
  | { status: 'revoked' }
  | { status: 'unsupported'; error: TokenwardenError }
  | { status: 'failed'; error: TokenwardenError; retryable: boolean }

const revocationDefaults = { timeoutMs: 5000, retryLimit: 2, maxRetryAfterMs: 2000 } as const

/** RFC 6749 §2.3.1 / Appendix B: id and secret are form-urlencoded before Basic encoding. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

function validate(request: RevokeTokenRequest, options: RevokeTokenOptions): ClientAuthentication {
  if (typeof request !== 'object' || request === null) {
    throw new TokenwardenError('invalid-request', 'revokeToken expects a RevokeTokenRequest object.')
  }
  if (typeof request.token !== 'string' || request.token === '') {
    throw new TokenwardenError('invalid-request', 'RevokeTokenRequest.token must be a non-empty string.')
  }
  const hint = request.token_type_hint
  if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
    throw new TokenwardenError('invalid-request', 'RevokeTokenRequest.token_type_hint must be "access_token" or "refresh_token".')
  }
  let endpoint: URL
  try {
    endpoint = new URL(options.endpoint)
  } catch (cause) {
    throw new TokenwardenError('invalid-options', 'revokeToken needs an absolute `endpoint` URL.', { cause })
  }
  if (!isAllowedEndpoint(endpoint, options.allowInsecureHttp ?? false)) {
    throw new TokenwardenError(
      'invalid-options',
      `The revocation endpoint must use https (RFC 7009 §2); ${endpoint.origin} is plain http on a host that is not loopback.`,
    )
  }
  const auth = options.clientAuthentication ?? (request.client_secret ? 'client_secret_basic' : 'none')
  if (auth === 'none') {
    if (request.client_secret) {
      throw new TokenwardenError('invalid-options', 'clientAuthentication "none" cannot send a client_secret.')
    }
  } else if (auth === 'client_secret_basic' || auth === 'client_secret_post') {
    if (!request.client_id || !request.client_secret) {
      throw new TokenwardenError('invalid-options', `clientAuthentication "${auth}" needs client_id and client_secret.`)
    }
  } else {
    throw new TokenwardenError('invalid-options', `Unknown clientAuthentication ${JSON.stringify(auth)}.`)
  }
  return auth
}

/** Aborts when either does. AbortSignal.any where it exists (Safari has it only since 17.4). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b])
  const controller = new AbortController()
  for (const signal of [a, b]) {
    if (signal.aborted) controller.abort(signal.reason)
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true })
  }
  return controller.signal
}

async function readOAuthError(response: Response): Promise<{ error?: string; error_description?: string }> {
  try {
    const body: unknown = await response.clone().json()
    if (typeof body !== 'object' || body === null) return {}
    const { error, error_description } = body as Record<string, unknown>
    return {
      ...(typeof error === 'string' ? { error } : {}),
      ...(typeof error_description === 'string' ? { error_description } : {}),
    }
  } catch {
    return {}
  }
}

/**
 * Revokes one token (RFC 7009). The token goes only in the form-encoded POST body, never in
 * the URL. Resolves to the outcome for that token; rejects only for bad input
 * (`invalid-request`, `invalid-options`), never because the server failed.
 *
 * A 503 is retried as RFC 7009 §2.2.1 allows (revocation is idempotent), honouring
 * `Retry-After` up to `maxRetryAfterMs`, all within `timeoutMs`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(request: RevokeTokenRequest, options: RevokeTokenOptions): Promise<RevocationOutcome> {
  const auth = validate(request, options)
  const timeoutMs = options.timeoutMs ?? revocationDefaults.timeoutMs
  const body = new URLSearchParams({ token: request.token })
  if (request.token_type_hint) body.set('token_type_hint', request.token_type_hint)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (auth === 'client_secret_basic') {
    headers.authorization = `Basic ${btoa(`${formEncode(request.client_id!)}:${formEncode(request.client_secret!)}`)}`
  } else {
    if (request.client_id) body.set('client_id', request.client_id)
    if (auth === 'client_secret_post') body.set('client_secret', request.client_secret!)
  }

  // ky's own timeout bounds each attempt; this signal bounds the attempts together.
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? eitherSignal(deadline, options.signal) : deadline
  try {
    const response = await ky.post(options.endpoint, {
      body,
      headers,
      signal,
      timeout: timeoutMs,
      credentials: 'omit',
      cache: 'no-store',
      ...(options.keepalive ? { keepalive: true } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      retry: {
        limit: options.retryLimit ?? revocationDefaults.retryLimit,
        methods: ['post'],
        statusCodes: [503],
        afterStatusCodes: [503],
        maxRetryAfter: options.maxRetryAfterMs ?? revocationDefaults.maxRetryAfterMs,
        retryOnTimeout: false,
        // Only a 503 is worth retrying now. A network error means offline more often than not:
        // report it at once (logout must stay quick) and let the caller decide.
        shouldRetry: ({ error }) => (error instanceof HTTPError ? undefined : false),
      },
    })
    // RFC 7009 §2.2: 200 means revoked; the body is to be ignored, whatever its type.
    void response.body?.cancel().catch(() => undefined)
    return { status: 'revoked' }
  } catch (error) {
    return toOutcome(error, signal)
  }
}

const isTimeoutReason = (reason: unknown) => reason instanceof DOMException && reason.name === 'TimeoutError'

/**
 * `signal` is what bounded the request (our deadline and the caller's). Its reason, not the
 * error, says whether time ran out: WebKit (WebKitGTK 2.50 at least) rejects an aborted fetch
 * with a plain AbortError whatever the signal's reason was.
 */
async function toOutcome(error: unknown, signal: AbortSignal): Promise<RevocationOutcome> {
  if (error instanceof HTTPError) {
    const { status } = error.response
    const fields = await readOAuthError(error.response)
    const details = { status, ...fields, cause: error }
    if (status === 400 && fields.error === 'unsupported_token_type') {
      return {
        status: 'unsupported',
        error: new TokenwardenError('revocation-unsupported', 'The server does not revoke this token type.', details),
      }
    }
    // A token already dead (its sibling's revocation killed the grant) is what we wanted.
    if (status === 400 && fields.error === 'invalid_token') return { status: 'revoked' }
    const retryable = status >= 500 || status === 429
    return {
      status: 'failed',
      retryable,
      error: new TokenwardenError(
        'revocation-failed',
        `The revocation endpoint answered ${status}${fields.error ? ` ${fields.error}` : ''}.`,
        details,
      ),
    }
  }
  if (error instanceof TimeoutError || isTimeoutReason(error) || (signal.aborted && isTimeoutReason(signal.reason))) {
    return {
      status: 'failed',
      retryable: true,
      error: new TokenwardenError('timeout', 'The revocation endpoint did not answer in time.', { cause: error }),
    }
  }
  if (error instanceof DOMException && error.name === 'AbortError') {
    return {
      status: 'failed',
      retryable: true,
      error: new TokenwardenError('revocation-failed', 'The revocation request was aborted.', { cause: error }),
    }
  }
  return {
    status: 'failed',
    retryable: true,
    error: new TokenwardenError('network', 'The revocation endpoint could not be reached.', { cause: error }),
  }
}

/** A token to revoke, with the hint that says what it is. */
export interface RevocationTarget {
  token: string
  hint: 'access_token' | 'refresh_token'
}

export interface RevokeEachOptions extends Omit<RevokeTokenOptions, 'endpoint'> {
  /** The revocation endpoint, or undefined when the server's metadata has none. */
  endpoint: string | undefined
  client_id: string
  client_secret?: string | undefined
}

/**
 * Revokes every target concurrently, each with its own `token_type_hint`: logout's refresh
 * and access token cost one round trip together. Never rejects: a missing endpoint or bad
 * configuration is reported per token.
 */
export function revokeEach(targets: readonly RevocationTarget[], options: RevokeEachOptions): Promise<RevocationOutcome[]> {
  const { endpoint, client_id, client_secret, ...rest } = options
  return Promise.all(
    targets.map(async ({ token, hint }): Promise<RevocationOutcome> => {
      if (!endpoint) {
        return {
          status: 'failed',
          retryable: false,
          error: new TokenwardenError(
            'revocation-unavailable',
            'The server metadata has no revocation_endpoint: the token was removed locally but not revoked.',
          ),
        }
      }
      try {
        return await revokeToken({ token, token_type_hint: hint, client_id, ...(client_secret ? { client_secret } : {}) }, { ...rest, endpoint })
      } catch (error) {
        // Bad configuration (an http endpoint, say): reported per token, never thrown.
        return {
          status: 'failed',
          retryable: false,
          error: error instanceof TokenwardenError ? error : new TokenwardenError('revocation-failed', String(error), { cause: error }),
        }
      }
    }),
  )
}
