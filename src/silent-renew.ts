import { isTokenwardenError, TokenwardenError } from './errors.js'
import type { Emit, RenewedVia } from './events.js'
import type { Protocol } from './protocol/index.js'
import type { IssuedTokens, TokenSet } from './tokens.js'

/**
 * When the session renews with `prompt=none` in a hidden frame (README, "Staying signed in"):
 * - `off`: never; without a usable refresh token the session ends at expiry;
 * - `fallback`: only when the refresh grant cannot serve: no refresh token, or the server
 *   refused it (`invalid_grant`: expired, revoked, past the server's absolute limit);
 * - `on`: always, even with a refresh token (which is then only revoked at the end).
 */
export type SilentRenewMode = 'off' | 'fallback' | 'on'

/** What renewing needs from the session. */
export interface RenewPort {
  /** `off` as well when there is no silent-callback page or the protocol cannot renew silently. */
  mode: SilentRenewMode
  protocol: Pick<Protocol, 'refresh' | 'silentRenew'>
  /** False when the browser knows it is offline: a frame would only time out. */
  online(): boolean
  now(): number
  emit: Emit
}

/** What a renewal brought, and which way. */
export interface Renewed {
  issued: IssuedTokens
  via: RenewedVia
}

/**
 * Which grant renews a session's tokens, and the fallback from one to the other. The caller
 * (refresh-grant.ts) holds the cross-tab lock and does the check-and-write: whichever way the tokens
 * come, one renewal per expiry happens across all tabs.
 */
export class Renewal {
  readonly #port: RenewPort
  /** The refresh grant was refused in the renewal under way: its refresh token is dead. */
  #refused = false

  constructor(port: RenewPort) {
    this.#port = port
  }

  get #silent(): boolean {
    return this.#port.mode !== 'off'
  }

  /**
   * New tokens for `current`: the refresh grant when there is a refresh token (and mode is not
   * `on`); silent renewal when there is none, or the server refused it. A refresh grant that
   * failed otherwise (the network, a 5xx) is not a reason to open a frame: the server is the
   * same, so that error is thrown as it is. Silent renewal fails with `login-required`.
   */
  async renew(current: IssuedTokens): Promise<Renewed> {
    const { protocol, emit, now } = this.#port
    this.#refused = false
    // A refresh token the server said has ended is not sent: silent renewal, when there is one.
    const { refreshExpiresAt } = current.tokens
    const ended = this.#silent && refreshExpiresAt !== undefined && refreshExpiresAt <= now()
    if (current.tokens.refreshToken && this.#port.mode !== 'on' && !ended) {
      const startedAt = now()
      try {
        return { issued: await protocol.refresh(current), via: 'refresh-token' }
      } catch (error) {
        // Read, not rethrown here: the refresher redacts what it reports (the server may echo the token).
        if (!this.#silent || !isTokenwardenError(error) || error.error !== 'invalid_grant') throw error
        this.#refused = true
        // The server's error code only: the refused token stays out of events.
        emit({ type: 'refresh-failed', code: error.code, error: 'invalid_grant', durationMs: now() - startedAt })
      }
    }
    if (!this.#silent || !protocol.silentRenew) {
      throw new TokenwardenError('refresh-failed', 'There is no refresh token, and silent renewal is off.')
    }
    // Offline, the frame would load an error page and time out: that is no answer from the
    // server, and must not end the session. The next attempt (back online) tries again.
    if (!this.#port.online()) throw new TokenwardenError('network', 'Offline: the session will be renewed silently once back online.')
    return { issued: await protocol.silentRenew(current), via: 'silent' }
  }

  /**
   * What is still alive of `tokens` after a renewal ended the session: all of them, but the
   * refresh token when the server refused it (it is dead; revoking it would be a wasted request).
   */
  held(tokens: TokenSet): TokenSet {
    if (!this.#refused) return tokens
    const { refreshToken: _, ...alive } = tokens
    return alive
  }
}
