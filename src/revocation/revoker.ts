import { TokenwardenError, toTokenwardenError } from '../errors.js'
import type { TokenSet, TokenTypeHint } from '../tokens.js'
import type { RevocationOutcome } from './answer.js'
import { revokeToken, type RevokeTokenOptions } from './request.js'
import { raceAbort } from '../util/index.js'

/** A token to revoke, with the hint that says what it is. */
export interface RevocationTarget {
  token: string
  hint: TokenTypeHint
}

/** The tokens of a set that exist, refresh token first, as revocation targets. */
export function targetsOf(tokens: TokenSet | undefined): RevocationTarget[] {
  return [
    ...(tokens?.refreshToken ? [{ token: tokens.refreshToken, hint: 'refresh_token' as const }] : []),
    ...(tokens?.accessToken ? [{ token: tokens.accessToken, hint: 'access_token' as const }] : []),
  ]
}

/** What a session revokes with: its client, its settings, and where to find the endpoint. */
export interface RevokerConfig extends Omit<RevokeTokenOptions, 'endpoint' | 'signal' | 'timeoutMs'> {
  /** The revocation endpoint from discovery (cached), or undefined when the metadata has none. */
  endpoint(): Promise<string | undefined>
  client_id: string
  client_secret?: string | undefined
}

/** Revokes targets together within a bound: what logout and the outbox call. Never rejects. */
export type Revoker = (
  targets: readonly RevocationTarget[],
  bound: { signal: AbortSignal; timeoutMs: number },
) => Promise<RevocationOutcome[]>

/**
 * A {@link Revoker} for one client. Every target is sent concurrently, each with its own
 * `token_type_hint`: logout's refresh and access token cost one round trip together. A
 * missing endpoint, a discovery that does not answer within the bound, or bad configuration
 * is reported per token.
 */
export function createRevoker(config: RevokerConfig): Revoker {
  const { endpoint: findEndpoint, client_id, client_secret, ...rest } = config
  const failAll = (targets: readonly RevocationTarget[], error: TokenwardenError, retryable: boolean): RevocationOutcome[] =>
    targets.map(() => ({ status: 'failed', error, retryable }))
  return async (targets, { signal, timeoutMs }) => {
    if (targets.length === 0) return []
    let endpoint: string | undefined
    try {
      endpoint = await raceAbort(findEndpoint(), signal)
    } catch (error) {
      return failAll(targets, toTokenwardenError(error, 'timeout', 'The server metadata did not load in time to revoke.'), true)
    }
    if (!endpoint) {
      const error = new TokenwardenError(
        'revocation-unavailable',
        'The server metadata has no revocation_endpoint: the token was removed locally but not revoked.',
      )
      return failAll(targets, error, false)
    }
    return Promise.all(
      targets.map(async ({ token, hint }): Promise<RevocationOutcome> => {
        try {
          const request = { token, token_type_hint: hint, client_id, ...(client_secret ? { client_secret } : {}) }
          return await revokeToken(request, { ...rest, endpoint, signal, timeoutMs })
        } catch (error) {
          // Bad configuration (an http endpoint, say): reported per token, never thrown.
          return {
            status: 'failed',
            retryable: false,
            error: toTokenwardenError(error, 'revocation-failed', 'The revocation could not be sent.'),
          }
        }
      }),
    )
  }
}
