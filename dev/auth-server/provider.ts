// node-oidc-provider, configured as the dev authorization server: the public SPA client, its
// DPoP twin (`<clientId>-dpop`, which must use DPoP), the confidential introspector, the demo
// account, token lifetimes, revocation, introspection, RP-initiated logout, DPoP (RFC 9449) and
// resource indicators (RFC 8707: two APIs of their own audience, resourceApis).

import { generateKeyPair, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createAdapterClass, type MapStore } from './adapter.js'
import { escapeHtml, htmlPage } from './html.js'
import type { Context, Middleware } from './koa.js'

export const INTROSPECTOR_ID = 'tokenwarden-introspector'
export const ACCOUNT_ID = 'demo-user'
export const ACCOUNTS: Record<string, { sub: string; name: string; email: string; email_verified: boolean }> = {
  'demo-user': { sub: 'demo-user', name: 'Demo User', email: 'demo@example.test', email_verified: true },
}
export const SCOPES = ['openid', 'profile', 'email', 'offline_access']

/**
 * The two protected APIs of the dev server, each its own resource (RFC 8707) with its own
 * audience and scope: a token asked for one names it in `aud`, and the other refuses it (api.ts).
 * Their tokens are opaque, so they can be revoked and introspected (the JWT format answers
 * `unsupported_token_type` at both).
 */
export const resourceApis = (issuer: string) => ({
  [`${issuer}/api-a`]: { path: '/api-a/me', scope: 'a:read' },
  [`${issuer}/api-b`]: { path: '/api-b/me', scope: 'b:read' },
})

/** The redirect URIs registered for an app's origin: its root, `/callback`, the demo's React, Vue and Angular pages, its silent-callback page. */
export const redirectUrisFor = (origin: string) => [
  `${origin}/callback`,
  `${origin}/silent-callback.html`,
  `${origin}/`,
  `${origin}/react/callback`,
  `${origin}/vue/callback`,
  `${origin}/angular/callback`,
]

/** An access token as the provider keeps it (the fields /api/me reads). */
export interface AccessTokenModel {
  isValid: boolean
  accountId: string
  clientId: string
  scope: string
  exp: number
  grantId?: string
  /** The resource (RFC 8707) a token was issued for: absent for the default token. */
  aud?: string | string[]
  /** The JWK thumbprint a DPoP-bound token is bound to (RFC 9449 §6). */
  jkt?: string
  expiresWithSession?: boolean
  sessionUid?: string
}

export interface GrantModel {
  accountId: string
  clientId: string
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: string[]): void
  addResourceScope(indicator: string, scope: string): void
  save(): Promise<string>
}

export interface InteractionDetails {
  prompt: {
    name: string
    details?: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> }
  }
  params: Record<string, unknown>
  session?: { accountId?: string }
  grantId?: string
}

/** The part of a node-oidc-provider instance the dev server uses. */
export interface OidcProvider {
  AccessToken: { find(token: string): Promise<AccessTokenModel | undefined> }
  RefreshToken: { find(token: string): Promise<object | undefined> }
  Grant: { new (fields: { accountId: string; clientId: string }): GrantModel; find(id: string): Promise<GrantModel | undefined> }
  Session: { findByUid(uid: string): Promise<{ accountId?: string } | undefined> }
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
  interactionResult(
    req: IncomingMessage,
    res: ServerResponse,
    result: object,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<string>
  use(middleware: Middleware): void
  callback(): (req: IncomingMessage, res: ServerResponse) => void
}

/** A client as the provider's policies see it. */
interface ClientModel {
  clientId: string
  clientAuthMethod: string
  grantTypeAllowed(grant: string): boolean
}

/** What `import('oidc-provider')` gives: the class (whose `ctx` is the request being handled) and its errors. */
interface ProviderModule {
  default: { new (issuer: string, configuration: object): OidcProvider; ctx?: Context }
  errors: { InvalidRequest: new (description: string) => Error; InvalidTarget: new (description?: string) => Error }
}

// Loading oidc-provider (once per process), without its "unsupported runtime" notice on Node 20.
let providerModule: Promise<ProviderModule> | undefined
export function loadProvider(quiet: boolean) {
  providerModule ??= (async () => {
    const original = console.warn
    if (quiet) {
      console.warn = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return
        original.apply(console, args)
      }
    }
    try {
      return (await import('oidc-provider')) as ProviderModule
    } finally {
      console.warn = original
    }
  })()
  return providerModule
}

// One RS256 signing key per process (ID tokens default to RS256; generating RSA takes a moment).
let signingKey: Promise<JsonWebKey> | undefined
function loadSigningKey() {
  signingKey ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, privateKey) => {
      if (err) reject(err)
      else resolve({ ...privateKey.export({ format: 'jwk' }), kid: `dev-${randomUUID()}`, use: 'sig', alg: 'RS256' })
    })
  })
  return signingKey
}

