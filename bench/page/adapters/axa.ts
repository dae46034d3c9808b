// @axa-fr/oidc-client as an app uses it without a service worker: its client restored from
// storage at load (tryKeepExistingSessionAsync), its default logout minus the navigation, its
// events for a UI (`logout_from_same_tab`, `logout_from_another_tab`).

import { OidcClient } from '@axa-fr/oidc-client'
import { type LibraryAdapter, message } from './adapter.js'

/** Its storage key prefix is `oidc.<configuration name>`. */
const NAME = 'bench'

export function axaAdapter(): LibraryAdapter {
  /** Its client: one per page and configuration name (getOrCreate), kept once made. */
  let client: OidcClient | undefined

  const started = () => {
    if (!client) throw new Error('bench: no @axa-fr/oidc-client client in this tab')
    return client
  }

  return {
    /**
     * Writes the tokens the way @axa-fr/oidc-client keeps them without a service worker
     * (initSession.ts: `{ tokens, status }` under `oidc.<name>`), with `issuedAt` so that its
     * `setTokens()` computes the expiry. localStorage, not its default sessionStorage: only a
     * shared storage lets another tab notice the logout at all (its renew timer re-reads storage
     * every second).
     */
    async seed(config, tokens, expiresAt) {
      const expiresAtSeconds = Math.floor(expiresAt / 1000)
      localStorage.setItem(
        `oidc.${NAME}`,
        JSON.stringify({
          tokens: {
            accessToken: tokens.access_token,
            refreshToken: tokens.refresh_token,
            idToken: tokens.id_token,
            idTokenPayload: tokens.claims,
            scope: tokens.scope,
            tokenType: tokens.token_type,
            expiresIn: tokens.expires_in,
            issuedAt: expiresAtSeconds - tokens.expires_in,
          },
          status: 'LOGGED_IN',
        }),
      )
      // What its loginAsync() leaves behind (login.ts); restoring a session reads it.
      localStorage.setItem(`oidc.login.${NAME}`, JSON.stringify({ callbackPath: '/', extras: null, scope: config.scope }))
    },

    async restore(config) {
      client ??= OidcClient.getOrCreate(() => fetch)(
        {
          authority: config.authority,
          client_id: config.clientId,
          redirect_uri: config.redirectUri,
          scope: config.scope,
          storage: localStorage,
          // No service worker: `service_worker_relative_url` is not set.
        },
        NAME,
      )
      await client.tryKeepExistingSessionAsync()
      return client.tokens !== null && client.tokens !== undefined
    },

    // Its default logout (revokes both tokens) without the navigation to end_session, which
    // would unload the page being measured.
    logout: () =>
      started()
        .logoutAsync(null, { 'no_reload:oidc': 'true' })
        .then(() => 'cleared'),

    onSignedOut(seen, otherTab) {
      const watched = started()
      const wanted = otherTab ? 'logout_from_another_tab' : 'logout_from_same_tab'
      let done = false
      const id = watched.subscribeEvents((name) => {
        if (name !== wanted || done) return
        done = true
        seen(null)
      })
      return () => watched.removeEventSubscription(id)
    },

    watchLogout() {
      const watched = started()
      const errors: string[] = []
      const id = watched.subscribeEvents((name, data) => {
        if (name === 'logoutAsync_error') errors.push(message(data))
      })
      return { errors, stop: () => watched.removeEventSubscription(id) }
    },
  }
}
