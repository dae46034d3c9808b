// oidc-client-ts as an app uses it without redirects: a UserManager on a localStorage user store
// (shared by the tabs, as tokenwarden's IndexedDB is; its default, sessionStorage, is not), its
// closest to a logout without leaving the page (revokeTokens() then removeUser()), its
// `userUnloaded` event for a UI. It never tells another tab.

import { type IdTokenClaims, User, UserManager, type UserManagerSettings, WebStorageStateStore } from 'oidc-client-ts'
import { type BenchConfig, type BenchTokens, type LibraryAdapter, message, until } from './adapter.js'

function settings(config: BenchConfig, extra: Partial<UserManagerSettings> = {}): UserManagerSettings {
  return {
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scope,
    loadUserInfo: false,
    // node-oidc-provider answers a revocation with 200 and an empty text/plain body.
    revokeTokenAdditionalContentTypes: ['text/plain'],
    automaticSilentRenew: false,
    userStore: new WebStorageStateStore({ store: window.localStorage }),
    ...extra,
  }
}

function userOf(tokens: BenchTokens, expiresAtSeconds: number): User {
  return new User({
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    token_type: tokens.token_type,
    scope: tokens.scope,
    // The ID token's own claims (iss, sub, aud, exp, iat, …), decoded in Node.
    profile: { ...tokens.claims } as IdTokenClaims,
    expires_at: expiresAtSeconds,
  })
}

export function oidcClientTsAdapter(): LibraryAdapter {
  /** This tab's UserManager: one at a time, a new one replacing the last. */
  let current: UserManager | undefined
  /** What its silent renew reported since startAt. */
  let renewErrors: string[] = []

  const manager = () => {
    if (!current) throw new Error('bench: no oidc-client-ts UserManager in this tab')
    return current
  }

  return {
    async seed(config, tokens, expiresAt) {
      await new UserManager(settings(config)).storeUser(userOf(tokens, Math.floor(expiresAt / 1000)))
    },

    async restore(config) {
      current?.stopSilentRenew()
      current = new UserManager(settings(config))
      await current.metadataService.getMetadata()
      return (await current.getUser()) !== null
    },

    async logout() {
      // Its closest to a logout without a redirect: revoke both tokens, then forget the user.
      const um = manager()
      await um.revokeTokens()
      await um.removeUser()
      return 'revoked, removed'
    },

    // `userUnloaded` (raised by removeUser()); another tab's logout raises nothing here.
    onSignedOut(seen) {
      const um = manager()
      let done = false
      const once = () => {
        if (done) return
        done = true
        seen(null)
      }
      um.events.addUserUnloaded(once)
      return () => um.events.removeUserUnloaded(once)
    },

    watchLogout: () => ({ errors: [], stop: () => {} }),

    // Its closest to a cold start: no start step, no IndexedDB; a UserManager reading its user.
    async coldStart(config) {
      const calledAt = performance.now()
      const user = await new UserManager(settings(config)).getUser()
      return { signedIn: user !== null, ms: performance.now() - calledAt }
    },

    // A UserManager with automatic silent renew on the stored user, as an app tab creates at
    // load; its "expiring" timer fires about a second later, after this resolves.
    async startAt(config, at) {
      await until(at)
      renewErrors = []
      const um = new UserManager(settings(config, { automaticSilentRenew: true, accessTokenExpiringNotificationTimeInSeconds: 60 }))
      um.events.addSilentRenewError((error) => {
        renewErrors.push(message(error))
      })
      current = um
      return { errors: [] }
    },

    async currentToken() {
      const um = manager()
      const user = await um.getUser()
      um.stopSilentRenew()
      return { ...(user?.access_token ? { token: user.access_token } : {}), errors: renewErrors }
    },
  }
}