const findAccount = async (_ctx: Context, sub: string) => {
  const claims = ACCOUNTS[sub]
  if (!claims) return undefined
  return { accountId: sub, claims: async () => ({ ...claims }) }
}

export interface ProviderOptions {
  issuer: string
  clientId: string
  spaOrigins: readonly string[]
  quiet: boolean
  accessTokenTtl: number
  refreshTokenTtl: number
  introspectorSecret: string
  store: MapStore
  isAllowedOrigin: (origin: unknown) => boolean
  revokeOnlyPresented: () => boolean
  dpop: boolean
  requireDpopNonce: () => boolean
}

export async function createProvider(options: ProviderOptions): Promise<OidcProvider> {
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

  const redirectUris = spaOrigins.flatMap(redirectUrisFor)
  const postLogoutRedirectUris = spaOrigins.flatMap((o) => [`${o}/`, `${o}/react/`, `${o}/vue/`, `${o}/angular/`])

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
      // The same SPA as a server that gives a browser no refresh token (issueRefreshToken
      // below asks the grant types): it stays signed in by silent renewal, `prompt=none`.
      {
        ...spaClient,
        client_id: `${clientId}-norefresh`,
        client_name: 'tokenwarden demo (no refresh token)',
        grant_types: ['authorization_code'],
      },
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
    clientBasedCORS: (_ctx: Context, origin: string) => isAllowedOrigin(origin),
    issueRefreshToken: async (_ctx: Context, client: ClientModel) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    // Default policy, plus: the 'revokeOnlyPresented' fault keeps the Grant itself alive.
    revokeGrantPolicy: (ctx: Context) => {
      if (ctx.oidc?.route === 'revocation' && (revokeOnlyPresented() || ctx.oidc.entities?.AccessToken)) return false
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
      RefreshToken: (ctx: Context | undefined) => {
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken as { remainingTTL: number } | undefined
        return rotated ? rotated.remainingTTL : refreshTokenTtl
      },
    },
    features: {
      devInteractions: { enabled: false },
      // On by default in oidc-provider 9; a nonce secret lets it hand out DPoP-Nonce values
      // (and expose the header to the SPA), and the fault switch makes the token endpoint
      // demand one (RFC 9449 §8).
      dPoP: dpop ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => requireDpopNonce() } : { enabled: false },
      // RFC 8707: a sign-in may name the APIs of resourceApis; a refresh grant that names one
      // gets a token for it alone. Without `resource`, the token is the default one (/api/me).
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: Context, indicator: string) => {
          const api = resourceApis(issuer)[indicator]
          if (!api) throw new errors.InvalidTarget()
          return { scope: api.scope, audience: indicator, accessTokenFormat: 'opaque', accessTokenTTL: accessTokenTtl }
        },
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: Context, client: ClientModel, token: { clientId: string }) => {
          if (token.clientId === client.clientId) return true
          if (client.clientAuthMethod === 'none') return false
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token')
        },
      },
      introspection: {
        enabled: true,
        // The confidential introspector may introspect any token; others only their own.
        allowedPolicy: async (_ctx: Context, client: ClientModel, token: { clientId: string }) =>
          client.clientId === INTROSPECTOR_ID || token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        // Auto-confirms (logout=yes) so headless runs need no click; the button stays for humans.
        logoutSource: async (ctx: Context, form: string) => {
          ctx.body = htmlPage(
            'Signing out',
            `${form}
<p>Signing out of ${escapeHtml(ctx.host)}…</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout-yes">Sign out</button>
<script>document.getElementById('logout-yes').click()</script>`,
          )
        },
        postLogoutSuccessSource: async (ctx: Context) => {
          ctx.body = htmlPage('Signed out', '<h1>Signed out</h1>')
        },
      },
    },
    // Own pages: the built-in ones @import a web font from a public CDN.
    renderError: async (ctx: Context, out: Record<string, unknown>) => {
      ctx.type = 'html'
      // A redirect URI this server does not know is the usual first error of a new app: say
      // which ones it knows, and how to add the app's origin.
      const registered =
        out.error === 'invalid_redirect_uri'
          ? `<p>Registered redirect URIs:</p><ul>${redirectUris.map((uri) => `<li><code>${escapeHtml(uri)}</code></li>`).join('')}</ul>` +
            '<p>Start the dev server with <code>npm run demo -- --spa-origin &lt;your app&#39;s origin&gt;</code> to register another app.</p>'
          : ''
      ctx.body = htmlPage(
        'Error',
        `<h1>Error</h1>${Object.entries(out)
          .map(([k, v]) => `<pre><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</pre>`)
          .join('')}${registered}`,
      )
    },
  })
}
