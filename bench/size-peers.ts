// The smallest real lifecycle, written as an app's entry file for tokenwarden and for each
// library we compare with: configure, sign in with PKCE (redirect), handle the callback, get an
// access token (refreshed when due), refresh, and log out (revoking where the library can).
// bench/size.ts bundles each entry the same way, with the library's own dependencies inside.
// Each entry calls the methods, so whatever a bundler can drop, it drops, for every library alike.

export interface LifecycleEntry {
  /** Row label; also the package whose version is reported. */
  name: string
  /** The package to read the version from. */
  package: string
  /** What the entry imports and calls, for the table's notes. */
  imports: string
  code: string
}

export const TOKENWARDEN_LIFECYCLE: LifecycleEntry = {
  name: 'tokenwarden',
  package: 'tokenwarden',
  imports:
    '`createSession`: `start`, `handleCallback`, `login`, `getAccessToken`, `refresh`, `logout` (revokes refresh + access tokens, tells every tab); with the oidc chunk these load',
  code: `import { createSession } from 'tokenwarden'
export async function lifecycle(options) {
  const session = createSession(options)
  await session.start()
  await session.handleCallback()
  await session.login()
  await session.getAccessToken()
  await session.refresh()
  await session.logout()
}
`,
}

export const PEERS: LifecycleEntry[] = [
  {
    name: 'oidc-client-ts',
    package: 'oidc-client-ts',
    imports:
      '`UserManager`: `signinRedirect`, `signinCallback`, `getUser`, `signinSilent` (refresh-token grant), `revokeTokens` (both tokens), `signoutRedirect`',
    code: `import { UserManager } from 'oidc-client-ts'
export async function lifecycle(settings) {
  const manager = new UserManager(settings)
  await manager.signinRedirect()
  await manager.signinCallback()
  await manager.getUser()
  await manager.signinSilent()
  await manager.revokeTokens()
  await manager.signoutRedirect()
}
`,
  },
  {
    name: '@axa-fr/oidc-client',
    package: '@axa-fr/oidc-client',
    imports:
      '`OidcClient.getOrCreate`: `loginAsync`, `loginCallbackAsync`, `getValidTokenAsync`, `renewTokensAsync`, `logoutAsync` (revokes both tokens); its service worker not counted',
    code: `import { OidcClient } from '@axa-fr/oidc-client'
export async function lifecycle(configuration) {
  const oidc = OidcClient.getOrCreate(() => fetch)(configuration)
  await oidc.loginAsync()
  await oidc.loginCallbackAsync()
  await oidc.getValidTokenAsync()
  await oidc.renewTokensAsync()
  await oidc.logoutAsync()
}
`,
  },
  {
    name: 'keycloak-js',
    package: 'keycloak-js',
    imports:
      '`Keycloak`: `init` (`pkceMethod: "S256"`, handles the callback), `login`, `updateToken`, `logout` (end-session redirect; no revocation)',
    code: `import Keycloak from 'keycloak-js'
export async function lifecycle(config) {
  const keycloak = new Keycloak(config)
  await keycloak.init({ pkceMethod: 'S256' })
  await keycloak.login()
  await keycloak.updateToken(30)
  await keycloak.logout()
}
`,
  },
  {
    name: '@auth0/auth0-spa-js',
    package: '@auth0/auth0-spa-js',
    imports:
      '`Auth0Client`: `loginWithRedirect`, `handleRedirectCallback`, `getTokenSilently` (refresh tokens with `useRefreshTokens`), `logout` (its ESM build is one prebundled file)',
    code: `import { Auth0Client } from '@auth0/auth0-spa-js'
export async function lifecycle(options) {
  const auth0 = new Auth0Client(options)
  await auth0.loginWithRedirect()
  await auth0.handleRedirectCallback()
  await auth0.getTokenSilently()
  await auth0.logout()
}
`,
  },
  {
    name: '@azure/msal-browser',
    package: '@azure/msal-browser',
    imports:
      '`PublicClientApplication`: `initialize`, `loginRedirect`, `handleRedirectPromise`, `acquireTokenSilent`, `logoutRedirect` (with @azure/msal-common)',
    code: `import { PublicClientApplication } from '@azure/msal-browser'
export async function lifecycle(configuration) {
  const msal = new PublicClientApplication(configuration)
  await msal.initialize()
  await msal.loginRedirect()
  await msal.handleRedirectPromise()
  await msal.acquireTokenSilent({ scopes: ['openid'] })
  await msal.logoutRedirect()
}
`,
  },
  {
    name: '@okta/okta-auth-js',
    package: '@okta/okta-auth-js',
    imports:
      '`OktaAuth` from `@okta/okta-auth-js/core` (OAuth/OIDC without the IDX and authn modules): `signInWithRedirect`, `handleLoginRedirect`, `getAccessToken`, `tokenManager.renew`, `signOut` (revokes both tokens)',
    code: `import { OktaAuth } from '@okta/okta-auth-js/core'
export async function lifecycle(options) {
  const okta = new OktaAuth(options)
  await okta.signInWithRedirect()
  await okta.handleLoginRedirect()
  await okta.getAccessToken()
  await okta.tokenManager.renew('accessToken')
  await okta.signOut()
}
`,
  },
]
