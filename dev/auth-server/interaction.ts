// The auto-approving interaction: GET /interaction/:uid signs 'demo-user' in and grants what
// was asked, with no form, so browsers and Node (signInHeadless) sign in without a click.

import { escapeHtml, htmlPage } from './html.js'
import type { Context, Middleware, Next } from './koa.js'
import { ACCOUNT_ID, type InteractionDetails, type OidcProvider, SCOPES } from './provider.js'

export function interactionMiddleware(provider: OidcProvider): Middleware {
  return async (ctx: Context, next: Next) => {
    const interaction = /^\/interaction\/([^/]+)$/.exec(ctx.path)
    if (!interaction || ctx.method !== 'GET') return next()

    ctx.set('Cache-Control', 'no-store')
    let details: InteractionDetails
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res)
    } catch (err) {
      ctx.status = 400
      ctx.type = 'html'
      ctx.body = htmlPage('Sign-in failed', `<h1>Sign-in failed</h1><pre>${escapeHtml(err instanceof Error ? err.message : err)}</pre>`)
      return
    }
    const { prompt, params, session, grantId: existingGrantId } = details
    const accountId = session?.accountId ?? ACCOUNT_ID
    const grant =
      (existingGrantId && (await provider.Grant.find(existingGrantId))) ||
      new provider.Grant({ accountId, clientId: String(params.client_id) })
    const missing = prompt.details ?? {}
    // On the login prompt the consent details are not computed yet: grant the requested
    // scopes now so that one round trip is enough; anything still missing (e.g. claims of
    // a `claims` parameter) comes back as a consent prompt and is granted then.
    const scopes = new Set(missing.missingOIDCScope ?? [])
    if (prompt.name === 'login' && typeof params.scope === 'string') {
      for (const s of params.scope.split(' ')) if (SCOPES.includes(s)) scopes.add(s)
    }
    if (scopes.size) grant.addOIDCScope([...scopes].join(' '))
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims)
    for (const [indicator, list] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, list.join(' '))
    }
    const grantId = await grant.save()
    const result: { consent: { grantId: string }; login?: { accountId: string } } = { consent: { grantId } }
    if (prompt.name === 'login' || !session?.accountId) result.login = { accountId }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false })
    ctx.redirect(returnTo)
    ctx.status = 303
  }
}
