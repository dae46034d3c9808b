import type { KyInstance } from 'ky'
import { TokenwardenError, isTokenwardenError } from './errors.js'
import { createHttpClient } from './http.js'
import { createOidcProtocol, type Grant, type Protocol, type SignInArgs } from './oidc.js'
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js'
import { revokeAll, type TokenRevocationResult, type TokensToRevoke } from './revocation.js'
import { createDefaultChannel, onPageRestore, type TabChannel, type TabMessage } from './tab-sync.js'
import { createDefaultLock, type TabLock } from './tab-lock.js'
import {
  TokenStore,
  openDefaultStorage,
  type Profile,
  type SessionRead,
  type SessionRecord,
  type StorageKind,
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

/** What `logout()` did. It never rejects because the server failed. */
export interface LogoutResult {
  /** For each token: `revoked`, `not-present`, `unsupported` or `failed` (with the error). */
  readonly revocation: { readonly refresh_token: TokenRevocationResult; readonly access_token: TokenRevocationResult }
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

class TokenwardenSession implements Session {
  readonly http: KyInstance
  readonly #options: ResolvedOptions
  readonly #id: string
  readonly #tab = randomId()
  readonly #listeners = new Set<() => void>()
  readonly #lock: TabLock
  #snapshot: SessionSnapshot = loadingSnapshot
  #store: TokenStore | undefined
  #protocol: Protocol | undefined
  #channel: TabChannel | undefined
  #cleanups: Array<() => void> = []
  /** The tokens in memory, and the epoch of the sign-in they belong to. */
  #current: { epoch: string; grant: Grant } | undefined
  #ready: Promise<void> | undefined
  #started: Promise<void> | undefined
  #refreshing: Promise<Grant> | undefined
  #loggingOut: Promise<LogoutResult> | undefined
  #disposed = false

  constructor(options: ResolvedOptions) {
    this.#options = options
    this.#id = `${options.authority}|${options.clientId}`
    this.#lock = (options.lock ?? createDefaultLock)(`tokenwarden:${this.#id}`)
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
      this.#protocol = (options.protocol ?? createOidcProtocol)({ options, stateStore: this.#store.stateStore() })
      this.#channel = (options.channel ?? createDefaultChannel)(`tokenwarden:${this.#id}`)
      this.#cleanups.push(
        this.#channel.subscribe((message) => this.#onMessage(message)),
        onPageRestore(() => void this.#resync('other-tab')),
        () => this.#channel?.close(),
      )
      await this.#resync('initial')
    })()
    return this.#ready
  }

  async login(args: SignInArgs = {}): Promise<void> {
    await this.#usable()
    const url = await this.#protocol!.signInUrl(args)
    const navigate = this.#options.navigate ?? ((target: string) => globalThis.location.assign(target))
    navigate(url)
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
    await this.#lock(() => this.#store!.writeSession(record))
    this.#adopt(record)
    this.#post('signed-in', record.epoch)
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
    if (!this.#expiresSoon(tokens.expiresAt)) return tokens.accessToken
    if (!tokens.refreshToken) {
      if (this.#expiresSoon(tokens.expiresAt, 0)) {
        await this.#lock(() => this.#store!.removeSession()).catch(() => undefined)
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

  #expiresSoon(expiresAt: number | undefined, leewaySeconds = this.#options.refreshLeewaySeconds): boolean {
    return expiresAt !== undefined && expiresAt - leewaySeconds * 1000 <= this.#options.now()
  }

  /**
   * One refresh at a time in this tab (concurrent callers share it), and, through the lock,
   * across tabs. Inside the lock storage is the truth: another tab may have refreshed
   * already (adopt its tokens: the refresh token we hold may be rotated away), or logged out.
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
      if (rotatedElsewhere && (!force || !this.#expiresSoon(stored.tokens.expiresAt))) {
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
          await store.removeSession().catch(() => undefined)
          this.#signedOut('refresh-failed', reported)
          this.#post('signed-out', stored.epoch)
        }
        throw reported
      }
      const record: SessionRecord = { ...stored, tokens: next.tokens, profile: next.profile, updatedAt: this.#options.now() }
      await store.writeSession(record)
      this.#adopt(record)
      this.#post('refreshed', record.epoch)
      return next
    }).finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    this.#assertUsable()
    this.#loggingOut ??= this.#logout(options).finally(() => {
      this.#loggingOut = undefined
    })
    return this.#loggingOut
  }

  async #logout(options: LogoutOptions): Promise<LogoutResult> {
    const { revocation, clientId, clientSecret, clientAuthentication } = this.#options
    // One bound for everything that waits on something else: the lock, discovery, revocation.
    const deadline = AbortSignal.timeout(revocation.timeoutMs)
    const startedAt = Date.now()
    await this.#prepare()
    const store = this.#store!

    let storageError: TokenwardenError | undefined
    const take = async (): Promise<{ tokens: TokensToRevoke; idToken: string | undefined }> => {
      // The newest tokens are in storage: another tab may have refreshed since we last looked.
      const read = await store.readSession().catch((error: TokenwardenError) => {
        storageError = error
        return undefined
      })
      const source = read?.status === 'present' ? read.record.tokens : this.#current?.grant.tokens
      await store.removeSession().catch((error: TokenwardenError) => {
        storageError = error
      })
      return {
        tokens: { refresh_token: source?.refreshToken, access_token: source?.accessToken },
        idToken: source?.idToken,
      }
    }
    let taken: Awaited<ReturnType<typeof take>>
    try {
      taken = await this.#lock(take, { signal: deadline })
    } catch {
      // The lock was not ours in time (a refresh hangs in some tab): go ahead without it.
      // That refresh re-reads storage before writing, finds no session, and stops.
      taken = await take()
    }

    const remaining = () => Math.max(1, revocation.timeoutMs - (Date.now() - startedAt))
    const metadata = await Promise.race([
      this.#protocol!.metadata().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      new Promise<{ error: unknown }>((resolve) =>
        deadline.addEventListener('abort', () => resolve({ error: deadline.reason }), { once: true }),
      ),
    ])
    const endpoint = 'value' in metadata ? metadata.value.revocationEndpoint : undefined
    const results =
      'error' in metadata && (taken.tokens.access_token || taken.tokens.refresh_token)
        ? this.#unrevoked(taken.tokens, metadata.error)
        : await revokeAll(taken.tokens, {
            endpoint,
            client_id: clientId,
            client_secret: clientSecret,
            clientAuthentication,
            timeoutMs: remaining(),
            retryLimit: revocation.retryLimit,
            maxRetryAfterMs: revocation.maxRetryAfterMs,
            keepalive: revocation.keepalive,
            allowInsecureHttp: this.#options.allowInsecureHttp,
            signal: deadline,
            ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
          })

    // Whatever the server said: nothing of the session stays here, and every tab hears it.
    const epoch = this.#current?.epoch ?? null
    this.#signedOut('logout')
    this.#post('signed-out', epoch)

    let endSessionUrl: string | undefined
    if (options.redirect) {
      endSessionUrl = await this.#protocol!.signOutUrl(taken.idToken).catch(() => undefined)
      if (endSessionUrl) (this.#options.navigate ?? ((url: string) => globalThis.location.assign(url)))(endSessionUrl)
    }
    return {
      revocation: results,
      cleared: storageError === undefined,
      ...(storageError ? { storageError } : {}),
      ...(endSessionUrl ? { endSessionUrl } : {}),
    }
  }

  #unrevoked(tokens: TokensToRevoke, cause: unknown) {
    const error = isTokenwardenError(cause)
      ? cause
      : new TokenwardenError('timeout', 'The server metadata did not load in time to revoke.', { cause })
    const one = (token: string | undefined): TokenRevocationResult =>
      token ? { status: 'failed', error, retryable: true } : { status: 'not-present' }
    return { refresh_token: one(tokens.refresh_token), access_token: one(tokens.access_token) }
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    this.#listeners.clear()
  }

  #onMessage(message: TabMessage): void {
    if (this.#disposed || message.tab === this.#tab) return
    if (message.type === 'signed-out' && (message.epoch === null || message.epoch === this.#current?.epoch)) {
      // Drop at once, before any storage read: this tab must not use the tokens any more.
      if (this.#current || this.#snapshot.status !== 'signed-out') this.#signedOut('other-tab')
      return
    }
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
    this.#current = { epoch: record.epoch, grant: { tokens: record.tokens, profile: record.profile } }
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
