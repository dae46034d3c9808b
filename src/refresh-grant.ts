import { TokenwardenError, toTokenwardenError } from './errors.js'
import type { Emit, RenewedVia } from './events.js'
import type { IssuedTokens, TokenSet } from './tokens.js'
import type { Outbox } from './revocation/index.js'
import type { SessionRecord, SessionStore } from './storage/index.js'
import type { EndReason, TabLock, TabMessage } from './tabs/index.js'
import type { Timers } from './util/index.js'
import { Renewal, type RenewPort } from './silent-renew.js'
import { type LocalSession, type SignedOutReason, signedOutError } from './view/index.js'

/** What refreshing needs from the session. */
export interface RefreshPort {
  store: SessionStore
  local: LocalSession
  /** The cross-tab lock (keys.ts, `lock`); logout does without it (see logout.ts). */
  lock: TabLock
  /** How the tokens are renewed: the refresh grant, silent renewal, or one after the other (silent-renew.ts). */
  renew: Omit<RenewPort, 'emit' | 'now'>
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

/** What a refresher keeps between refreshes, which the grant reads and writes. */
export interface RefreshState {
  /** When this tab last refreshed, and how many refreshes in a row brought tokens due at once. */
  lastRefreshAt: number
  useless: number
  /**
   * Tokens the server issued that storage refused to keep (quota, a failing disk). They are
   * the newest: the refresh token in storage may be rotated away, so it is never sent again.
   */
  unsaved: SessionRecord | undefined
}

/** The refresher's side of a grant (refresh.ts). */
export interface GrantHost {
  readonly port: RefreshPort
  readonly state: RefreshState
  isDue(tokens: TokenSet, updatedAt: number): boolean
  /** Ends the sign-in in every tab and queues what it held (refresh.ts, `#end`). */
  end(signInId: string, reason: SignedOutReason, error?: TokenwardenError, held?: TokenSet): Promise<void>
  /** The sign-in stored now (refresh.ts, `release`). */
  release(stored: string | undefined): void
}

/** After this many refreshes in a row that brought tokens due at once, the session ends. */
const uselessRefreshLimit = 3

/**
 * One refresh, inside the cross-tab lock (refresh.ts takes it). Loaded on the first refresh,
 * with the protocol's own code: a tab that never refreshes never downloads it.
 *
 * Inside the lock storage is the truth: another tab may have refreshed already (its tokens are
 * adopted: the refresh token we hold may be rotated away), or logged out. The new tokens are
 * written only if the session is still the one that was refreshed, in the same transaction as
 * that check: a logout that went ahead meanwhile wins, and the tokens this refresh got are
 * revoked instead of written back (no zombie session). `force` refreshes even when the stored
 * token is not due (the caller saw it refused).
 */
export async function refreshLocked(host: GrantHost, seen: SessionRecord, force: boolean): Promise<IssuedTokens> {
  const { port, state } = host
  const { store, local, outbox, broadcast, now } = port
  const startedAt = now()
  const before = await store.read()
  if (before.status !== 'present' || before.record.signInId !== local.current?.signInId) {
    host.release(before.status === 'present' ? before.record.signInId : undefined)
    local.apply(before, 'other-tab')
    throw signedOutError()
  }
  // Tokens storage refused to keep are newer than what it holds: refresh with those.
  const stored = state.unsaved?.signInId === before.record.signInId ? state.unsaved : before.record
  const rotatedElsewhere = stored.tokens.accessToken !== seen.tokens.accessToken
  if (rotatedElsewhere && (!force || !host.isDue(stored.tokens, stored.updatedAt))) {
    local.adopt(stored)
    port.emit({ type: 'refreshed', by: 'other-tab', durationMs: now() - startedAt })
    return { tokens: stored.tokens, profile: stored.profile }
  }
  const renewal = new Renewal({ ...port.renew, now, emit: port.emit })
  let next: IssuedTokens
  let via: RenewedVia
  try {
    ;({ issued: next, via } = await renewal.renew({ tokens: stored.tokens, profile: stored.profile }))
  } catch (error) {
    // A server may echo the refresh token it refused: the error goes to the snapshot and the app.
    const { refreshToken, accessToken, idToken } = stored.tokens
    const reported = toTokenwardenError(error, 'refresh-failed', 'The refresh grant failed.', [refreshToken, accessToken, idToken])
    port.emit({
      type: 'refresh-failed',
      code: reported.code,
      ...(reported.error ? { error: reported.error } : {}),
      durationMs: now() - startedAt,
    })
    // The server refused the grant itself: the session is over in every tab. The refresh
    // token is dead; the access token may live on until it expires, so it is queued.
    // A refresh answered by another issuer (a mix-up) rotated the refresh token away: over too.
    // Silent renewal answered that the user must come back: over in every tab, once.
    if (reported.code === 'issuer-mismatch') await host.end(stored.signInId, 'refresh-failed', reported)
    else if (reported.code === 'login-required') await host.end(stored.signInId, 'login-required', reported, renewal.held(stored.tokens))
    else if (reported.error === 'invalid_grant') {
      const { refreshToken: _, ...alive } = stored.tokens
      await host.end(stored.signInId, 'refresh-failed', reported, alive)
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
    state.unsaved = record
    local.adopt(record)
    port.warn(`tokenwarden: the refreshed tokens could not be stored; they are kept in memory. ${(error as Error).message}`)
    port.emit({ type: 'refreshed', by: 'this-tab', via, durationMs: now() - startedAt })
    return afterRefresh(host, next, stored)
  }
  state.unsaved = undefined
  if (!written) {
    void outbox.revokeOrphans(next.tokens)
    local.apply(await store.read(), 'other-tab')
    throw signedOutError()
  }
  local.adopt(record)
  broadcast('refreshed', record.signInId)
  port.emit({ type: 'refreshed', by: 'this-tab', via, durationMs: now() - startedAt })
  return afterRefresh(host, next, stored)
}

/**
 * Counts refreshes that brought tokens already due again; after a few in a row the server
 * is not issuing usable tokens, and the session ends with `refresh-failed` instead of a storm.
 */
async function afterRefresh(host: GrantHost, next: IssuedTokens, stored: SessionRecord): Promise<IssuedTokens> {
  const { state } = host
  const now = host.port.now()
  state.lastRefreshAt = now
  state.useless = host.isDue(next.tokens, now) ? state.useless + 1 : 0
  if (state.useless < uselessRefreshLimit) return next
  state.useless = 0
  const error = new TokenwardenError(
    'refresh-failed',
    `The server issued ${uselessRefreshLimit} token sets in a row that were already due for refresh (expires_in too short); the session was ended.`,
  )
  await host.end(stored.signInId, 'refresh-failed', error)
  throw error
}
