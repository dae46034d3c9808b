import { TokenwardenError, toTokenwardenError } from './errors.js'
import type { Emit, RenewedVia } from './events.js'
import type { IssuedTokens, TokenSet } from './tokens.js'
import type { Outbox } from './revocation/index.js'
import type { SessionRecord, SessionStore } from './storage/index.js'
import type { EndReason, TabLock, TabMessage } from './tabs/index.js'
import { Alarm, type Timers } from './util/index.js'
import type { Renewal } from './silent-renew.js'
import { signedOutError, type LocalSession, type SignedOutReason } from './view/index.js'

/** What refreshing needs from the session. */
export interface RefreshPort {
  store: SessionStore
  local: LocalSession
  /** The cross-tab lock (keys.ts, `lock`); logout does without it (see logout.ts). */
  lock: TabLock
  /** The refresh grant, silent renewal, or one after the other (silent-renew.ts). */
  renewal: Renewal
  outbox: Outbox
  broadcast(type: TabMessage['type'], signInId: string | null, reason?: EndReason): void
  warn(message: string): void
  /** Refresh when the access token expires within this many ms. */
  leewayMs: number
  autoRefresh: boolean
  /**
   * With an idle limit: whether the user did something since `since` (idle.ts). A proactive
   * refresh waits for that, so a user who walked away does not keep the server's session alive.
   */
  activeSince?: (since: number) => boolean
  now: () => number
  timers: Timers
  emit: Emit
}

/**
 * The proactive refresh never fires sooner than this after the previous one, doubled for
 * every refresh in a row that brought tokens already due again (a server answering
 * `expires_in: 0`, say): without it such a server gets hundreds of grants a second.
 */
const refreshFloorMs = 1000
/** After this many refreshes in a row that brought tokens due at once, the session ends. */
const uselessRefreshLimit = 3

/**
 * When tokens are refreshed, and how: one refresh at a time in this tab and across tabs,
 * a check-and-write in one storage transaction, and a proactive timer before expiry.
 */
export class Refresher {
  readonly #port: RefreshPort
  readonly #alarm: Alarm
  #refreshing: Promise<IssuedTokens> | undefined
  #closed = false
  /** When this tab last refreshed, and how many refreshes in a row brought tokens due at once. */
  #lastRefreshAt = -Infinity
  #useless = 0
  /** A proactive refresh came due while the user was idle, and waits for activity. */
  #heldBack = false
  /**
   * Tokens the server issued that storage refused to keep (quota, a failing disk). They are
   * the newest: the refresh token in storage may be rotated away, so it is never sent again.
   */
  #unsaved: SessionRecord | undefined

  constructor(port: RefreshPort) {
    this.#port = port
    this.#alarm = new Alarm(port.timers, port.now)
  }

  /**
   * When a refresh is due: `leewayMs` before expiry, but never earlier than half the token's
   * lifetime, or tokens that live shorter than the leeway would be refreshed again as soon as
   * they arrive.
   */
  #dueAt(expiresAt: number, updatedAt: number): number {
    return expiresAt - Math.min(this.#port.leewayMs, Math.max(0, expiresAt - updatedAt) / 2)
  }

