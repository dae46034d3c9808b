// The protected resources `GET /api/me` (the default token), `/api-a/me` and `/api-b/me` (each
// only a token for its own audience, RFC 8707): a bearer token in, the account out; 401 once the token
// is dead (revoked, expired, its grant or session gone), so tests can prove a token is dead by a
// refused call as well as by introspection.
//
// DPoP (RFC 9449 §7): a token the provider bound to a key (`jkt`) is accepted only as
// `Authorization: DPoP <token>` with a proof signed by that key, for this request (htm, htu),
// recent (iat), not replayed (jti), for this token (ath); with the apiDpopNonce fault, also
// with the API's current nonce. The proof is checked here with node:crypto, independently of
// the library under test (ES256 only, which is what tokenwarden sends).

import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto'
import type { Context, Middleware, Next, SetCors } from './koa.js'
import { ACCOUNTS, type OidcProvider, resourceApis } from './provider.js'

const PROOF_WINDOW_S = 60
const b64url = (buffer: Buffer) => Buffer.from(buffer).toString('base64url')
const sha256 = (text: string) => b64url(createHash('sha256').update(text).digest())

interface ProofHeader {
  typ?: unknown
  alg?: unknown
  jwk?: { kty?: string; crv?: string; x?: string; y?: string; d?: string }
}

/** Checks a DPoP proof for one request; returns its JWK thumbprint (RFC 7638) and payload. */
function checkProof(
  proof: string,
  { method, url, accessToken, seen }: { method: string; url: string; accessToken: string; seen: Map<string, number> },
): { thumbprint: string; payload: Record<string, unknown> } | { error: string } {
  const parts = typeof proof === 'string' ? proof.split('.') : []
  if (parts.length !== 3) return { error: 'DPoP proof missing or malformed' }
  const [encodedHeader = '', encodedPayload = '', signature = ''] = parts
  let header: ProofHeader
  let payload: Record<string, unknown>
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'))
    payload = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'))
  } catch {
    return { error: 'DPoP proof is not a JWT' }
  }
  const jwk = header.jwk
  if (
    header.typ !== 'dpop+jwt' ||
    header.alg !== 'ES256' ||
    jwk?.kty !== 'EC' ||
    jwk.crv !== 'P-256' ||
    typeof jwk.x !== 'string' ||
    typeof jwk.y !== 'string' ||
    jwk.d
  ) {
    return { error: 'DPoP proof header must be typ dpop+jwt, alg ES256, a public P-256 jwk' }
  }
  const { crv, kty, x, y } = jwk as { crv: string; kty: string; x: string; y: string }
  let valid = false
  try {
    const key = createPublicKey({ key: { crv, kty, x, y }, format: 'jwk' })
    valid = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    )
  } catch {
    valid = false
  }
  if (!valid) return { error: 'DPoP proof signature invalid' }
  if (payload.htm !== method) return { error: 'DPoP proof htm mismatch' }
  const htu = URL.parse(String(payload.htu))
  if (htu) {
    htu.search = ''
    htu.hash = ''
  }
  if (htu?.href !== url) return { error: 'DPoP proof htu mismatch' }
  if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > PROOF_WINDOW_S)
    return { error: 'DPoP proof iat not recent' }
  if (typeof payload.jti !== 'string' || !payload.jti) return { error: 'DPoP proof jti missing' }
  if (payload.ath !== sha256(accessToken)) return { error: 'DPoP proof ath mismatch' }
  if (seen.has(payload.jti)) return { error: 'DPoP proof replayed' }
  seen.set(payload.jti, Date.now() + 2 * PROOF_WINDOW_S * 1000)
  return { thumbprint: sha256(JSON.stringify({ crv, kty, x, y })), payload }
}

