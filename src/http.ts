import ky, { type KyInstance } from 'ky'
import { isTokenwardenError } from './errors.js'

export interface HttpClientHooks {
  getAccessToken(): Promise<string>
  /** The server refused `rejected`: return a newer token (refreshing at most once). */
  refreshAfterRejection(rejected: string | undefined): Promise<string>
  fetch?: typeof fetch
}

const retriedKey = 'tokenwardenRetriedAfter401'

/**
 * The authenticated client: a ky instance whose hooks attach the bearer token (RFC 6750 §2.1)
 * and, on a 401, get a new token and send the request once more. The marker in ky's
 * per-request `context` makes sure that happens once per request, so it can never loop.
 */
export function createHttpClient(hooks: HttpClientHooks): KyInstance {
  return ky.create({
    ...(hooks.fetch ? { fetch: hooks.fetch } : {}),
    // ky retries failed GETs; a TokenwardenError (signed out, refresh refused) will not get
    // better by waiting, so it surfaces at once.
    retry: { shouldRetry: ({ error }) => (isTokenwardenError(error) ? false : undefined) },
    hooks: {
      beforeRequest: [
        async (request) => {
          request.headers.set('authorization', `Bearer ${await hooks.getAccessToken()}`)
        },
      ],
      afterResponse: [
        async (request, options, response) => {
          if (response.status !== 401 || options.context[retriedKey]) return response
          options.context[retriedKey] = true
          const rejected = request.headers.get('authorization')?.replace(/^Bearer /, '')
          const token = await hooks.refreshAfterRejection(rejected)
          const retry = new Request(request)
          retry.headers.set('authorization', `Bearer ${token}`)
          return ky.retry({ request: retry, code: 'TOKEN_REFRESHED', delay: 0 })
        },
      ],
    },
  })
}
