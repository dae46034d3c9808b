import ky, { type KyInstance } from 'ky'
import { isTokenwardenError } from '../errors.js'
import { type Destination, destinationOf, destinationRefused } from './destinations.js'

/** DPoP for `session.http` (RFC 9449 §7): a proof per request, and the servers' nonces. */
export interface HttpDPoP {
  /** A proof for this request and token, or undefined when the token is not DPoP-bound. */
  proof(request: { method: string; url: string; accessToken: string }): Promise<string | undefined>
  rememberNonce(url: string, nonce: string): void
}

export interface HttpClientHooks {
  /** Where the token may go; a request anywhere else is refused before it is sent. */
  destinations: readonly Destination[]
  /** A request to `origin` was refused: no token, no proof, no request. */
  onRefused(origin: string): void
  /** The token for `destination`: the session's, or its resource's (RFC 8707). */
  getAccessToken(destination: Destination): Promise<string>
  /** `destination` refused `rejected`: return a newer token (refreshing at most once). */
  refreshAfterRejection(rejected: string | undefined, destination: Destination): Promise<string>
  dpop?: HttpDPoP
  fetch?: typeof fetch
}

const retriedKey = 'tokenwardenRetriedAfter401'
const nonceRetriedKey = 'tokenwardenRetriedWithNonce'

/** RFC 9449 §9: `WWW-Authenticate: DPoP error="use_dpop_nonce"` with a `DPoP-Nonce` header. */
const asksForNonce = (response: Response) =>
  (response.status === 401 || response.status === 400) &&
  /(^|,)\s*DPoP\b[\s\S]*\berror="use_dpop_nonce"/i.test(response.headers.get('www-authenticate') ?? '')

/**
 * The authenticated client: a ky instance whose hooks attach the access token, as a bearer
 * token (RFC 6750 §2.1) or with a DPoP proof (RFC 9449 §7.1) when it is bound, and, on a 401,
 * get a new token and send the request once more. The markers in ky's per-request `context`
 * make sure each retry happens once per request, so it can never loop. ky runs
 * `beforeRequest` again for a retry, so every attempt carries a fresh proof.
 */
export function createHttpClient(hooks: HttpClientHooks): KyInstance {
  const { dpop } = hooks
  return ky.create({
    ...(hooks.fetch ? { fetch: hooks.fetch } : {}),
    // ky retries failed GETs; a TokenwardenError (signed out, refresh refused) will not get
    // better by waiting, so it surfaces at once.
    retry: { shouldRetry: ({ error }) => (isTokenwardenError(error) ? false : undefined) },
    hooks: {
      beforeRequest: [
        async (request) => {
          // Before the token is even read: nothing of the session goes to an undeclared place,
          // and a 401 from there can never spend a refresh.
          const destination = destinationOf(hooks.destinations, request.url)
          if (!destination) {
            const { origin } = new URL(request.url)
            hooks.onRefused(origin)
            throw destinationRefused(origin)
          }
          const accessToken = await hooks.getAccessToken(destination)
          const proof = await dpop?.proof({ method: request.method, url: request.url, accessToken })
          request.headers.set('authorization', `${proof ? 'DPoP' : 'Bearer'} ${accessToken}`)
          if (proof) request.headers.set('dpop', proof)
        },
      ],
      afterResponse: [
        async (request, options, response) => {
          const nonce = dpop && response.headers.get('dpop-nonce')
          if (nonce) {
            // A server may hand out its next nonce on any answer (RFC 9449 §8.2).
            // …and it is that server's: after a redirect, the origin that answered, not the one asked.
            dpop.rememberNonce(response.url || request.url, nonce)
            if (asksForNonce(response) && !options.context[nonceRetriedKey]) {
              options.context[nonceRetriedKey] = true
              return ky.retry({ code: 'DPOP_NONCE', delay: 0 })
            }
          }
          if (response.status !== 401 || options.context[retriedKey]) return response
          options.context[retriedKey] = true
          const rejected = request.headers.get('authorization')?.replace(/^(Bearer|DPoP) /, '')
          // The request went out, so it matched a destination (the same one, the URL being the same).
          await hooks.refreshAfterRejection(rejected, destinationOf(hooks.destinations, request.url)!)
          // ky runs `beforeRequest` again for the retry: it attaches the new token (and proof).
          return ky.retry({ code: 'TOKEN_REFRESHED', delay: 0 })
        },
      ],
    },
  })
}
