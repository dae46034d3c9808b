import type { KyInstance } from 'ky'
import { TokenwardenError } from './errors.js'
import { EventStream, type SessionEvent } from './events.js'
import { createHttpClient } from './http.js'
import { signedOutError } from './local-session.js'
import { logout, type LogoutOptions, type LogoutResult } from './logout.js'
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js'
import { assembleParts, type Parts } from './compose.js'
import { currentUrl, handleCallback, login } from './sign-in.js'
import { SnapshotStore, type SessionSnapshot, type SignedOutReason } from './snapshot.js'
import { defaultPersistence, persistence, sessionIdOf } from './storage/index.js'
import { createDefaultLock, type TabLock, type TabMessage, onPageRestore, onPageVisible } from './tabs/index.js'
import type { DPoPKeyInfo, SignInArgs } from './protocol/index.js'

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
  /**
   * A ky instance that sends the access token (with a DPoP proof when the tokens are bound),
   * and refreshes and retries once on a 401.
   */
  readonly http: KyInstance
  /**
   * How the current tokens are bound: their type, and with DPoP the key's thumbprint (the
   * server's `cnf.jkt`) and that it is not extractable. Undefined when signed out.
   */
  getTokenBinding(): Promise<TokenBinding | undefined>
  /**
   * Calls `listener` with every event of the session (sign-in, refresh, logout, revocations,
   * the outbox, tab messages, storage), synchronously, in order. Events never carry a token.
   * Returns the unsubscribe function.
   */
  on(listener: (event: SessionEvent) => void): () => void
  /** Leaves the other tabs and stops listening. The session cannot be used afterwards. */
  dispose(): void
}

/** What {@link Session.getTokenBinding} says: no token values, only how they are bound. */
export interface TokenBinding {
  /** `DPoP` or `Bearer`, as the token endpoint said. */
  readonly tokenType: string
  /** The DPoP key the tokens are bound to; absent for bearer tokens. */
  readonly dpop?: DPoPKeyInfo
}

class TokenwardenSession implements Session {
  readonly http: KyInstance
  readonly #options: ResolvedOptions
  readonly #id: string
  /** This tab's random id, so it can ignore its own messages. */
  readonly #tab = crypto.randomUUID()
  readonly #snapshot = new SnapshotStore()
  readonly #events: EventStream
  /** Taken by refresh and sign-in, in every tab (logout does without it: see logout.ts). */
  readonly #lock: TabLock
  readonly #cleanups: Array<() => void> = []
  #parts: Promise<Parts> | undefined
  /** The parts once built, so logout can sign out on screen synchronously, in the call itself. */
  #built: Parts | undefined
  #started: Promise<void> | undefined
  #loggingOut: Promise<LogoutResult> | undefined
  #disposed = false

