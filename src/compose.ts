import { TokenwardenError } from './errors.js'
import type { EventStream } from './events.js'
import { type LogoutOptions, type LogoutResult, logout } from './logout.js'
import type { ResolvedOptions } from './options.js'
import { createDefaultProtocol, type DPoP, loadDPoP, type Protocol, type TokenBinding } from './protocol/index.js'
import { Reconciler } from './reconcile.js'
import { Refresher } from './refresh.js'
import type { ResourceTokens } from './resources.js'
import { type IdleWatcher, loadIdle, ServerLimit } from './limits/index.js'
import { createRevoker, Outbox } from './revocation/index.js'
import type { SignInPort } from './sign-in.js'
import { type OpenedStorage, openStorage, SessionStore, sessionNames } from './storage/index.js'
import {
  createDefaultChannel,
  createDefaultLock,
  onOnline,
  onPageRestore,
  onPageVisible,
  onUserActivity,
  type EndReason,
  type TabMessage,
} from './tabs/index.js'
import type { SignInArgs } from './protocol/index.js'
import type { TokenSet } from './tokens.js'
import { onDemand, quietGate, realTimers } from './util/index.js'
import { LocalSession, signedOutError, type SessionSnapshot, type SnapshotStore } from './view/index.js'
import type { HttpDPoP } from './http/index.js'

/** What a session lends the parts it builds: who it is, what it shows, and what outlives them. */
export interface SessionHost {
  readonly options: ResolvedOptions
  /** The session's id (authority + client): every name of its records, channel and locks derives from it. */
  readonly id: string
  /** This tab's random id, carried by its messages so it can ignore its own. */
  readonly tab: string
  readonly snapshot: SnapshotStore
  readonly events: EventStream
  /** True while `logout()` runs: a refresh landing then must not show tokens again. */
  loggingOut(): boolean
  /** Registers what `dispose()` must undo (close the database, the channel, the timers). */
  onDispose(cleanup: () => void): void
}

/** A session's parts, built together once storage is open: what the public methods call. */
export interface Parts {
  readonly storage: OpenedStorage
  readonly local: LocalSession
  readonly refresher: Refresher
  readonly reconciler: Reconciler
  /** The first steps after the stored session is read: discovery, and what a previous page left. */
  begin(): Promise<void>
  login(args: SignInArgs): Promise<void>
  handleCallback(url: string | undefined): Promise<SessionSnapshot>
  logout(options: LogoutOptions): Promise<LogoutResult>
  tokenBinding(): Promise<TokenBinding | undefined>
  /** The idle limit, with `idleTimeoutSeconds`. */
  readonly idle: IdleWatcher | undefined
  /** DPoP proofs for `session.http`, with `dpop: true`. */
  readonly httpDPoP: HttpDPoP | undefined
  /** The declared resources' tokens (RFC 8707): their code is loaded on first use. */
  resources(): Promise<ResourceTokens>
}

/**
 * Opens storage and builds every part of a session on it, each given the narrow port it needs
 * and reading its own slice of the options as it is. Runs once per session; what it opens is
 * registered with `host.onDispose`.
 */
