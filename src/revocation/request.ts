import ky, { HTTPError } from 'ky'
import { defaults, maxTimerMs } from '../defaults.js'
import { TokenwardenError } from '../errors.js'
import type { ClientAuthentication, TokenTypeHint } from '../tokens.js'
import { anySignal, type Bound, bound, checkNumber, checkUrl, isAllowedEndpoint } from '../util/index.js'
import { parseRetryAfter, readSuccess, toOutcome, type AttemptContext, type RevocationOutcome } from './answer.js'

export type { RevocationOutcome }
export { parseRetryAfter }

/**
 * The one rule for client authentication, used by `createSession` and `revokeToken`: a secret
 * means `client_secret_basic` unless told otherwise; `none` never sends a secret; the secret
 * methods need one. Throws `invalid-options`.
 */
export function resolveClientAuthentication(requested: unknown, hasSecret: boolean, secretName: string): ClientAuthentication {
  const auth = requested ?? (hasSecret ? 'client_secret_basic' : 'none')
  if (auth !== 'none' && auth !== 'client_secret_basic' && auth !== 'client_secret_post') {
    throw new TokenwardenError('invalid-options', '`clientAuthentication` must be "none", "client_secret_basic" or "client_secret_post".')
  }
  if (auth === 'none' && hasSecret) {
    throw new TokenwardenError('invalid-options', `\`clientAuthentication: "none"\` cannot be used with a \`${secretName}\`.`)
  }
  if (auth !== 'none' && !hasSecret) {
    throw new TokenwardenError('invalid-options', `\`clientAuthentication: "${auth}"\` needs a \`${secretName}\`.`)
  }
  return auth
}

/**
 * One revocation request (RFC 7009 §2.1), in the protocol's own field names.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export interface RevokeTokenRequest {
  /** The access or refresh token to revoke. */
  token: string
  /** Which kind of token `token` is; a hint the server may use to look it up faster. */
  token_type_hint?: TokenTypeHint
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
   * The longest `Retry-After` waited for before a retry. A server that asks for longer is not
   * sent to again: the outcome is `failed`, retryable, with the server's `retryAfterMs`.
   * @default 2000
   */
  maxRetryAfterMs?: number
  /** Send with `fetch` keepalive, so the request survives the page navigating away. @default true */
  keepalive?: boolean
  /** Allow a plain-http endpoint on a non-loopback host. @default false */
  allowInsecureHttp?: boolean
  /** Aborts the request; the outcome is then `failed`. */
  signal?: AbortSignal
  /** Seam: the `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch
}

/** RFC 6749 §2.3.1 / Appendix B: id and secret are form-urlencoded before Basic encoding. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

function validate(request: RevokeTokenRequest, options: RevokeTokenOptions): Omit<Revocation, 'within' | 'signal'> {
  if (typeof request !== 'object' || request === null) {
    throw new TokenwardenError('invalid-request', 'revokeToken expects a RevokeTokenRequest object.')
  }
  if (typeof options !== 'object' || options === null) {
    throw new TokenwardenError('invalid-options', 'revokeToken expects an options object with an `endpoint`.')
  }
  if (typeof request.token !== 'string' || request.token === '') {
    throw new TokenwardenError('invalid-request', 'RevokeTokenRequest.token must be a non-empty string.')
  }
  const hint = request.token_type_hint
  if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
    throw new TokenwardenError('invalid-request', 'RevokeTokenRequest.token_type_hint must be "access_token" or "refresh_token".')
  }
  const limit = (name: 'timeoutMs' | 'retryLimit' | 'maxRetryAfterMs', rule: Parameters<typeof checkNumber>[2]) =>
    options[name] === undefined ? defaults.revocation[name] : checkNumber(name, options[name], rule)
  const authentication = resolveClientAuthentication(options.clientAuthentication, Boolean(request.client_secret), 'client_secret')
  if (authentication !== 'none' && !request.client_id) {
    throw new TokenwardenError('invalid-options', `clientAuthentication "${authentication}" needs a client_id.`)
  }
  return {
    endpoint: revocationEndpoint(options.endpoint, options.allowInsecureHttp ?? false),
    token: request.token,
    ...(hint ? { hint } : {}),
    client: { id: request.client_id, secret: request.client_secret, authentication },
    limits: {
      timeoutMs: limit('timeoutMs', { min: 1, max: maxTimerMs }),
      retryLimit: limit('retryLimit', { min: 0, integer: true }),
      maxRetryAfterMs: limit('maxRetryAfterMs', { min: 0 }),
      keepalive: options.keepalive ?? defaults.revocation.keepalive,
    },
    fetch: options.fetch,
  }
}

/**
 * The revocation endpoint as a URL, if tokens may go there: https (RFC 7009 §2), or http on
 * loopback or with the development opt-in. Throws `invalid-options`.
 */
export function revocationEndpoint(endpoint: string, allowInsecureHttp: boolean): URL {
  const url = checkUrl('endpoint', endpoint)
  if (!isAllowedEndpoint(url, allowInsecureHttp)) {
    throw new TokenwardenError(
      'invalid-options',
      `The revocation endpoint must use https (RFC 7009 §2); ${url.origin} is plain http on a host that is not loopback.`,
    )
  }
  return url
}

