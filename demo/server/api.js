// The protected resource `GET /api/me`: a bearer token in, the account out; 401 once the token
// is dead (revoked, expired, its grant or session gone), so tests can prove a token is dead by a
// refused call as well as by introspection.

import { ACCOUNTS } from './provider.js'

/**
 * @param {any} provider the node-oidc-provider instance
 * @param {{ issuer: string, setCors: (ctx: any, options?: { methods?: string, expose?: string }) => boolean }} options
 */
export function apiMiddleware(provider, { issuer, setCors }) {
  return async (ctx, next) => {
    if (ctx.path !== '/api/me') return next()

    setCors(ctx, { methods: 'GET', expose: 'WWW-Authenticate' })
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
    const unauthorized = (description) => {
      ctx.status = 401
      ctx.set('WWW-Authenticate', `Bearer realm="${issuer}", error="invalid_token", error_description="${description}"`)
      ctx.body = { error: 'invalid_token', error_description: description }
    }
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))
    if (!match) {
      ctx.status = 401
      ctx.set('WWW-Authenticate', `Bearer realm="${issuer}"`)
      ctx.body = { error: 'invalid_request', error_description: 'no bearer token' }
      return
    }
    const token = await provider.AccessToken.find(match[1])
    if (!token || !token.isValid) return unauthorized('token is invalid, expired or revoked')
    if (token.grantId) {
      const grant = await provider.Grant.find(token.grantId)
      if (!grant || grant.clientId !== token.clientId || grant.accountId !== token.accountId) {
        return unauthorized('grant revoked')
      }
    }
    if (token.expiresWithSession) {
      const session = await provider.Session.findByUid(token.sessionUid)
      if (!session || session.accountId !== token.accountId) return unauthorized('session ended')
    }
    const account = ACCOUNTS[token.accountId]
    ctx.body = {
      sub: token.accountId,
      name: account?.name,
      scope: token.scope,
      clientId: token.clientId,
      tokenExpiresAt: token.exp,
    }
  }
}
