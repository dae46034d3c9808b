import type { KyInstance } from 'ky'
import { TokenwardenError, isTokenwardenError } from './errors.js'
import { createHttpClient } from './http.js'
import { createOidcProtocol, type Grant, type Protocol, type SignInArgs } from './oidc.js'
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js'
import { Outbox, type OutboxEntry, type TokenHint } from './outbox.js'
import { revokeEach, type RevocationOutcome, type RevocationTarget } from './revocation.js'
import { createDefaultChannel, onPageRestore, type TabChannel, type TabMessage } from './tab-sync.js'
import { createDefaultLock, type TabLock } from './tab-lock.js'
import {
  TokenStore,
  openDefaultStorage,
  type Profile,
  type SessionRead,
  type SessionRecord,
  type StorageKind,
  type TokenSet,
} from './token-store.js'

/**
 * Why the session is signed out:
 * - `initial`: nothing was stored;
 * - `logout`: `logout()` in this tab;
 * - `other-tab`: another tab logged out (or its session vanished from storage);
 * - `storage-invalid`: the stored record was corrupt or foreign and was discarded;
 * - `expired`: the access token expired and there is no refresh token;
 * - `refresh-failed`: the server refused the refresh token (e.g. `invalid_grant`);
 * - `callback-failed`: the redirect back from sign-in was an error.
 */
export type SignedOutReason =
  | 'initial'
  | 'logout'
  | 'other-tab'
  | 'storage-invalid'
  | 'expired'
  | 'refresh-failed'
  | 'callback-failed'

/**
 * What a UI needs to know about the session. Immutable, and the same object until something
 * changes. It never holds a token: use `getAccessToken()`.
 */
export type SessionSnapshot =
  | { readonly status: 'loading' }
  | {
      readonly status: 'signed-in'
      /** ID token claims. */
      readonly profile: Profile
      /** When the access token expires, in milliseconds since the epoch. */
      readonly expiresAt: number | undefined
      readonly scope: string | undefined
      /** Where the tokens are kept: `memory` when IndexedDB could not be used. */
      readonly storage: StorageKind
    }
  | {
      readonly status: 'signed-out'
      readonly reason: SignedOutReason
      readonly error?: TokenwardenError
      readonly storage: StorageKind
    }

/** Options of `logout()`. */
export interface LogoutOptions {
  /**
   * After revoking and clearing, send the browser to the server's `end_session_endpoint`
   * (RP-initiated logout), back to `postLogoutRedirectUri`.
   * @default false
   */
  redirect?: boolean
}

/** What became of one token at logout. */
export type RevocationStatus = 'revoked' | 'not-present' | 'unsupported' | 'queued' | 'failed'

/** What `logout()` did. It never rejects because the server failed. */
export interface LogoutResult {
  /**
   * For each token: `revoked`; `not-present` (the session had none); `unsupported` (the
   * server does not revoke that type); `queued` (failed for a retryable reason, kept in the
   * outbox and sent again later); `failed` (see `errors`).
   */
  readonly revocation: { readonly refresh_token: RevocationStatus; readonly access_token: RevocationStatus }
  /** Why a token is `unsupported`, `queued` or `failed`. */
  readonly errors: { readonly refresh_token?: TokenwardenError; readonly access_token?: TokenwardenError }
  /** True when neither storage nor memory holds a token of the session any more. */
  readonly cleared: boolean
  /** Set when clearing storage failed (memory is cleared regardless). */
  readonly storageError?: TokenwardenError
  /** The end-session URL the browser was sent to, with `redirect: true`. */
  readonly endSessionUrl?: string
}

/** A session: one user's token set for one authority and client, shared by the app's tabs. */
export interface Session {
  /** Restores the session from storage, joins the other tabs and loads the server metadata. */
  start(): Promise<void>
  /** Sends the browser to the authorization server (authorization code + PKCE). */
  login(args?: SignInArgs): Promise<void>
  /** Completes sign-in on the redirect URI. `url` defaults to the current location. */
  handleCallback(url?: string): Promise<SessionSnapshot>
  getSnapshot(): SessionSnapshot
  /** Calls `listener` after every snapshot change. Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** The access token, refreshed first when it expires within the leeway. */
  getAccessToken(): Promise<string>
  /** Refreshes now, whatever the expiry (one refresh at a time across tabs). */
  refresh(): Promise<void>
  /** Revokes both tokens, clears local state and tells every tab. */
  logout(options?: LogoutOptions): Promise<LogoutResult>
  /** A ky instance that sends the access token, and refreshes and retries once on a 401. */
  readonly http: KyInstance
  /** Leaves the other tabs and stops listening. The session cannot be used afterwards. */
  dispose(): void
}

