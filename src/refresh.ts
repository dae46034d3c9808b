import { TokenwardenError, toTokenwardenError } from './errors.js'
import type { Emit } from './events.js'
import { signedOutError, type LocalSession } from './local-session.js'
import type { Outbox } from './outbox.js'
import type { IssuedTokens, Protocol, TokenSet } from './protocol.js'
import type { SessionRecord } from './records.js'
import type { SessionStore } from './session-store.js'
import type { TabLock } from './tab-lock.js'
import type { TabMessage } from './tab-sync.js'
import { Alarm, type Timers } from './timers.js'

/** What refreshing needs from the session. */
export interface RefreshPort {
  store: SessionStore
  local: LocalSession
  /** Taken by refresh, sign-in and logout, in every tab. */
  lock: TabLock
  protocol: Pick<Protocol, 'refresh'>
  outbox: Outbox
  broadcast(type: TabMessage['type'], signInId: string | null): void
  /** Refresh when the access token expires within this many ms. */
  leewayMs: number
  autoRefresh: boolean
  now: () => number
  timers: Timers
  emit: Emit
}

/**
 * When tokens are refreshed, and how: one refresh at a time in this tab and across tabs,
 * a check-and-write in one storage transaction, and a proactive timer before expiry.
 */
export class Refresher {
  readonly #port: RefreshPort
  readonly #alarm: Alarm
  #refreshing: Promise<IssuedTokens> | undefined
  #closed = false

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
    const { local, lock, store, now } = this.#port
    const current = local.usable()
    const { tokens } = current
    if (!this.#isDue(tokens, current.updatedAt)) return tokens.accessToken
    if (!tokens.refreshToken) {
      if (tokens.expiresAt !== undefined && tokens.expiresAt <= now()) {
        await lock(() => store.transact(() => ({ session: null, result: undefined }))).catch(() => undefined)
        local.signOut('expired')
        throw new TokenwardenError('not-signed-in', 'The access token expired and there is no refresh token.')
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
    const { store, local, protocol, outbox, broadcast, now } = this.#port
    const startedAt = now()
    const before = await store.read()
    if (before.status !== 'present' || before.record.signInId !== local.current?.signInId) {
      local.apply(before, 'other-tab')
      throw signedOutError()
    }
    const stored = before.record
    const rotatedElsewhere = stored.tokens.accessToken !== seen.tokens.accessToken
    if (rotatedElsewhere && (!force || !this.#isDue(stored.tokens, stored.updatedAt))) {
      local.adopt(stored)
      this.#port.emit({ type: 'refreshed', by: 'other-tab', durationMs: now() - startedAt })
      return { tokens: stored.tokens, profile: stored.profile }
    }
    let next: IssuedTokens
    try {
      next = await protocol.refresh({ tokens: stored.tokens, profile: stored.profile })
    } catch (error) {
      const reported = toTokenwardenError(error, 'refresh-failed', 'The refresh grant failed.')
      this.#port.emit({ type: 'refresh-failed', code: reported.code, ...(reported.error ? { error: reported.error } : {}), durationMs: now() - startedAt })
      // The server refused the grant itself: the session is over in every tab.
      if (reported.error === 'invalid_grant') {
        await store
          .transact((current) => (current?.signInId === stored.signInId ? { session: null, result: undefined } : { result: undefined }))
          .catch(() => undefined)
        local.signOut('refresh-failed', reported)
        broadcast('signed-out', stored.signInId)
      }
      throw reported
    }
    const record: SessionRecord = { ...stored, tokens: next.tokens, profile: next.profile, updatedAt: now() }
    const written = await store.transact((current) => {
      if (current?.signInId === stored.signInId) return { session: record, result: true }
      const queued = outbox.enqueue(next.tokens)
      return { ...(queued ? { changes: queued.changes } : {}), result: false }
    })
    if (!written) {
      void outbox.revokeOrphans(next.tokens)
      local.apply(await store.read(), 'other-tab')
      throw signedOutError()
    }
    local.adopt(record)
    broadcast('refreshed', record.signInId)
    this.#port.emit({ type: 'refreshed', by: 'this-tab', durationMs: now() - startedAt })
    return next
  }

  /** Proactive refresh: shortly before the leeway, each tab tries; the lock lets one win. */
  schedule(current: SessionRecord | undefined): void {
    const tokens = current?.tokens
    if (this.#closed || !this.#port.autoRefresh || !current || !tokens?.refreshToken || tokens.expiresAt === undefined) {
      this.#alarm.cancel()
      return
    }
    this.#alarm.set(this.#dueAt(tokens.expiresAt, current.updatedAt), () => {
      const { local } = this.#port
      const now = local.current
      if (now && !local.loggingOut) void this.refresh(now).catch(() => undefined)
    })
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