  #isDue(tokens: TokenSet, updatedAt: number): boolean {
    return tokens.expiresAt !== undefined && this.#dueAt(tokens.expiresAt, updatedAt) <= this.#port.now()
  }

  /** The access token, refreshed first when it is due. */
  async accessToken(): Promise<string> {
    const { local, lock, now } = this.#port
    const current = local.usable()
    const { tokens } = current
    if (!this.#isDue(tokens, current.updatedAt)) return tokens.accessToken
    if (!this.#port.renewal.possible(tokens)) {
      if (tokens.expiresAt !== undefined && tokens.expiresAt <= now()) {
        const error = new TokenwardenError('not-signed-in', 'The access token expired and there is no refresh token.')
        await lock(() => this.#end(current.signInId, 'expired'))
        throw error
      }
      return tokens.accessToken
    }
    return (await this.refresh(current)).tokens.accessToken
  }

  /** For `session.http`: the API refused `rejected`; get a newer token, at most one refresh. */
  async afterRejection(rejected: string | undefined): Promise<string> {
    const { local } = this.#port
    const current = local.current
    if (!current || local.loggingOut) throw signedOutError()
    if (rejected !== undefined && current.tokens.accessToken !== rejected) return current.tokens.accessToken
    return (await this.refresh(current, true)).tokens.accessToken
  }

  /**
   * One refresh at a time in this tab (concurrent callers share it), and, through the lock,
   * across tabs. Inside the lock storage is the truth: another tab may have refreshed
   * already (adopt its tokens: the refresh token we hold may be rotated away), or logged out.
   * The new tokens are written only if the session is still the one that was refreshed, in
   * the same transaction as that check: a logout that went ahead meanwhile wins, and the
   * tokens this refresh got are revoked instead of written back (no zombie session).
   * `force` refreshes even when the stored token is not due (the caller saw it refused).
   */
  refresh(seen: SessionRecord, force = false): Promise<IssuedTokens> {
    this.#refreshing ??= this.#port
      .lock(() => this.#refreshLocked(seen, force))
      .finally(() => {
        this.#refreshing = undefined
      })
    return this.#refreshing
  }

  async #refreshLocked(seen: SessionRecord, force: boolean): Promise<IssuedTokens> {
    const { store, local, renewal, outbox, broadcast, now } = this.#port
    const startedAt = now()
    const before = await store.read()
    if (before.status !== 'present' || before.record.signInId !== local.current?.signInId) {
      this.release(before.status === 'present' ? before.record.signInId : undefined)
      local.apply(before, 'other-tab')
      throw signedOutError()
    }
    // Tokens storage refused to keep are newer than what it holds: refresh with those.
    const stored = this.#unsaved?.signInId === before.record.signInId ? this.#unsaved : before.record
    const rotatedElsewhere = stored.tokens.accessToken !== seen.tokens.accessToken
    if (rotatedElsewhere && (!force || !this.#isDue(stored.tokens, stored.updatedAt))) {
      local.adopt(stored)
      this.#port.emit({ type: 'refreshed', by: 'other-tab', durationMs: now() - startedAt })
      return { tokens: stored.tokens, profile: stored.profile }
    }
    let next: IssuedTokens
    let via: RenewedVia
    try {
      ;({ issued: next, via } = await renewal.renew({ tokens: stored.tokens, profile: stored.profile }))
    } catch (error) {
      // A server may echo the refresh token it refused: the error goes to the snapshot and the app.
      const { refreshToken, accessToken, idToken } = stored.tokens
      const reported = toTokenwardenError(error, 'refresh-failed', 'The refresh grant failed.', [refreshToken, accessToken, idToken])
      this.#port.emit({
        type: 'refresh-failed',
        code: reported.code,
        ...(reported.error ? { error: reported.error } : {}),
        durationMs: now() - startedAt,
      })
      // The server refused the grant itself: the session is over in every tab. The refresh
      // token is dead; the access token may live on until it expires, so it is queued.
      // A refresh answered by another issuer (a mix-up) rotated the refresh token away: over too.
      // Silent renewal answered that the user must come back: over in every tab, once.
      if (reported.code === 'issuer-mismatch') await this.#end(stored.signInId, 'refresh-failed', reported)
      else if (reported.code === 'login-required') await this.#end(stored.signInId, 'login-required', reported, renewal.held(stored.tokens))
      else if (reported.error === 'invalid_grant') {
        const { refreshToken: _, ...alive } = stored.tokens
        await this.#end(stored.signInId, 'refresh-failed', reported, alive)
      }
      throw reported
    }
    // The resources' access tokens (resources.ts) outlive a refresh of the session's own.
    const tokens = { ...next.tokens, ...(stored.tokens.resources && { resources: stored.tokens.resources }) }
    const record: SessionRecord = { ...stored, tokens, profile: next.profile, updatedAt: now() }
    let written: boolean
    try {
      written = await store.transact((current) => {
        if (current?.signInId === stored.signInId) return { session: record, result: true }
        const queued = outbox.queue(next.tokens)
        return { ...(queued ? { changes: queued.changes } : {}), result: false }
      })
    } catch (error) {
      // The server rotated the refresh token but storage would not keep the new one: keep it
      // in memory, so the next refresh sends it (never the rotated one) and logout revokes it.
      this.#unsaved = record
      local.adopt(record)
      this.#port.warn(`tokenwarden: the refreshed tokens could not be stored; they are kept in memory. ${(error as Error).message}`)
      this.#port.emit({ type: 'refreshed', by: 'this-tab', via, durationMs: now() - startedAt })
      return this.#afterRefresh(next, stored)
    }
    this.#unsaved = undefined
    if (!written) {
      void outbox.revokeOrphans(next.tokens)
      local.apply(await store.read(), 'other-tab')
      throw signedOutError()
    }
    local.adopt(record)
    broadcast('refreshed', record.signInId)
    this.#port.emit({ type: 'refreshed', by: 'this-tab', via, durationMs: now() - startedAt })
    return this.#afterRefresh(next, stored)
  }

  /**
   * Counts refreshes that brought tokens already due again; after a few in a row the server
   * is not issuing usable tokens, and the session ends with `refresh-failed` instead of a storm.
   */
  async #afterRefresh(next: IssuedTokens, stored: SessionRecord): Promise<IssuedTokens> {
    const { now } = this.#port
    this.#lastRefreshAt = now()
    this.#useless = this.#isDue(next.tokens, now()) ? this.#useless + 1 : 0
    if (this.#useless < uselessRefreshLimit) return next
    this.#useless = 0
    const error = new TokenwardenError(
      'refresh-failed',
      `The server issued ${uselessRefreshLimit} token sets in a row that were already due for refresh (expires_in too short); the session was ended.`,
    )
    await this.#end(stored.signInId, 'refresh-failed', error)
    throw error
  }

  /**
   * Ends the sign-in `signInId` in every tab: its record goes and what it held is queued for
   * revocation, in one transaction (only that sign-in: a tab that missed messages must not end a
   * newer one); this tab shows `reason`, the others hear it, and the queue is sent. `held`: what
   * is still alive of it, when that is less than the stored tokens. Storage failing here leaves
   * nothing to do but sign out: the next start or logout finds the record.
   */
  async #end(signInId: string, reason: SignedOutReason, error?: TokenwardenError, held?: TokenSet): Promise<void> {
    const { store, local, outbox, broadcast } = this.#port
    const unsaved = this.#unsaved?.signInId === signInId ? this.#unsaved : undefined
    this.#unsaved = undefined
    // Over in this tab at once: the sign-in is never adopted again, whatever storage says meanwhile.
    local.signOut(reason, error)
    // The reasons every tab shows alike go with the message and the end marker.
    const shared = reason === 'login-required' ? reason : undefined
    await store
      .end(
        signInId,
        (current) => {
          const tokens = held ?? unsaved?.tokens ?? current?.tokens
          return { changes: tokens && outbox.queue(tokens)?.changes, result: undefined }
        },
        shared,
      )
      .catch(() => undefined)
    broadcast('signed-out', signInId, shared)
    void outbox.drain(true)
  }

  /** A resource's grant was refused (resources.ts): the sign-in ends as for a refused refresh. */
  endRefused(signInId: string, error: TokenwardenError, alive: TokenSet): Promise<void> {
    return this.#end(signInId, 'refresh-failed', error, alive)
  }

  /**
   * The sign-in stored now is `stored` (undefined: none): if this tab holds unsaved tokens of
   * another one, that sign-in ended elsewhere (another tab's logout revoked what storage held,
   * older tokens), and nobody else knows these: they are revoked.
   */
  release(stored: string | undefined): void {
    const unsaved = this.#unsaved
    if (!unsaved || unsaved.signInId === stored) return
    this.#unsaved = undefined
    void this.#port.outbox.revokeUnqueued(unsaved.tokens)
  }

  /** The newest tokens of `signInId` this tab holds that storage does not (see `#unsaved`). */
  unsavedTokens(signInId: string | undefined): SessionRecord | undefined {
    return this.#unsaved?.signInId === signInId ? this.#unsaved : undefined
  }

  /** Proactive refresh: shortly before the leeway, each tab tries; the lock lets one win. */
  schedule(current: SessionRecord | undefined): void {
    this.#heldBack = false
    const tokens = current?.tokens
    if (
      this.#closed ||
      !this.#port.autoRefresh ||
      !current ||
      !tokens ||
      !this.#port.renewal.possible(tokens) ||
      tokens.expiresAt === undefined
    ) {
      this.#alarm.cancel()
      return
    }
    const floor = this.#lastRefreshAt + refreshFloorMs * 2 ** this.#useless
    this.#alarm.set(Math.max(this.#dueAt(tokens.expiresAt, current.updatedAt), floor), () => {
      const { local, activeSince } = this.#port
      const now = local.current
      if (!now || local.loggingOut) return
      // Idle since these tokens came: held back until the user is back (`resume`).
      if (activeSince && !activeSince(now.updatedAt)) this.#heldBack = true
      else void this.refresh(now).catch(() => undefined)
    })
  }

  /**
   * The page is shown again: background tabs' timers are throttled (Chrome: once a minute,
   * or later), so a proactive refresh may not have run. A due token is renewed now, before
   * the app asks for it.
   */
  renewIfDue(): void {
    const { local, autoRefresh, renewal } = this.#port
    const current = local.current
    if (this.#closed || !autoRefresh || !current || local.loggingOut || !renewal.possible(current.tokens)) return
    if (this.#isDue(current.tokens, current.updatedAt)) void this.refresh(current).catch(() => undefined)
  }

  /** The user is active again: a proactive refresh held back while idle is scheduled again. */
  resume(): void {
    if (!this.#heldBack) return
    this.#heldBack = false
    this.schedule(this.#port.local.current)
  }

  /** Drops the pending proactive refresh (a logout is taking the tokens). */
  cancel(): void {
    this.#alarm.cancel()
  }

  /** No more proactive refreshes: the session was disposed. */
  close(): void {
    this.#closed = true
    this.#alarm.cancel()
  }
}
