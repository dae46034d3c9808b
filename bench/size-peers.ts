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

/**
 * An entry that imports `from`, makes a client with `make` (its argument is `options`) and
 * awaits each of `calls` on it, in order.
 */
function lifecycle(name: string, imports: string, from: string, make: string, calls: string[], pkg = name): LifecycleEntry {
  const steps = calls.map((call) => `  await client.${call}\n`).join('')
  return { name, package: pkg, imports, code: `${from}\nexport async function lifecycle(options) {\n  const client = ${make}\n${steps}}\n` }
}

export const TOKENWARDEN_LIFECYCLE: LifecycleEntry = lifecycle(
  'tokenwarden',
  '`createSession`: `start`, `handleCallback`, `login`, `getAccessToken`, `refresh`, `logout` (revokes refresh + access tokens, tells every tab); with the chunks these load (oidc, sign-in, refresh)',
  "import { createSession } from 'tokenwarden'",
  'createSession(options)',
  ['start()', 'handleCallback()', 'login()', 'getAccessToken()', 'refresh()', 'logout()'],
)

export const PEERS: LifecycleEntry[] = [
  lifecycle(
    'oidc-client-ts',
    '`UserManager`: `signinRedirect`, `signinCallback`, `getUser`, `signinSilent` (refresh-token grant), `revokeTokens` (both tokens), `signoutRedirect`',
    "import { UserManager } from 'oidc-client-ts'",
    'new UserManager(options)',
    ['signinRedirect()', 'signinCallback()', 'getUser()', 'signinSilent()', 'revokeTokens()', 'signoutRedirect()'],
  ),
  lifecycle(
    '@axa-fr/oidc-client',
    '`OidcClient.getOrCreate`: `loginAsync`, `loginCallbackAsync`, `getValidTokenAsync`, `renewTokensAsync`, `logoutAsync` (revokes both tokens); its service worker not counted',
    "import { OidcClient } from '@axa-fr/oidc-client'",
    'OidcClient.getOrCreate(() => fetch)(options)',
    ['loginAsync()', 'loginCallbackAsync()', 'getValidTokenAsync()', 'renewTokensAsync()', 'logoutAsync()'],
  ),
  lifecycle(
    'keycloak-js',
    '`Keycloak`: `init` (`pkceMethod: "S256"`, handles the callback), `login`, `updateToken`, `logout` (end-session redirect; no revocation)',
    "import Keycloak from 'keycloak-js'",
    'new Keycloak(options)',
    ["init({ pkceMethod: 'S256' })", 'login()', 'updateToken(30)', 'logout()'],
  ),
  lifecycle(
    '@auth0/auth0-spa-js',
    '`Auth0Client`: `loginWithRedirect`, `handleRedirectCallback`, `getTokenSilently` (refresh tokens with `useRefreshTokens`), `logout` (its ESM build is one prebundled file)',
    "import { Auth0Client } from '@auth0/auth0-spa-js'",
    'new Auth0Client(options)',
    ['loginWithRedirect()', 'handleRedirectCallback()', 'getTokenSilently()', 'logout()'],
  ),
  lifecycle(
    '@azure/msal-browser',
    '`PublicClientApplication`: `initialize`, `loginRedirect`, `handleRedirectPromise`, `acquireTokenSilent`, `logoutRedirect` (with @azure/msal-common)',
    "import { PublicClientApplication } from '@azure/msal-browser'",
    'new PublicClientApplication(options)',
    ['initialize()', 'loginRedirect()', 'handleRedirectPromise()', "acquireTokenSilent({ scopes: ['openid'] })", 'logoutRedirect()'],
  ),
  lifecycle(
    '@okta/okta-auth-js',
    '`OktaAuth` from `@okta/okta-auth-js/core` (OAuth/OIDC without the IDX and authn modules): `signInWithRedirect`, `handleLoginRedirect`, `getAccessToken`, `tokenManager.renew`, `signOut` (revokes both tokens)',
    "import { OktaAuth } from '@okta/okta-auth-js/core'",
    'new OktaAuth(options)',
    ['signInWithRedirect()', 'handleLoginRedirect()', 'getAccessToken()', "tokenManager.renew('accessToken')", 'signOut()'],
  ),
]
