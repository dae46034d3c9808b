// Mix-up defence: a browser app that talks to more than one authorization server must know which
// one answered. The callback's `iss` (RFC 9207) is checked before the code is exchanged, and the
// ID token's `iss`, `aud` and `azp` (OpenID Connect Core §3.1.3.7) before anything is stored.
import { TokenwardenError } from '../errors.js'
import type { Discovery } from './discovery.js'

const refuse = (message: string) => new TokenwardenError('issuer-mismatch', `${message}: refused, nothing was stored.`)

/**
 * RFC 9207 §2.4: the `iss` of the authorization response is compared whenever present, and
 * required when the server says it sends one (`authorization_response_iss_parameter_supported`).
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function checkCallbackIssuer(url: string, { metadata, isIssuer }: Discovery): void {
  const iss = new URL(url).searchParams.get('iss')
  if (iss === null) {
    if (metadata.authorization_response_iss_parameter_supported === true) {
      throw refuse('The authorization response has no `iss`, though the server says it always sends one (RFC 9207)')
    }
    return
  }
  if (!isIssuer(iss)) {
    throw refuse(`The authorization response comes from the issuer ${JSON.stringify(iss)}, not this session's (RFC 9207)`)
  }
}

/** The claims of a JWT, without verifying it (the token endpoint, reached over TLS, vouches for it). */
function claimsOf(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload = jwt.split('.')[1] ?? ''
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as unknown
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * OpenID Connect Core §3.1.3.7 steps 2–5: the ID token's `iss` is the issuer, its `aud` holds
 * this client, and with several audiences `azp` is this client.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export function checkIdToken(idToken: string | undefined, isIssuer: Discovery['isIssuer'], clientId: string): void {
  if (idToken === undefined) return
  const claims = claimsOf(idToken)
  if (!claims) throw refuse('The ID token could not be read')
  if (typeof claims.iss !== 'string' || !isIssuer(claims.iss)) {
    throw refuse(`The ID token was issued by ${JSON.stringify(claims.iss)}, not this session's issuer`)
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!audiences.includes(clientId)) throw refuse('The ID token is not meant for this client (aud)')
  if (audiences.length > 1 && claims.azp !== clientId) throw refuse('The ID token names several audiences, and another party (azp)')
}