  constructor(options: ResolvedOptions) {
    this.#options = options
    this.#id = sessionIdOf(options.authority, options.clientId)
    this.#lock = (options.lock ?? createDefaultLock)(`tokenwarden:${this.#id}`)
    this.#events = new EventStream({ now: options.now, tab: this.#tab, warn: (message) => options.logger.warn(message) })
    // Every way a session ends shows in the snapshot first: one place to report it.
    this.#snapshot.subscribe(() => {
      const snapshot = this.#snapshot.get()
      if (snapshot.status === 'signed-out') this.#events.emit({ type: 'signed-out', reason: snapshot.reason })
    })
    this.http = createHttpClient({
      getAccessToken: () => this.getAccessToken(),
      refreshAfterRejection: async (rejected) => (await this.#usableParts()).refresher.afterRejection(rejected),
      ...(options.dpop
        ? {
            dpop: {
              proof: async (request) => {
                const { local, dpop } = await this.#usableParts()
                const id = local.current?.tokens.dpopKey
                if (!id || !dpop) return undefined
                // The key goes with the session record: gone means the session ended meanwhile.
                const key = await dpop.load(id)
                if (!key) throw signedOutError()
                return dpop.proof(key, request)
              },
              // The parts exist by then: the request being answered carried their token.
              rememberNonce: (url, nonce) => this.#built?.dpop?.nonces.set(url, nonce),
            },
          }
        : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    // Pre-bound, so `useSyncExternalStore(session.subscribe, session.getSnapshot)` works.
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
    this.on = this.on.bind(this)
  }

  on(listener: (event: SessionEvent) => void): () => void {
    return this.#events.on(listener)
  }

  getSnapshot(): SessionSnapshot {
    return this.#snapshot.get()
  }

  subscribe(listener: () => void): () => void {
    return this.#snapshot.subscribe(listener)
  }

  start(): Promise<void> {
    this.#assertUsable()
    this.#started ??= this.#start()
    return this.#started
  }

  async #start(): Promise<void> {
    const { protocol, outbox, dpop, preloadProtocol } = await this.#assemble()
    // Discovery now, so that logout later costs one round trip. A failure is not fatal:
    // the session can be restored offline, and logout tries discovery again.
    await protocol.metadata().catch(() => undefined)
    // A signed-in tab refreshes before long, perhaps in the background on a timer: have the
    // refresh grant's code (oidc-client-ts) ready by then, fetched while the page is idle.
    if (this.#options.autoRefresh && this.#snapshot.get().status === 'signed-in') preloadProtocol()
    // Keys of sign-ins that never completed (a tab closed during its callback).
    void dpop?.sweep().catch(() => undefined)
    // Revocations a previous page could not finish (offline, closed mid-logout).
    void outbox.start().catch(() => undefined)
    // Sign-in state of logins that were abandoned (the user never came back from the server).
    void protocol.clearStaleState?.().catch(() => undefined)
  }

  /** Builds the parts (parts.ts), joins the other tabs and reads the stored session: once. */
  #assemble(): Promise<Parts> {
    this.#parts ??= (async () => {
      const parts = await assembleParts({
        options: this.#options,
        id: this.#id,
        tab: this.#tab,
        snapshot: this.#snapshot,
        events: this.#events,
        lock: this.#lock,
        loggingOut: () => this.#loggingOut !== undefined,
        onDispose: (cleanup) => this.#cleanups.push(cleanup),
      })
      const resync = () => void this.#resync(parts, 'other-tab')
      this.#cleanups.push(
        parts.channel.subscribe((message) => this.#onMessage(parts, message)),
        onPageRestore(resync),
        // Eviction is noticed where it can be: the database closed under us, the tab shown again.
        onPageVisible(resync),
        parts.storage.onClosed?.(resync) ?? (() => {}),
      )
      if (this.#disposed) this.#cleanup()
      await this.#resync(parts, 'initial')
      this.#built = parts
      if (this.#options.persistStorage) void this.#reportPersistence(parts, false)
      return parts
    })()
    return this.#parts
  }

  async login(args: SignInArgs = {}): Promise<void> {
    const { signIn, signInStateSurvives } = await this.#usableParts()
    if (!signInStateSurvives) {
      throw new TokenwardenError(
        'sign-in-failed',
        'Neither IndexedDB nor sessionStorage can be used here (a private mode?): the sign-in state would not survive the redirect, so sign-in cannot complete.',
      )
    }
    await login(signIn, args)
  }

  async handleCallback(url?: string): Promise<SessionSnapshot> {
    const parts = await this.#usableParts()
    const snapshot = await handleCallback(parts.signIn, url ?? currentUrl(), url === undefined)
    // Not awaited: Firefox may ask the user, and sign-in must not wait for an answer.
    if (this.#options.persistStorage) void this.#reportPersistence(parts, true)
    return snapshot
  }

  /** Asks for persistent storage (after sign-in) or reads whether it is granted; shows and tells the answer. */
  async #reportPersistence({ local, storageKind }: Parts, ask: boolean): Promise<void> {
    const persisted = await persistence(defaultPersistence(), ask)
    if (this.#disposed) return
    local.setPersisted(persisted)
    if (persisted !== undefined) this.#events.emit({ type: 'storage', kind: 'persistence', storage: storageKind, persisted, asked: ask })
  }

  async getAccessToken(): Promise<string> {
    return (await this.#usableParts()).refresher.accessToken()
  }

  async getTokenBinding(): Promise<TokenBinding | undefined> {
    const { local, dpop } = await this.#usableParts()
    const tokens = local.current?.tokens
    if (!tokens) return undefined
    const key = tokens.dpopKey ? await dpop?.load(tokens.dpopKey) : undefined
    return { tokenType: tokens.tokenType, ...(key && dpop ? { dpop: await dpop.info(key) } : {}) }
  }

  async refresh(): Promise<void> {
    const { refresher, local } = await this.#usableParts()
    await refresher.refresh(local.usable(), true)
  }

  logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    this.#assertUsable()
    this.#loggingOut ??= this.#logout(options).finally(() => {
      this.#loggingOut = undefined
    })
    return this.#loggingOut
  }

  async #logout(options: LogoutOptions): Promise<LogoutResult> {
    // No await before logout() when the parts exist: it signs out on screen in this very call.
    return logout((this.#built ?? (await this.#assemble())).logout, options)
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    this.#cleanup()
    this.#snapshot.clear()
    this.#events.clear()
  }

  #cleanup(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
  }

  /** Cross-tab reconciliation: what another tab said, checked against storage. */
  #onMessage({ local, ...parts }: Parts, message: TabMessage): void {
    if (this.#disposed || message.tab === this.#tab) return
    this.#events.emit({ type: 'tab-message', direction: 'received', message: message.type, from: message.tab })
    if (message.type === 'signed-out' && message.signInId !== null) {
      // That sign-in's record is gone for good: whatever of it this tab is about to adopt (its
      // own sign-in or refresh whose commit is still being reported, a read already under
      // way) must not show. Logout tells the tabs while its transaction commits.
      local.ended(message.signInId)
      if (message.signInId === local.current?.signInId) {
        // Drop at once, before any storage read: this tab must not use the tokens any more.
        local.signOut('other-tab')
        return
      }
    }
    // About another sign-in, or a sign-in or refresh: storage says what is true now.
    void this.#resync({ local, ...parts }, 'other-tab')
  }

  /** Re-reads storage and derives the snapshot from it. */
  async #resync({ local, store, storageKind: storage }: Parts, reasonIfGone: SignedOutReason): Promise<void> {
    if (this.#disposed) return
    try {
      const read = await store.read()
      if (read.status === 'invalid') this.#events.emit({ type: 'storage', kind: 'invalid-record', storage, code: read.error.code })
      if (read.status === 'absent' && local.current) this.#events.emit({ type: 'storage', kind: 'lost', storage })
      local.apply(read, reasonIfGone)
    } catch (error) {
      this.#events.emit({ type: 'storage', kind: 'failed', storage, code: (error as TokenwardenError).code ?? 'unexpected' })
      if (this.#snapshot.get().status === 'loading') local.signOut('initial', error as TokenwardenError)
    }
  }

  #assertUsable(): void {
    if (this.#disposed) throw new TokenwardenError('disposed', 'This session was disposed.')
  }

  /** Storage is read; discovery may still be under way (only sign-in and logout need it). */
  async #usableParts(): Promise<Parts> {
    this.#assertUsable()
    void this.start()
    return this.#assemble()
  }
}

/**
 * Creates a session. Touches no browser API until `start()` (or any other method) is called.
 * Throws `TokenwardenError` (`invalid-options`) for options it cannot use.
 */
export function createSession(options: SessionOptions): Session {
  return new TokenwardenSession(resolveOptions(options))
}