export async function assembleParts(host: SessionHost): Promise<Parts> {
  const { options, id } = host
  const emit = host.events.emit
  const names = sessionNames(id)
  // DPoP's code and the idle limit's are loaded only by the sessions that turn them on, while
  // the database opens; if either cannot load, start fails, typed.
  const dpopLoading = options.dpop ? loadDPoP() : undefined
  const idleLoading = options.idleTimeoutSeconds === undefined ? undefined : loadIdle()
  // Awaited below; this only keeps a failure that comes first from being reported as unhandled.
  for (const loading of [dpopLoading, idleLoading]) loading?.catch(() => undefined)
  const storage = await openStorage(options)
  host.onDispose(storage.close)
  if (storage.fallback) emit({ type: 'storage', kind: 'fallback', storage: 'memory', code: storage.fallback.code })
  // DPoP fails here, at start, rather than at the first sign-in, without WebCrypto ECDSA.
  const dpopModule = await dpopLoading
  await dpopModule?.assertDPoPSupport()
  const idleModule = await idleLoading

  const { now } = options
  const timers = options.timers ?? realTimers
  const lockNamed = options.lock ?? createDefaultLock
  const lock = lockNamed(names.lock)
  const navigate = (url: string) => (options.navigate ?? ((target: string) => globalThis.location.assign(target)))(url)
  const store = new SessionStore(storage.records, id, now)
  // Tokens the protocol refuses (a mix-up) are revoked through the outbox, built below: the
  // protocol calls this only once a sign-in or refresh is under way.
  const context = { options, stateStore: storage.stateStore, discard: (tokens: TokenSet) => void outbox.revokeUnqueued(tokens) }
  // The seam (the test kit, tests) replaces the default protocol and loads no chunk.
  const defaultProtocol = options.protocol ? undefined : createDefaultProtocol(context)
  const baseProtocol: Protocol = defaultProtocol ?? options.protocol!(context)
  const revoke = createRevoker(options, async () => (await protocol.metadata()).revocationEndpoint, emit)
  const outbox = new Outbox({
    storage: storage.records,
    sessionId: id,
    settings: options.revocation,
    lock: lockNamed(names.outboxLock),
    revoke,
    now,
    timers,
    emit,
  })
  const dpop: DPoP | undefined = dpopModule?.createDPoP(storage.records, id, now)
  const protocol =
    dpopModule && dpop ? dpopModule.withDPoP(baseProtocol, dpop, (tokens) => void outbox.revokeUnqueued(tokens)) : baseProtocol
  const channel = (options.channel ?? createDefaultChannel)(names.channel)
  const broadcast = (type: TabMessage['type'], signInId: string | null, reason?: EndReason) => {
    channel.post({ type, signInId, tab: host.tab, ...(reason ? { reason } : {}) })
    emit({ type: 'tab-message', direction: 'sent', message: type })
  }
  const local = new LocalSession({
    snapshot: host.snapshot,
    storage: { storage: storage.kind, atRest: storage.atRest },
    warn: (message) => options.logger.warn(message),
    loggingOut: host.loggingOut,
  })
  // The idle limit, when there is one: built before the refresher, which asks it whether the
  // user was active; its logout is the session's own (below), with reason `idle`.
  const idle =
    idleModule && options.idleTimeoutSeconds !== undefined
      ? new idleModule.IdleWatcher({
          limitMs: options.idleTimeoutSeconds * 1000,
          warningMs: Math.min(options.idleWarningSeconds, options.idleTimeoutSeconds) * 1000,
          broadcast: (type) => channel.post({ type, signInId: local.current?.signInId ?? null, tab: host.tab }),
          listen: onUserActivity,
          logout: () => runLogout({}, 'idle'),
          resume: () => refresher.resume(),
          now,
          timers,
          emit,
        })
      : undefined
  const serverLimit = new ServerLimit({ now, timers, emit })
  const refresher = new Refresher({
    store,
    local,
    lock,
    renew: {
      // `off` where the protocol cannot renew silently (a seam without `silentRenew`).
      mode: protocol.silentRenew ? options.silentRenew : 'off',
      protocol,
      online: () => globalThis.navigator?.onLine !== false,
    },
    outbox,
    broadcast,
    warn: (message) => options.logger.warn(message),
    leewayMs: options.refreshLeewaySeconds * 1000,
    autoRefresh: options.autoRefresh,
    ...(idle ? { activeSince: (since: number) => idle.activeSince(since) } : {}),
    now,
    timers,
    emit,
  })
  const reconciler = new Reconciler({
    tab: host.tab,
    local,
    store,
    storage: storage.kind,
    snapshot: host.snapshot,
    release: (stored) => refresher.release(stored),
    emit,
  })
  const resync = () => void reconciler.resync('other-tab')
  for (const cleanup of [
    local.onTokens((current) => refresher.schedule(current)),
    idle ? local.onTokens((current) => idle.onTokens(current)) : () => {},
    local.onTokens((current) => serverLimit.onTokens(current)),
    () => serverLimit.close(),
    idle ? channel.subscribe((message) => idle.onMessage(message)) : () => {},
    () => idle?.close(),
    onOnline(() => void outbox.drain(true)),
    channel.subscribe((message) => reconciler.onMessage(message)),
    onPageRestore(resync),
    // Eviction is noticed where it can be: the database closed under us, the tab shown again.
    onPageVisible(resync),
    // A due token is renewed when the page is shown, not when its throttled timer wakes.
    onPageVisible(() => refresher.renewIfDue()),
    storage.records.onClosed?.(resync) ?? (() => {}),
    () => channel.close(),
    () => refresher.close(),
    () => outbox.close(),
  ]) {
    host.onDispose(cleanup)
  }

  const loadResources = onDemand('resource tokens', async () => {
    const { ResourceTokens } = await import('./resources.js')
    return new ResourceTokens({
      ...options,
      store,
      local,
      lock,
      protocol,
      outbox,
      refresher,
      broadcast,
    })
  })
  function runLogout(logoutOptions: LogoutOptions, reason?: EndReason): Promise<LogoutResult> {
    return logout(
      {
        store,
        local,
        outbox,
        cancelRefresh: () => refresher.cancel(),
        unsavedTokens: (signInId) => refresher.unsavedTokens(signInId)?.tokens,
        broadcast,
        protocol,
        navigate,
        timeoutMs: options.revocation.timeoutMs,
        emit,
      },
      logoutOptions,
      reason,
    )
  }

  // Sign-in's code comes when it is needed, with the protocol's (both only on the redirect's two ends).
  const signInCode = onDemand('sign-in', () => import('./sign-in.js'))
  const signIn: SignInPort = {
    store,
    local,
    lock,
    protocol,
    outbox,
    release: (stored) => refresher.release(stored),
    broadcast,
    navigate,
    snapshot: () => host.snapshot.get(),
    emit,
  }
  return {
    storage,
    local,
    refresher,
    reconciler,
    async begin() {
      // Discovery now, so that logout later costs one round trip. A failure is not fatal: the
      // session can be restored offline, and logout tries discovery again.
      await protocol.metadata().catch(() => undefined)
      // A signed-in tab refreshes before long, perhaps in the background on a timer: have the
      // refresh grant's code (ours and oidc-client-ts's) ready by then, fetched once the session is
      // quiet, never on the path of a logout, a refresh or a tab's message (see `whenQuiet`).
      if (options.autoRefresh && host.snapshot.get().status === 'signed-in' && defaultProtocol) {
        const wanted = () => host.snapshot.get().status === 'signed-in' && !host.loggingOut()
        const gate = quietGate(host.events, now, timers, wanted)
        const cancels = [defaultProtocol.preload(gate), refresher.preload(gate)]
        host.onDispose(() => {
          for (const cancel of cancels) cancel()
          gate.close()
        })
      }
      // Keys of sign-ins that never completed (a tab closed during its callback).
      void dpop?.sweep().catch(() => undefined)
      // Revocations a previous page could not finish (offline, closed mid-logout).
      void outbox.start().catch(() => undefined)
      // Sign-in state of logins that were abandoned (the user never came back from the server).
      void protocol.clearStaleState?.().catch(() => undefined)
    },
    async login(args) {
      if (!storage.stateSurvivesRedirect) {
        throw new TokenwardenError(
          'sign-in-failed',
          'Neither IndexedDB nor sessionStorage can be used here (a private mode?): the sign-in state would not survive the redirect, so sign-in cannot complete.',
        )
      }
      await (await signInCode()).login(signIn, args)
    },
    handleCallback: async (url) => (await signInCode()).handleCallback(signIn, url),
    logout: (logoutOptions) => runLogout(logoutOptions),
    idle,
    async tokenBinding() {
      const tokens = local.current?.tokens
      if (!tokens) return undefined
      const key = tokens.dpopKey ? await dpop?.load(tokens.dpopKey) : undefined
      return { tokenType: tokens.tokenType, ...(key && dpop ? { dpop: await dpop.info(key) } : {}) }
    },
    resources: loadResources,
    httpDPoP: dpop && {
      async proof(request) {
        const id = local.current?.tokens.dpopKey
        if (!id) return undefined
        // The key goes with the session record: gone means the session ended meanwhile.
        const key = await dpop.load(id)
        if (!key) throw signedOutError()
        return dpop.proof(key, request)
      },
      rememberNonce: (url, nonce) => dpop.nonces.set(url, nonce),
    },
  }
}