const loadingSnapshot: SessionSnapshot = Object.freeze({ status: 'loading' })

function randomId(): string {
  return crypto.randomUUID()
}

function sameSnapshot(a: SessionSnapshot, b: SessionSnapshot): boolean {
  if (a.status !== b.status) return false
  if (a.status === 'signed-in' && b.status === 'signed-in') {
    return (
      a.expiresAt === b.expiresAt &&
      a.scope === b.scope &&
      a.storage === b.storage &&
      JSON.stringify(a.profile) === JSON.stringify(b.profile)
    )
  }
  if (a.status === 'signed-out' && b.status === 'signed-out') {
    return a.reason === b.reason && a.error === b.error && a.storage === b.storage
  }
  return true
}

const callbackParams = ['code', 'state', 'session_state', 'iss', 'error', 'error_description', 'error_uri']
const maxTimerMs = 2_147_483_647
const hints: readonly TokenHint[] = ['refresh_token', 'access_token']

/** What became of one token of a logout, before the outbox has its say. */
type TokenOutcome = RevocationOutcome | { status: 'not-present' }

/** The tokens of a set that exist, as revocation targets. */
const targetsOf = (tokens: TokenSet | undefined): RevocationTarget[] => [
  ...(tokens?.refreshToken ? [{ token: tokens.refreshToken, hint: 'refresh_token' as const }] : []),
  ...(tokens?.accessToken ? [{ token: tokens.accessToken, hint: 'access_token' as const }] : []),
]

/** Queued outbox entries by hint, as `Outbox.enqueue` made them. */
type Queued = Partial<Record<TokenHint, { key: string; entry: OutboxEntry }>>

class TokenwardenSession implements Session {
  readonly http: KyInstance
  readonly #options: ResolvedOptions
  readonly #id: string
  readonly #tab = randomId()
  readonly #listeners = new Set<() => void>()
  /** Taken by refresh, sign-in and logout, in every tab. */
  readonly #lock: TabLock
  /** Taken while sending queued revocations, so two tabs do not send the same ones. */
  readonly #outboxLock: TabLock
  #snapshot: SessionSnapshot = loadingSnapshot
  #store: TokenStore | undefined
  #outbox: Outbox | undefined
  #protocol: Protocol | undefined
  #channel: TabChannel | undefined
  #cleanups: Array<() => void> = []
  /** The tokens in memory, and the epoch of the sign-in they belong to. */
  #current: { epoch: string; grant: Grant; issuedAt: number } | undefined
  #ready: Promise<void> | undefined
  #started: Promise<void> | undefined
  #refreshing: Promise<Grant> | undefined
  #loggingOut: Promise<LogoutResult> | undefined
  #draining: Promise<void> | undefined
  #refreshTimer: ReturnType<typeof setTimeout> | undefined
  #drainTimer: ReturnType<typeof setTimeout> | undefined
  #disposed = false