export function apiMiddleware(
  provider: OidcProvider,
  { issuer, setCors, requireDpopNonce }: { issuer: string; setCors: SetCors; requireDpopNonce: () => boolean },
): Middleware {
  /** jti → when it may be forgotten (after the iat window it would be refused anyway). */
  const seen = new Map<string, number>()
  // The API's own nonce (RFC 9449 §9): one per server run is enough to prove the retry.
  const nonce = randomBytes(16).toString('base64url')
  return async (ctx: Context, next: Next) => {
    // `/api/me` takes the default token; `/api-a/me` and `/api-b/me` (RFC 8707) each only a
    // token whose audience is that API: a token of one is refused by the other.
    const audience = Object.entries(resourceApis(issuer)).find(([, api]) => api.path === ctx.path)?.[0]
    if (ctx.path !== '/api/me' && !audience) return next()

    setCors(ctx, { methods: 'GET', expose: 'WWW-Authenticate, DPoP-Nonce' })
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204
      return
    }
    if (ctx.method !== 'GET') {
      ctx.status = 405
      ctx.set('Allow', 'GET, OPTIONS')
      return
    }
    ctx.set('Cache-Control', 'no-store')
    const unauthorized = (description: string) => {
      ctx.status = 401
      ctx.set('WWW-Authenticate', `Bearer realm="${issuer}", error="invalid_token", error_description="${description}"`)
      ctx.body = { error: 'invalid_token', error_description: description }
    }
    const refuseDpop = (error: string, description: string, extra: Record<string, string> = {}) => {
      ctx.status = 401
      ctx.set('WWW-Authenticate', `DPoP algs="ES256", error="${error}", error_description="${description}"`)
      for (const [name, value] of Object.entries(extra)) ctx.set(name, value)
      ctx.body = { error, error_description: description }
    }
    const match = /^(Bearer|DPoP)\s+(\S+)$/i.exec(ctx.get('authorization'))
    if (!match) {
      ctx.status = 401
      ctx.set('WWW-Authenticate', `Bearer realm="${issuer}", DPoP algs="ES256"`)
      ctx.body = { error: 'invalid_request', error_description: 'no access token' }
      return
    }
    const scheme = match[1]!.toLowerCase()
    const presented = match[2]!
    const token = await provider.AccessToken.find(presented)
    if (!token?.isValid) return unauthorized('token is invalid, expired or revoked')
    const aud = [token.aud ?? []].flat()
    if (audience ? !aud.includes(audience) : aud.length) return unauthorized(`token is not for ${audience ?? 'this API'}`)
    for (const [jti, until] of seen) if (until < Date.now()) seen.delete(jti)
    if (token.jkt) {
      // RFC 9449 §7.1: a bound token is no bearer token; it needs its key's proof.
      if (scheme !== 'dpop') return refuseDpop('invalid_token', 'DPoP-bound token presented without DPoP')
      const proof = checkProof(ctx.get('dpop'), { method: ctx.method, url: `${issuer}${ctx.path}`, accessToken: presented, seen })
      if ('error' in proof) return refuseDpop('invalid_dpop_proof', proof.error)
      if (proof.thumbprint !== token.jkt) return refuseDpop('invalid_token', 'DPoP proof key does not match the token binding')
      if (requireDpopNonce() && proof.payload.nonce !== nonce) {
        return refuseDpop('use_dpop_nonce', 'Resource server requires nonce in DPoP proof', { 'DPoP-Nonce': nonce })
      }
    } else if (scheme === 'dpop') {
      return refuseDpop('invalid_token', 'the token is not DPoP-bound')
    }
    if (token.grantId) {
      const grant = await provider.Grant.find(token.grantId)
      if (!grant || grant.clientId !== token.clientId || grant.accountId !== token.accountId) {
        return unauthorized('grant revoked')
      }
    }
    if (token.expiresWithSession) {
      const session = await provider.Session.findByUid(token.sessionUid ?? '')
      if (!session || session.accountId !== token.accountId) return unauthorized('session ended')
    }
    const account = ACCOUNTS[token.accountId]
    ctx.body = {
      sub: token.accountId,
      name: account?.name,
      scope: token.scope,
      aud: token.aud ?? null,
      clientId: token.clientId,
      tokenType: token.jkt ? 'DPoP' : 'Bearer',
      tokenExpiresAt: token.exp,
    }
  }
}