/** Who revokes: the client's id and secret, and how it authenticates (RFC 6749 §2.3.1). */
export interface RevocationClient {
  readonly id: string | undefined
  readonly secret: string | undefined
  readonly authentication: ClientAuthentication
}

/** How long and how often a revocation may try (see {@link RevokeTokenOptions}). */
export interface RevocationLimits {
  /** How long each attempt may take (ky's timeout); `within` bounds them together. */
  readonly timeoutMs: number
  readonly retryLimit: number
  readonly maxRetryAfterMs: number
  readonly keepalive: boolean
}

/** One revocation with every input checked and defaulted: what {@link sendRevocation} sends. */
export interface Revocation {
  endpoint: URL
  token: string
  hint?: TokenTypeHint
  client: RevocationClient
  limits: RevocationLimits
  fetch: typeof fetch | undefined
  /** The time bound: when it runs out, the outcome is a `timeout`. */
  within: Bound
  /** Aborts the request (the caller gave up): the outcome is then `failed`. */
  signal?: AbortSignal
}

/**
 * Revokes one token (RFC 7009). The token goes only in the form-encoded POST body, never in
 * the URL. Resolves to the outcome for that token; rejects only for bad input
 * (`invalid-request`, `invalid-options`), never because the server failed.
 *
 * The outcome is `revoked` only when the server said so: a 2xx that was not a redirect and
 * whose JSON body, if any, carries no `error`. A redirect is never followed (the token would
 * be sent again, to wherever it points) and is a failure. A 503 is retried as RFC 7009 §2.2.1
 * allows (revocation is idempotent), never before its `Retry-After`: waited for up to
 * `maxRetryAfterMs`, and not retried when the server asks for longer; all within `timeoutMs`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(request: RevokeTokenRequest, options: RevokeTokenOptions): Promise<RevocationOutcome> {
  const revocation = validate(request, options)
  return sendRevocation({
    ...revocation,
    within: bound(revocation.limits.timeoutMs),
    ...(options.signal ? { signal: options.signal } : {}),
  })
}

/**
 * Sends one revocation whose inputs were checked already (by {@link revokeToken}, or once at
 * `createSession` for a session's revoker). Never rejects: every failure is an outcome.
 */
export async function sendRevocation(revocation: Revocation): Promise<RevocationOutcome> {
  const { endpoint, token, hint, client, limits, within } = revocation
  const body = new URLSearchParams({ token })
  if (hint) body.set('token_type_hint', hint)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (client.authentication === 'client_secret_basic') {
    headers.authorization = `Basic ${btoa(`${formEncode(client.id!)}:${formEncode(client.secret!)}`)}`
  } else {
    if (client.id) body.set('client_id', client.id)
    if (client.authentication === 'client_secret_post') body.set('client_secret', client.secret!)
  }
  const secrets = [token, ...(client.secret ? [client.secret] : [])]
  const context: AttemptContext = { endpoint, secrets, retryAfterMs: undefined }

  // ky clones every request before it sends it, to keep one for a retry (Ky.#fetch, ky 1.14):
  // a request with a body has that body teed into two streams (Chromium: most of the built-in
  // time on logout's path), and then goes out as a stream, slower than bytes. So ky builds and
  // clones the request without a body, and each attempt adds the form, as bytes, at the fetch
  // seam: ky still sends it, retries it, times it and reads the answer.
  const form = body.toString()
  headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8'
  const send = revocation.fetch ?? globalThis.fetch
  const fetchForm: typeof fetch = (input, init) => send(input instanceof Request ? new Request(input, { body: form }) : input, init)

  // ky's own timeout bounds each attempt; `within` bounds the attempts together.
  const signal = revocation.signal ? anySignal([within.signal, revocation.signal]) : within.signal
  try {
    const response = await ky.post(endpoint, {
      headers,
      signal,
      timeout: Math.min(limits.timeoutMs, within.remainingMs()),
      credentials: 'omit',
      cache: 'no-store',
      // A revocation endpoint never legitimately redirects a POST. Following would re-send
      // the token (307/308) to wherever the redirect points, or turn the POST into a GET of a
      // login page whose 200 would read as success (301/302/303).
      redirect: 'manual',
      ...(limits.keepalive ? { keepalive: true } : {}),
      fetch: fetchForm,
      retry: {
        limit: limits.retryLimit,
        methods: ['post'],
        statusCodes: [503],
        afterStatusCodes: [503],
        maxRetryAfter: limits.maxRetryAfterMs,
        retryOnTimeout: false,
        // Only a 503 is worth retrying now. A network error means offline more often than not:
        // report it at once (logout must stay quick) and let the caller decide.
        shouldRetry: ({ error }) => {
          if (!(error instanceof HTTPError)) return false
          // Remembered now: if the bound cuts the wait short, the outcome still says it.
          context.retryAfterMs = parseRetryAfter(error.response.headers.get('retry-after'))
          // Never sooner than the server asked (RFC 9110 §10.2.3): ky would wait the cap and
          // send. A longer wait is left to whoever retries later (the outbox), with the figure.
          if (context.retryAfterMs !== undefined && context.retryAfterMs > limits.maxRetryAfterMs) return false
          return undefined
        },
      },
    })
    return await readSuccess(response, signal, context)
  } catch (error) {
    return toOutcome(error, within.signal, signal, context)
  }
}
