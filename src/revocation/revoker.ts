import { TokenwardenError, toTokenwardenError } from '../errors.js'
import type { ClientAuthentication, TokenSet, TokenTypeHint } from '../tokens.js'
import { type Bound, bound, raceAbort } from '../util/index.js'
import type { RevocationOutcome } from './answer.js'
import { type RevocationEmit, revocationEvent } from './events.js'
import { revocationEndpoint, sendRevocation } from './request.js'

/** A token to revoke, with the hint that says what it is. */
export interface RevocationTarget {
  token: string
  hint: TokenTypeHint
  /** The resource an access token is for (RFC 8707), when it is not the session's default one. */
  resource?: string
  /** When it expires anyway (ms since the epoch), when known. */
  expiresAt?: number | undefined
}

/**
 * The tokens of a set that exist, refresh token first, then the access token and each
 * resource's, as revocation targets.
 */
export function targetsOf(tokens: TokenSet | undefined): RevocationTarget[] {
  return [
    ...(tokens?.refreshToken ? [{ token: tokens.refreshToken, hint: 'refresh_token' as const }] : []),
    ...(tokens?.accessToken ? [{ token: tokens.accessToken, hint: 'access_token' as const, expiresAt: tokens.expiresAt }] : []),
    ...Object.entries(tokens?.resources ?? {}).map(([resource, { accessToken, expiresAt }]) => ({
      token: accessToken,
      hint: 'access_token' as const,
      resource,
      expiresAt,
    })),
  ]
}

/** Where a target's outcome is reported: under its hint, or its resource (LogoutResult). */
export const slotOf = (target: RevocationTarget): string => target.resource ?? target.hint

/**
 * The session's options revocation reads, under their own names: validated and defaulted once,
 * by `createSession`.
 */
export interface RevocationSettings {
  readonly clientId: string
  readonly clientSecret: string | undefined
  readonly clientAuthentication: ClientAuthentication
  readonly allowInsecureHttp: boolean
  readonly fetch: typeof fetch | undefined
  readonly revocation: {
    readonly timeoutMs: number
    readonly retryLimit: number
    readonly maxRetryAfterMs: number
    readonly keepalive: boolean
  }
}

/** Who is revoking: the `source` of the `revocation` events. */
export type RevocationSource = 'logout' | 'outbox'

/**
 * Revokes targets together, within `within` (by default `revocation.timeoutMs` from now), and
 * reports a `revocation` event for each. Never rejects: every failure is an outcome.
 */
export type Revoker = (targets: readonly RevocationTarget[], source: RevocationSource, within?: Bound) => Promise<RevocationOutcome[]>

/**
 * The {@link Revoker} of one session. Every target is sent concurrently, each with its own
 * `token_type_hint`: logout's refresh and access token cost one round trip together. A missing
 * endpoint, a discovery that does not answer within the bound, or an endpoint tokens may not go
 * to is reported per token.
 */
export function createRevoker(
  settings: RevocationSettings,
  findEndpoint: () => Promise<string | undefined>,
  emit: RevocationEmit,
): Revoker {
  const { revocation } = settings
  const client = { id: settings.clientId, secret: settings.clientSecret, authentication: settings.clientAuthentication }
  const failAll = (targets: readonly RevocationTarget[], error: TokenwardenError, retryable: boolean): RevocationOutcome[] =>
    targets.map(() => ({ status: 'failed', error, retryable }))
  const revokeAll = async (targets: readonly RevocationTarget[], within: Bound): Promise<RevocationOutcome[]> => {
    let endpoint: URL
    try {
      const found = await raceAbort(findEndpoint(), within.signal)
      if (!found) {
        const error = new TokenwardenError(
          'revocation-unavailable',
          'The server metadata has no revocation_endpoint: the token was removed locally but not revoked.',
        )
        return failAll(targets, error, false)
      }
      endpoint = revocationEndpoint(found, settings.allowInsecureHttp)
    } catch (error) {
      if (error instanceof TokenwardenError && error.code === 'invalid-options') return failAll(targets, error, false)
      return failAll(targets, toTokenwardenError(error, 'timeout', 'The server metadata did not load in time to revoke.'), true)
    }
    return Promise.all(
      targets.map(({ token, hint }) =>
        sendRevocation({ endpoint, token, hint, client, limits: revocation, fetch: settings.fetch, within }),
      ),
    )
  }
  return async (targets, source, within = bound(revocation.timeoutMs)) => {
    if (targets.length === 0) return []
    const outcomes = await revokeAll(targets, within)
    for (const [index, { hint }] of targets.entries()) emit(revocationEvent(hint, outcomes[index]!, source))
    return outcomes
  }
}
