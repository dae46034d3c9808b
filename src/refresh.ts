import { TokenwardenError } from './errors.js'
import type { IssuedTokens, TokenSet } from './tokens.js'
import type { SessionRecord } from './storage/index.js'
import { Alarm, onDemand, type QuietGate, whenQuiet } from './util/index.js'
import type { GrantHost, RefreshPort, RefreshState } from './refresh-grant.js'
import { signedOutError, type SignedOutReason } from './view/index.js'

export type { RefreshPort }

/**
 * The proactive refresh never fires sooner than this after the previous one, doubled for
 * every refresh in a row that brought tokens already due again (a server answering
 * `expires_in: 0`, say): without it such a server gets hundreds of grants a second.
 */
const refreshFloorMs = 1000
/** The grant's code (refresh-grant.ts, silent-renew.ts): loaded on the first refresh. */
const grantCode = onDemand('refresh', () => import('./refresh-grant.js'))

/**
 * When tokens are refreshed, and how: one refresh at a time in this tab and across tabs,
 * a check-and-write in one storage transaction, and a proactive timer before expiry.
 */
export class Refresher {
  readonly #port: RefreshPort
  readonly #alarm: Alarm
  #refreshing: Promise<IssuedTokens> | undefined
  #closed = false
  readonly #state: RefreshState = { lastRefreshAt: -Infinity, useless: 0, unsaved: undefined }
  /** A proactive refresh came due while the user was idle, and waits for activity. */
  #heldBack = false
  /** What the grant (refresh-grant.ts) is lent. */
  readonly #host: GrantHost

  constructor(port: RefreshPort) {
    this.#port = port
    this.#alarm = new Alarm(port.timers, port.now)
    this.#host = {
      port,
      state: this.#state,
      isDue: (tokens, updatedAt) => this.#isDue(tokens, updatedAt),
      end: (signInId, reason, error, held) => this.#end(signInId, reason, error, held),
      release: (stored) => this.release(stored),
    }
  }

  /** Whether `tokens` can be renewed at all: a refresh token to send, or silent renewal. */
  #renewable(tokens: TokenSet): boolean {
    return this.#port.renew.mode !== 'off' || tokens.refreshToken !== undefined
  }

  /**
   * When a token is due for renewal: `leewayMs` before expiry, but never earlier than half its
   * lifetime (from `since`, when it was issued or stored), or tokens that live shorter than the
   * leeway would be refreshed again as soon as they arrive. The resources' tokens follow the
   * same rule (resources.ts).
   */
  dueAt(expiresAt: number, since: number): number {
    return expiresAt - Math.min(this.#port.leewayMs, Math.max(0, expiresAt - since) / 2)
  }

  #isDue(tokens: TokenSet, updatedAt: number): boolean {
    return tokens.expiresAt !== undefined && this.dueAt(tokens.expiresAt, updatedAt) <= this.#port.now()
  }

  /** The access token, refreshed first when it is due. */
  async accessToken(): Promise<string> {
    const { local, lock, now } = this.#port
    const current = local.usable()
    const { tokens } = current
    if (!this.#isDue(tokens, current.updatedAt)) return tokens.accessToken
    if (!this.#renewable(tokens)) {
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
   * across tabs; inside the lock, the grant and its check-and-write (refresh-grant.ts).
   * `force` refreshes even when the stored token is not due (the caller saw it refused).
   */
  refresh(seen: SessionRecord, force = false): Promise<IssuedTokens> {
    this.#refreshing ??= this.#port
      .lock(async () => (await grantCode()).refreshLocked(this.#host, seen, force))
      .finally(() => {
        this.#refreshing = undefined
      })
    return this.#refreshing
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
    const unsaved = this.#state.unsaved?.signInId === signInId ? this.#state.unsaved : undefined
    this.#state.unsaved = undefined
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
    const { unsaved } = this.#state
    if (!unsaved || unsaved.signInId === stored) return
    this.#state.unsaved = undefined
    void this.#port.outbox.revokeUnqueued(unsaved.tokens)
  }

  /** The newest tokens of `signInId` this tab holds that storage does not (see `RefreshState.unsaved`). */
  unsavedTokens(signInId: string | undefined): SessionRecord | undefined {
    return this.#state.unsaved?.signInId === signInId ? this.#state.unsaved : undefined
  }

  /** Proactive refresh: shortly before the leeway, each tab tries; the lock lets one win. */
  schedule(current: SessionRecord | undefined): void {
    this.#heldBack = false
    const tokens = current?.tokens
    if (this.#closed || !this.#port.autoRefresh || !current || !tokens || !this.#renewable(tokens) || tokens.expiresAt === undefined) {
      this.#alarm.cancel()
      return
    }
    const floor = this.#state.lastRefreshAt + refreshFloorMs * 2 ** this.#state.useless
    this.#alarm.set(Math.max(this.dueAt(tokens.expiresAt, current.updatedAt), floor), () => {
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
    const { local, autoRefresh } = this.#port
    const current = local.current
    if (this.#closed || !autoRefresh || !current || local.loggingOut || !this.#renewable(current.tokens)) return
    if (this.#isDue(current.tokens, current.updatedAt)) void this.refresh(current).catch(() => undefined)
  }

  /** The user is active again: a proactive refresh held back while idle is scheduled again. */
  resume(): void {
    if (!this.#heldBack) return
    this.#heldBack = false
    this.schedule(this.#port.local.current)
  }

  /** Fetches the grant's code where nothing waits (`whenQuiet`), so the first refresh does not wait for it. Returns what cancels it. */
  preload(gate: QuietGate): () => void {
    return whenQuiet(gate, () => void grantCode().catch(() => undefined))
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
