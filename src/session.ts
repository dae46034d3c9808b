import type { KyInstance } from 'ky'
// First: ky is laid out first in the bundle, where it compresses best beside our own code.
import { createHttpClient, destinationOf, destinationRefused, pageUrl } from './http/index.js'
import { assembleParts, type Parts } from './compose.js'
import { TokenwardenError } from './errors.js'
import { EventStream, type SessionEvent } from './events.js'
import type { LogoutOptions, LogoutResult } from './logout.js'
import type { ResolvedOptions, SessionOptions } from './options.js'
import { resolveOptions } from './resolve-options.js'
import type { SignInArgs, TokenBinding } from './protocol/index.js'
import { defaultPersistence, persistence, sessionIdOf } from './storage/index.js'
import { assertSecureContext } from './util/index.js'
import { type SessionSnapshot, SnapshotStore } from './view/index.js'

export type { TokenBinding }

/** Options of `getAccessToken()`. */
export interface AccessTokenOptions {
  /** The resource indicator (RFC 8707) of a declared destination: its token instead of the session's. */
  resource?: string
  /**
   * The URL the token is for: the token of the destination it falls under (its resource's, or
   * the session's), by the rule `session.http` applies; `destination-refused` when it falls
   * under none. For HTTP clients that attach tokens themselves (the Angular interceptor). Not
   * with `resource`. A relative URL is resolved against the page's location.
   */
  url?: string | URL
  /**
   * A token the server refused (a 401): a newer one is returned, refreshed once when the
   * session holds none newer (shared by concurrent callers, one grant across tabs).
   */
  rejected?: string
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
  /**
   * The access token, refreshed first when it expires within the leeway. With `resource`,
   * that resource's own token (RFC 8707), asked for with the refresh token when there is none
   * yet or it is due; the resource must be named by a destination (`invalid-request` if not).
   */
  getAccessToken(options?: AccessTokenOptions): Promise<string>
  /**
   * Counts as the user's activity, in every tab: the idle limit (`idleTimeoutSeconds`) starts
   * again and a running `idle-warning` countdown stops. The "stay signed in" of a countdown
   * dialog. Does nothing without an idle limit or a session.
   */
  stayActive(): void
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
   * Whether the access token may go to `url`: it falls under a declared destination or the
   * app's own origin (the `destinations` option). The rule `session.http` applies before it
   * sends anything; framework HTTP clients (the Angular interceptor) ask it before they attach
   * a token. A relative URL is resolved against the page's location, as `fetch` does.
   */
  sendsTokenTo(url: string | URL): boolean
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

class TokenwardenSession implements Session {
  readonly http: KyInstance
  readonly #options: ResolvedOptions
  readonly #id: string
  /** This tab's random id, so it can ignore its own messages. */
  readonly #tab = crypto.randomUUID()
  readonly #snapshot = new SnapshotStore()
  readonly #events: EventStream
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
    this.#events = new EventStream({ now: options.now, tab: this.#tab, warn: (message) => options.logger.warn(message) })
    // Every way a session ends shows in the snapshot first: one place to report it.
    this.#snapshot.subscribe(() => {
      const snapshot = this.#snapshot.get()
      if (snapshot.status === 'signed-out') this.#events.emit({ type: 'signed-out', reason: snapshot.reason })
    })
    this.http = createHttpClient({
      destinations: options.destinations,
      onRefused: (origin) => this.#events.emit({ type: 'destination-refused', origin }),
      getAccessToken: (destination) => this.getAccessToken(destination),
      refreshAfterRejection: (rejected, { resource }) => this.#newerThan(rejected, resource),
      ...(options.dpop
        ? {
            dpop: {
              proof: async (request) => (await this.#usableParts()).httpDPoP?.proof(request),
              // The parts exist by then: the request being answered carried their token.
              rememberNonce: (url, nonce) => this.#built?.httpDPoP?.rememberNonce(url, nonce),
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

  sendsTokenTo(url: string | URL): boolean {
    return !!destinationOf(this.#options.destinations, url)
  }

  subscribe(listener: () => void): () => void {
    return this.#snapshot.subscribe(listener)
  }

  start(): Promise<void> {
    this.#assertUsable()
    this.#started ??= this.#assemble().then((parts) => parts.begin())
    return this.#started
  }

  /**
   * Builds the parts (compose.ts), joins the other tabs and reads the stored session: once. A
   * failure (a chunk that did not arrive) closes what it opened, and the next call starts again.
   */
  #assemble(): Promise<Parts> {
    this.#parts ??= (async () => {
      const parts = await assembleParts({
        options: this.#options,
        id: this.#id,
        tab: this.#tab,
        snapshot: this.#snapshot,
        events: this.#events,
        loggingOut: () => this.#loggingOut !== undefined,
        onDispose: (cleanup) => this.#cleanups.push(cleanup),
      })
      this.#cleanups.push(() => parts.reconciler.close())
      if (this.#disposed) this.#cleanup()
      await parts.reconciler.resync('initial')
      this.#built = parts
      if (this.#options.persistStorage) void this.#reportPersistence(parts, false)
      return parts
    })().catch((error: unknown) => {
      this.#parts = undefined
      this.#started = undefined
      this.#cleanup()
      throw error
    })
    return this.#parts
  }

  async login(args: SignInArgs = {}): Promise<void> {
    await (await this.#usableParts()).login(args)
  }

  async handleCallback(url?: string): Promise<SessionSnapshot> {
    const parts = await this.#usableParts()
    const snapshot = await parts.handleCallback(url)
    // Not awaited: Firefox may ask the user, and sign-in must not wait for an answer.
    if (this.#options.persistStorage) void this.#reportPersistence(parts, true)
    return snapshot
  }

  /** Asks for persistent storage (after sign-in) or reads whether it is granted; shows and tells the answer. */
  async #reportPersistence({ local, storage }: Parts, ask: boolean): Promise<void> {
    const persisted = await persistence(defaultPersistence(), ask)
    if (this.#disposed) return
    local.setPersisted(persisted)
    if (persisted !== undefined) this.#events.emit({ type: 'storage', kind: 'persistence', storage: storage.kind, persisted, asked: ask })
  }

  async getAccessToken(options: AccessTokenOptions = {}): Promise<string> {
    if (typeof options !== 'object' || options === null)
      throw new TokenwardenError('invalid-request', 'getAccessToken takes an options object.')
    const resource = this.#resourceOf(options)
    if (options.rejected !== undefined) return this.#newerThan(options.rejected, resource)
    const parts = await this.#usableParts()
    return resource === undefined ? parts.refresher.accessToken() : (await parts.resources()).accessToken(resource)
  }

  /** A token newer than the one a server refused: `session.http`'s 401 and `getAccessToken({ rejected })`. */
  async #newerThan(rejected: string | undefined, resource: string | undefined): Promise<string> {
    const parts = await this.#usableParts()
    return resource === undefined ? parts.refresher.afterRejection(rejected) : (await parts.resources()).afterRejection(resource, rejected)
  }

  /** The resource whose token `getAccessToken` hands out: the one named, or that of `url`'s destination. */
  #resourceOf({ resource, url, rejected }: AccessTokenOptions): string | undefined {
    if (rejected !== undefined && (typeof rejected !== 'string' || rejected === '')) {
      throw new TokenwardenError('invalid-request', '`rejected` must be a token.')
    }
    if (url === undefined) return resource
    if (resource !== undefined) throw new TokenwardenError('invalid-request', 'getAccessToken takes `resource` or `url`, not both.')
    const target = pageUrl(url)
    if (!target) throw new TokenwardenError('invalid-request', '`url` must be a URL.')
    const destination = destinationOf(this.#options.destinations, target)
    if (!destination) {
      const { origin } = target
      this.#events.emit({ type: 'destination-refused', origin })
      throw destinationRefused(origin)
    }
    return destination.resource
  }

  stayActive(): void {
    this.#built?.idle?.stayActive()
  }

  async getTokenBinding(): Promise<TokenBinding | undefined> {
    return (await this.#usableParts()).tokenBinding()
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
    return (this.#built ?? (await this.#assemble())).logout(options)
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
 * Creates a session. Opens no storage and starts no timer until `start()` (or any other method)
 * is called. Throws `TokenwardenError`: `invalid-options` for options it cannot use,
 * `insecure-context` on a page that is not a secure context (no WebCrypto).
 */
export function createSession(options: SessionOptions): Session {
  const resolved = resolveOptions(options)
  assertSecureContext()
  return new TokenwardenSession(resolved)
}