  constructor(options: ResolvedOptions) {
    this.#options = options
    this.#id = `${options.authority}|${options.clientId}`
    const lock = options.lock ?? createDefaultLock
    this.#lock = lock(`tokenwarden:${this.#id}`)
    this.#outboxLock = lock(`tokenwarden:${this.#id}:outbox`)
    this.http = createHttpClient({
      getAccessToken: () => this.getAccessToken(),
      refreshAfterRejection: (rejected) => this.#refreshAfterRejection(rejected),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    // Pre-bound, so `useSyncExternalStore(session.subscribe, session.getSnapshot)` works.
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
  }

  getSnapshot(): SessionSnapshot {
    return this.#snapshot
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  start(): Promise<void> {
    this.#assertUsable()
    this.#started ??= this.#start()
    return this.#started
  }

  async #start(): Promise<void> {
    await this.#prepare()
    // Discovery now, so that logout later costs one round trip. A failure is not fatal:
    // the session can be restored offline, and logout tries discovery again.
    await this.#protocol!.metadata().catch(() => undefined)
    // Revocations a previous page could not finish (offline, closed mid-logout).
    void this.#drainOutbox(false)
  }

  /** Storage opened, the stored session read, the other tabs joined. */
  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      const options = this.#options
      let storage = options.storage
      if (!storage) {
        const opened = await openDefaultStorage(options.databaseName)
        storage = opened.storage
        if (opened.fallbackReason) options.logger.warn(`tokenwarden: ${opened.fallbackReason.message}`)
      }
      this.#store = new TokenStore(storage, this.#id)
      this.#outbox = new Outbox(storage, this.#id, {
        now: options.now,
        maxAgeMs: options.revocation.outboxMaxAgeMs,
        leaseMs: options.revocation.timeoutMs + 1000,
      })
      this.#protocol = (options.protocol ?? createOidcProtocol)({ options, stateStore: this.#store.stateStore() })
      this.#channel = (options.channel ?? createDefaultChannel)(`tokenwarden:${this.#id}`)
      const onOnline = () => void this.#drainOutbox(true)
      if (typeof addEventListener === 'function') addEventListener('online', onOnline)
      this.#cleanups.push(
        this.#channel.subscribe((message) => this.#onMessage(message)),
        onPageRestore(() => void this.#resync('other-tab')),
        () => this.#channel?.close(),
        () => typeof removeEventListener === 'function' && removeEventListener('online', onOnline),
        () => clearTimeout(this.#refreshTimer),
        () => clearTimeout(this.#drainTimer),
      )
      if (this.#disposed) for (const cleanup of this.#cleanups.splice(0)) cleanup()
      await this.#resync('initial')
    })()
    return this.#ready
  }

  async login(args: SignInArgs = {}): Promise<void> {
    await this.#usable()
    this.#navigate(await this.#protocol!.signInUrl(args))
  }

  #navigate(url: string): void {
    ;(this.#options.navigate ?? ((target: string) => globalThis.location.assign(target)))(url)
  }

