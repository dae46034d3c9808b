// node-oidc-provider, configured as the dev authorization server: the public SPA client, its
// DPoP twin (`<clientId>-dpop`, which must use DPoP), the confidential introspector, the demo
// account, token lifetimes, revocation, introspection, RP-initiated logout and DPoP (RFC 9449).

import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto'
import { createAdapterClass } from './adapter.js'
import { escapeHtml, htmlPage } from './html.js'

export const INTROSPECTOR_ID = 'tokenwarden-introspector'
export const ACCOUNT_ID = 'demo-user'
export const ACCOUNTS = {
  'demo-user': { sub: 'demo-user', name: 'Demo User', email: 'demo@example.test', email_verified: true },
}
export const SCOPES = ['openid', 'profile', 'email', 'offline_access']

// Loading oidc-provider (once per process), without its "unsupported runtime" notice on Node 20.
let providerModule
export function loadProvider(quiet) {
  providerModule ??= (async () => {
    const original = console.warn
    if (quiet) {
      console.warn = (...args) => {
        if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return
        original.apply(console, args)
      }
    }
    try {
      return await import('oidc-provider')
    } finally {
      console.warn = original
    }
  })()
  return providerModule
}

// One RS256 signing key per process (ID tokens default to RS256; generating RSA takes a moment).
let signingKey
function loadSigningKey() {
  signingKey ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, privateKey) => {
      if (err) reject(err)
      else resolve({ ...privateKey.export({ format: 'jwk' }), kid: `dev-${randomUUID()}`, use: 'sig', alg: 'RS256' })
    })
  })
  return signingKey
}

const findAccount = async (_ctx, sub) => {
  const claims = ACCOUNTS[sub]
  if (!claims) return undefined
  return { accountId: sub, claims: async () => ({ ...claims }) }
}

/**
 * @param {{
 *   issuer: string, clientId: string, spaOrigins: readonly string[], quiet: boolean,
 *   accessTokenTtl: number, refreshTokenTtl: number, introspectorSecret: string,
 *   store: ReturnType<typeof import('./adapter.js').createMapStore>,
 *   isAllowedOrigin: (origin: unknown) => boolean,
 *   revokeOnlyPresented: () => boolean,
 *   dpop: boolean,
 *   requireDpopNonce: () => boolean,
 * }} options
 */
export async function createProvider(options) {
  const {
    issuer,
    clientId,
    spaOrigins,
    accessTokenTtl,
    refreshTokenTtl,
    introspectorSecret,
    store,
    isAllowedOrigin,
    revokeOnlyPresented,
    dpop,
    requireDpopNonce,
  } = options
  const { default: Provider, errors } = await loadProvider(options.quiet)
  const jwk = await loadSigningKey()

  const redirectUris = spaOrigins.flatMap((o) => [`${o}/callback`, `${o}/`, `${o}/react/callback`, `${o}/vue/callback`])
  const postLogoutRedirectUris = spaOrigins.flatMap((o) => [`${o}/`, `${o}/react/`, `${o}/vue/`])

  // The fault applies only inside a revocation request (Provider.ctx is the current request).
  const inRevocationOnlyPresented = () => revokeOnlyPresented() && Provider.ctx?.oidc?.route === 'revocation'

  const spaClient = {
    client_id: clientId,
    client_name: 'tokenwarden demo',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    scope: SCOPES.join(' '),
  }

  return new Provider(issuer, {
    adapter: createAdapterClass(store, inRevocationOnlyPresented),
    clients: [
      spaClient,
      // The same SPA, but the token endpoint refuses it any token without a DPoP proof.
      ...(dpop
        ? [{ ...spaClient, client_id: `${clientId}-dpop`, client_name: 'tokenwarden demo (DPoP)', dpop_bound_access_tokens: true }]
        : []),
      {
        client_id: INTROSPECTOR_ID,
        client_secret: introspectorSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    scopes: SCOPES,
    conformIdTokenClaims: false,
    clientBasedCORS: (_ctx, origin) => isAllowedOrigin(origin),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    // Default policy, plus: the 'revokeOnlyPresented' fault keeps the Grant itself alive.
    revokeGrantPolicy: (ctx) => {
      if (ctx.oidc.route === 'revocation' && (revokeOnlyPresented() || ctx.oidc.entities.AccessToken)) return false
      return true
    },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: Math.max(refreshTokenTtl, 3600),
      Grant: Math.max(refreshTokenTtl, accessTokenTtl, 3600),
      ClientCredentials: 600,
      // Like the default: a rotated refresh token of a public client keeps the remaining
      // lifetime of the one it replaces (absolute lifetime = refreshTokenTtl).
      RefreshToken: (ctx) => {
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken
        return rotated ? rotated.remainingTTL : refreshTokenTtl
      },
    },
    features: {
      devInteractions: { enabled: false },
      // On by default in oidc-provider 9; a nonce secret lets it hand out DPoP-Nonce values
      // (and expose the header to the SPA), and the fault switch makes the token endpoint
      // demand one (RFC 9449 §8).
      dPoP: dpop ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => requireDpopNonce() } : { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true
          if (client.clientAuthMethod === 'none') return false
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token')
        },
      },
      introspection: {
        enabled: true,
        // The confidential introspector may introspect any token; others only their own.
        allowedPolicy: async (_ctx, client, token) => client.clientId === INTROSPECTOR_ID || token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        // Auto-confirms (logout=yes) so headless runs need no click; the button stays for humans.
        logoutSource: async (ctx, form) => {
          ctx.body = htmlPage(
            'Signing out',
            `${form}
<p>Signing out of ${escapeHtml(ctx.host)}…</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout-yes">Sign out</button>
<script>document.getElementById('logout-yes').click()</script>`,
          )
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = htmlPage('Signed out', '<h1>Signed out</h1>')
        },
      },
    },
    // Own pages: the built-in ones @import a web font from a public CDN.
    renderError: async (ctx, out) => {
      ctx.type = 'html'
      ctx.body = htmlPage(
        'Error',
        `<h1>Error</h1>${Object.entries(out)
          .map(([k, v]) => `<pre><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</pre>`)
          .join('')}`,
      )
    },
  })
}