  async handleCallback(url?: string): Promise<SessionSnapshot> {
    await this.#usable()
    const callbackUrl = url ?? globalThis.location?.href
    if (!callbackUrl) throw new TokenwardenError('invalid-request', 'handleCallback needs a URL outside a browser.')
    let grant: Grant
    try {
      grant = await this.#protocol!.processCallback(callbackUrl)
    } catch (error) {
      const reported = isTokenwardenError(error)
        ? error
        : new TokenwardenError('callback-failed', 'The sign-in callback failed.', { cause: error })
      this.#signedOut('callback-failed', reported)
      throw reported
    } finally {
      if (url === undefined) this.#cleanCallbackUrl()
    }
    const record: SessionRecord = {
      v: 1,
      kind: 'tokenwarden/session',
      epoch: randomId(),
      tokens: grant.tokens,
      profile: grant.profile,
      updatedAt: this.#options.now(),
    }
    // A session signed in before (another tab, another user) is replaced: its tokens would
    // otherwise stay valid at the server with nobody holding them, so they are revoked.
    const replaced = await this.#lock(() =>
      this.#store!.transactSession((current) => {
        const queued = current ? this.#enqueue(current.tokens) : undefined
        return { session: record, ...(queued ? { also: queued.changes } : {}), result: current?.tokens }
      }),
    )
    this.#adopt(record)
    this.#post('signed-in', record.epoch)
    if (replaced) void this.#revokeOrphans(replaced)
    return this.#snapshot
  }

  /** The code and state are single-use, but they have no business in history or bookmarks. */
  #cleanCallbackUrl(): void {
    if (typeof history === 'undefined' || typeof location === 'undefined') return
    const clean = new URL(location.href)
    for (const name of callbackParams) clean.searchParams.delete(name)
    if (clean.href !== location.href) history.replaceState(history.state, '', clean.href)
  }

  async getAccessToken(): Promise<string> {
    await this.#usable()
    if (this.#loggingOut) throw this.#signedOutError()
    const current = this.#current
    if (!current) throw new TokenwardenError('not-signed-in', 'There is no session: sign in first.')
    const { tokens } = current.grant
    if (!this.#refreshDue(tokens.expiresAt, current.issuedAt)) return tokens.accessToken
    if (!tokens.refreshToken) {
      if (tokens.expiresAt !== undefined && tokens.expiresAt <= this.#options.now()) {
        await this.#lock(() => this.#store!.transactSession(() => ({ session: null, result: undefined }))).catch(() => undefined)
        this.#signedOut('expired')
        throw new TokenwardenError('not-signed-in', 'The access token expired and there is no refresh token.')
      }
      return tokens.accessToken
    }
    return (await this.#refresh(current.grant)).tokens.accessToken
  }

  async refresh(): Promise<void> {
    await this.#usable()
    if (this.#loggingOut) throw this.#signedOutError()
    const current = this.#current
    if (!current) throw new TokenwardenError('not-signed-in', 'There is no session: sign in first.')
    await this.#refresh(current.grant, true)
  }

  /** For `session.http`: the API refused `rejected`; get a newer token, at most one refresh. */
  async #refreshAfterRejection(rejected: string | undefined): Promise<string> {
    await this.#usable()
    const current = this.#current
    if (!current || this.#loggingOut) throw this.#signedOutError()
    if (rejected !== undefined && current.grant.tokens.accessToken !== rejected) return current.grant.tokens.accessToken
    return (await this.#refresh(current.grant, true)).tokens.accessToken
  }

  /**
   * When a refresh is due: `refreshLeewaySeconds` before expiry, but never earlier than half
   * the token's lifetime, or tokens that live shorter than the leeway would be refreshed
   * again as soon as they arrive.
   */
  #refreshAt(expiresAt: number, issuedAt: number): number {
    return expiresAt - Math.min(this.#options.refreshLeewaySeconds * 1000, Math.max(0, expiresAt - issuedAt) / 2)
  }

  #refreshDue(expiresAt: number | undefined, issuedAt: number): boolean {
    return expiresAt !== undefined && this.#refreshAt(expiresAt, issuedAt) <= this.#options.now()
  }

  /**
   * One refresh at a time in this tab (concurrent callers share it), and, through the lock,
   * across tabs. Inside the lock storage is the truth: another tab may have refreshed
   * already (adopt its tokens: the refresh token we hold may be rotated away), or logged out.
   * The new tokens are written only if the session is still the one that was refreshed, in
   * the same transaction as that check: a logout that went ahead meanwhile wins, and the
   * tokens this refresh got are revoked instead of written back (no zombie session).
   */
  #refresh(seen: Grant, force = false): Promise<Grant> {
    this.#refreshing ??= this.#lock(async () => {
      const store = this.#store!
      const before = await store.readSession()
      if (before.status !== 'present' || before.record.epoch !== this.#current?.epoch) {
        this.#apply(before, 'other-tab')
        throw this.#signedOutError()
      }
      const stored = before.record
      const rotatedElsewhere = stored.tokens.accessToken !== seen.tokens.accessToken
      if (rotatedElsewhere && (!force || !this.#refreshDue(stored.tokens.expiresAt, stored.updatedAt))) {
        this.#adopt(stored)
        return { tokens: stored.tokens, profile: stored.profile }
      }
      let next: Grant
      try {
        next = await this.#protocol!.refresh({ tokens: stored.tokens, profile: stored.profile })
      } catch (error) {
        const reported = isTokenwardenError(error)
          ? error
          : new TokenwardenError('refresh-failed', 'The refresh grant failed.', { cause: error })
        // The server refused the grant itself: the session is over in every tab.
        if (reported.error === 'invalid_grant') {
          await store
            .transactSession((current) => (current?.epoch === stored.epoch ? { session: null, result: undefined } : { result: undefined }))
            .catch(() => undefined)
          this.#signedOut('refresh-failed', reported)
          this.#post('signed-out', stored.epoch)
        }
        throw reported
      }
      const record: SessionRecord = { ...stored, tokens: next.tokens, profile: next.profile, updatedAt: this.#options.now() }
      const written = await store.transactSession((current) => {
        if (current?.epoch === stored.epoch) return { session: record, result: true }
        const queued = this.#enqueue(next.tokens)
        return { ...(queued ? { also: queued.changes } : {}), result: false }
      })
      if (!written) {
        void this.#revokeOrphans(next.tokens)
        this.#apply(await store.readSession(), 'other-tab')
        throw this.#signedOutError()
      }
      this.#adopt(record)
      this.#post('refreshed', record.epoch)
      return next
    }).finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  /** Proactive refresh: shortly before the leeway, each tab tries; the lock lets one win. */
  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer)
    const current = this.#current
    const tokens = current?.grant.tokens
    if (!this.#options.autoRefresh || this.#disposed || !tokens?.refreshToken || tokens.expiresAt === undefined) return
    const delay = this.#refreshAt(tokens.expiresAt, current!.issuedAt) - this.#options.now()
    this.#refreshTimer = setTimeout(() => {
      const current = this.#current
      if (current && !this.#loggingOut) void this.#refresh(current.grant).catch(() => undefined)
    }, Math.min(maxTimerMs, Math.max(0, delay)))
  }

  logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    this.#assertUsable()
    this.#loggingOut ??= this.#logout(options).finally(() => {
      this.#loggingOut = undefined
    })
    return this.#loggingOut
  }

  async #logout(options: LogoutOptions): Promise<LogoutResult> {
    const { revocation } = this.#options
    // One bound for everything that waits on something else: the lock, discovery, revocation.
    const deadline = AbortSignal.timeout(revocation.timeoutMs)
    const startedAt = Date.now()
    await this.#prepare()
    clearTimeout(this.#refreshTimer)

    let storageError: TokenwardenError | undefined
    // Crash safety: the tokens leave the session record and enter the outbox in one
    // transaction. A page that dies after this is signed out on its next start, and that
    // start sends the revocations. The newest tokens are the stored ones: another tab may
    // have refreshed since this one last looked.
    const take = () =>
      this.#store!.transactSession((current) => {
        const source = current ?? this.#current
        const tokens = current?.tokens ?? this.#current?.grant.tokens
        const queued = tokens ? this.#enqueue(tokens) : undefined
        return {
          session: null,
          ...(queued ? { also: queued.changes } : {}),
          result: { tokens, epoch: source?.epoch, queued: queued?.entries ?? {} },
        }
      }).catch((error: TokenwardenError) => {
        storageError = error
        return { tokens: this.#current?.grant.tokens, epoch: this.#current?.epoch, queued: {} as Queued }
      })
    let taken: Awaited<ReturnType<typeof take>>
    try {
      // Half the bound at most for the lock, so the revocations keep time of their own.
      taken = await this.#lock(take, { signal: AbortSignal.timeout(revocation.timeoutMs / 2) })
    } catch {
      // The lock was not ours in time (a refresh hangs in some tab): go ahead without it.
      // That refresh finds no session when it tries to write, and revokes what it got.
      taken = await take()
    }

    const targets = targetsOf(taken.tokens)
    const outcomes = await this.#send(targets, deadline, Math.max(1, revocation.timeoutMs - (Date.now() - startedAt)))
    const results = Object.fromEntries(
      hints.map((hint): [TokenHint, TokenOutcome] => {
        const index = targets.findIndex((target) => target.hint === hint)
        return [hint, index < 0 ? { status: 'not-present' } : outcomes[index]!]
      }),
    ) as Record<TokenHint, TokenOutcome>
    const { revocation: revocationResults, errors } = await this.#settle(taken.queued, results)

    // Whatever the server said: nothing of the session stays here, and every tab hears it.
    // The logout took effect when it took the tokens: a sign-in that completed after that
    // (its callback was already under way) is a newer session, and it stays.
    if (!this.#current || this.#current.epoch === taken.epoch) this.#signedOut('logout')
    this.#post('signed-out', taken.epoch ?? null)

    let endSessionUrl: string | undefined
    if (options.redirect) {
      endSessionUrl = await this.#protocol!.signOutUrl().catch(() => undefined)
      if (endSessionUrl) this.#navigate(endSessionUrl)
    }
    return {
      revocation: revocationResults,
      errors,
      cleared: storageError === undefined,
      ...(storageError ? { storageError } : {}),
      ...(endSessionUrl ? { endSessionUrl } : {}),
    }
  }

  /** Revokes `targets` concurrently once discovery (cached since start) answers, within `signal`. */
  async #send(targets: RevocationTarget[], signal: AbortSignal, timeoutMs: number): Promise<RevocationOutcome[]> {
    if (targets.length === 0) return []
    const { revocation, clientId, clientSecret, clientAuthentication, allowInsecureHttp } = this.#options
    const metadata = await Promise.race([
      this.#protocol!.metadata().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      new Promise<{ error: unknown }>((resolve) => {
        if (signal.aborted) resolve({ error: signal.reason })
        signal.addEventListener('abort', () => resolve({ error: signal.reason }), { once: true })
      }),
    ])
    if ('error' in metadata) {
      const error = isTokenwardenError(metadata.error)
        ? metadata.error
        : new TokenwardenError('timeout', 'The server metadata did not load in time to revoke.', { cause: metadata.error })
      return targets.map(() => ({ status: 'failed', error, retryable: true }))
    }
    return revokeEach(targets, {
      endpoint: metadata.value.revocationEndpoint,
      client_id: clientId,
      client_secret: clientSecret,
      clientAuthentication,
      timeoutMs,
      retryLimit: revocation.retryLimit,
      maxRetryAfterMs: revocation.maxRetryAfterMs,
      keepalive: revocation.keepalive,
      allowInsecureHttp,
      signal,
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
    })
  }

  /** Drops what is done from the outbox, backs off what is not; says `queued` for those. */
  async #settle(
    queued: Queued,
    results: Record<TokenHint, TokenOutcome>,
  ): Promise<Pick<LogoutResult, 'revocation' | 'errors'>> {
    const attempts = hints.flatMap((hint) => {
      const item = queued[hint]
      const outcome = results[hint]
      return item && outcome.status !== 'not-present' ? [{ ...item, outcome }] : []
    })
    if (attempts.length) {
      await this.#outbox!.settle(attempts).catch(() => undefined)
      this.#scheduleDrain()
    }
    const status = (hint: TokenHint): RevocationStatus => {
      const outcome = results[hint]
      return outcome.status === 'failed' && outcome.retryable && queued[hint] ? 'queued' : outcome.status
    }
    const error = (hint: TokenHint) => {
      const outcome = results[hint]
      return 'error' in outcome ? { [hint]: outcome.error } : {}
    }
    return {
      revocation: { refresh_token: status('refresh_token'), access_token: status('access_token') },
      errors: { ...error('refresh_token'), ...error('access_token') },
    }
  }

  /** Outbox entries for `tokens`, or nothing when the outbox is off. */
  #enqueue(tokens: TokenSet): ReturnType<Outbox['enqueue']> | undefined {
    return this.#options.revocation.outbox ? this.#outbox!.enqueue(tokens) : undefined
  }

  /** Tokens nobody holds any more (a replaced session, a refresh that lost to a logout). */
  async #revokeOrphans(tokens: TokenSet): Promise<void> {
    if (this.#options.revocation.outbox) return this.#drainOutbox(true)
    const { timeoutMs } = this.#options.revocation
    await this.#send(targetsOf(tokens), AbortSignal.timeout(timeoutMs), timeoutMs)
  }

  /**
   * Sends the queued revocations that are due (all of them when `force`, e.g. back online),
   * one tab at a time, and schedules the next attempt.
   */
  #drainOutbox(force: boolean): Promise<void> {
    if (!this.#options.revocation.outbox || this.#disposed || !this.#outbox) return Promise.resolve()
    this.#draining ??= this.#outboxLock(async () => {
      const due = await this.#outbox!.due(force)
      if (due.length === 0) return
      const { timeoutMs } = this.#options.revocation
      const targets = due.map(({ entry }) => ({ token: entry.token, hint: entry.hint }))
      const outcomes = await this.#send(targets, AbortSignal.timeout(timeoutMs), timeoutMs)
      const attempts = due.map((item, index) => ({ ...item, outcome: outcomes[index]! }))
      await this.#outbox!.settle(attempts)
    })
      .catch(() => undefined)
      .finally(() => {
        this.#draining = undefined
        this.#scheduleDrain()
      })
    return this.#draining
  }

  /** A timer for the next entry that becomes due, while this tab is open. */
  #scheduleDrain(): void {
    if (this.#disposed || !this.#options.revocation.outbox) return
    void this.#outbox!.nextDue().catch(() => undefined).then((at) => {
      clearTimeout(this.#drainTimer)
      if (at === undefined || this.#disposed) return
      this.#drainTimer = setTimeout(() => void this.#drainOutbox(false), Math.min(maxTimerMs, Math.max(0, at - this.#options.now())))
    })
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#listeners.clear()
  }

  #onMessage(message: TabMessage): void {
    if (this.#disposed || message.tab === this.#tab) return
    if (message.type === 'signed-out' && this.#current && message.epoch === this.#current.epoch) {
      // Drop at once, before any storage read: this tab must not use the tokens any more.
      this.#signedOut('other-tab')
      return
    }
    // About another epoch, or a sign-in or refresh: storage says what is true now.
    void this.#resync('other-tab')
  }

  /** Re-reads storage and derives the snapshot from it. */
  async #resync(reasonIfGone: SignedOutReason): Promise<void> {
    if (this.#disposed) return
    let read: SessionRead
    try {
      read = await this.#store!.readSession()
    } catch (error) {
      if (this.#snapshot.status === 'loading') this.#signedOut('initial', error as TokenwardenError)
      return
    }
    this.#apply(read, reasonIfGone)
  }

  #apply(read: SessionRead, reasonIfGone: SignedOutReason): void {
    if (read.status === 'present') {
      this.#adopt(read.record)
    } else if (read.status === 'invalid') {
      this.#options.logger.warn(`tokenwarden: ${read.error.message}`)
      this.#signedOut('storage-invalid', read.error)
    } else if (this.#current || this.#snapshot.status === 'loading') {
      this.#signedOut(this.#snapshot.status === 'loading' ? 'initial' : reasonIfGone)
    }
  }

  #adopt(record: SessionRecord): void {
    const changed = this.#current?.grant.tokens.accessToken !== record.tokens.accessToken
    this.#current = { epoch: record.epoch, grant: { tokens: record.tokens, profile: record.profile }, issuedAt: record.updatedAt }
    if (changed) this.#scheduleRefresh()
    this.#publish({
      status: 'signed-in',
      profile: Object.freeze({ ...record.profile }),
      expiresAt: record.tokens.expiresAt,
      scope: record.tokens.scope,
      storage: this.#store!.storage.kind,
    })
  }

  #signedOut(reason: SignedOutReason, error?: TokenwardenError): void {
    this.#current = undefined
    clearTimeout(this.#refreshTimer)
    this.#publish({
      status: 'signed-out',
      reason,
      ...(error ? { error } : {}),
      storage: this.#store?.storage.kind ?? 'memory',
    })
  }

  #publish(next: SessionSnapshot): void {
    if (sameSnapshot(this.#snapshot, next)) return
    this.#snapshot = Object.freeze(next)
    for (const listener of [...this.#listeners]) listener()
  }

  #post(type: TabMessage['type'], epoch: string | null): void {
    this.#channel?.post({ type, epoch, tab: this.#tab })
  }

  #signedOutError(): TokenwardenError {
    return new TokenwardenError('signed-out', 'The session was signed out.')
  }

  #assertUsable(): void {
    if (this.#disposed) throw new TokenwardenError('disposed', 'This session was disposed.')
  }

  /** Storage is read; discovery may still be under way (only sign-in and logout need it). */
  async #usable(): Promise<void> {
    this.#assertUsable()
    void this.start()
    await this.#prepare()
  }
}

/**
 * Creates a session. Touches no browser API until `start()` (or any other method) is called.
 * Throws `TokenwardenError` (`invalid-options`) for options it cannot use.
 */
export function createSession(options: SessionOptions): Session {
  return new TokenwardenSession(resolveOptions(options))
}
