import type { EventStream } from './events.js'
import { LocalSession } from './local-session.js'
import type { LogoutPort } from './logout.js'
import type { ResolvedOptions } from './options.js'
import { Refresher } from './refresh.js'
import type { SignInPort } from './sign-in.js'
import type { SnapshotStore } from './snapshot.js'
import { Outbox, createRevoker, targetsOf, type Revoker } from './revocation/index.js'
import {
  protectAtRest,
  type AtRest,
  SessionStore,
  createSessionStorageStateStore,
  createStateStore,
  type KeyValueStorage,
  type StorageKind,
  openDefaultStorage,
} from './storage/index.js'
import { createDefaultLock, type TabLock, createDefaultChannel, type TabChannel, type TabMessage } from './tabs/index.js'
import { realTimers } from './util/index.js'
import { createDefaultProtocol, loadDPoP, type DPoP, type Protocol, type ProtocolFactory, type StateStore } from './protocol/index.js'

/** What a session lends the parts it builds: who it is, what it shows, and what it shares across them. */
export interface PartsHost {
  readonly options: ResolvedOptions
  /** The session's id (authority + client), the prefix of its records, channel and locks. */
  readonly id: string
  /** This tab's random id, carried by its messages so it can ignore its own. */
  readonly tab: string
  readonly snapshot: SnapshotStore
  readonly events: EventStream
  /** Taken by refresh and sign-in, in every tab (logout does without it: see logout.ts). */
  readonly lock: TabLock
  /** True while `logout()` runs: a refresh landing then must not show tokens again. */
  loggingOut(): boolean
  /** Registers what `dispose()` must undo (close the database, the channel, the timers). */
  onDispose(cleanup: () => void): void
}

/** The parts of a session, built together once storage is open: none exists without the others. */
export interface Parts {
  /** Where the records are kept (for storage events), and the storage itself (it may close under us). */
  storageKind: StorageKind
  storage: KeyValueStorage
  /** False when neither IndexedDB nor sessionStorage can hold the sign-in state over the redirect. */
  signInStateSurvives: boolean
  dpop: DPoP | undefined
  local: LocalSession
  store: SessionStore
  protocol: Protocol
  /** Fetches the protocol's code loaded on demand, when idle (nothing with the `protocol` seam). */
  preloadProtocol: () => void
  outbox: Outbox
  refresher: Refresher
  revoke: Revoker
  channel: TabChannel
  signIn: SignInPort
  logout: LogoutPort
}

// Once per logger, as for the client secret: an app with many sessions is told once.
const warnedPlaintext = new WeakSet<object>()

/**
 * Opens storage and builds every part of a session on it, each given the narrow port it
 * needs. Runs once per session; what it opens is registered with `host.onDispose`. The
 * session's behaviour (reconciling tabs, the public methods) lives in session.ts.
 */
export async function assembleParts(host: PartsHost): Promise<Parts> {
  const { options, id, lock } = host
  const emit = host.events.emit
  // DPoP's code is loaded only by the apps that turn it on, while the database opens (not
  // after it); if it cannot load, start fails, typed. The sealing code is part of the entry:
  // encryption at rest is on by default, and as a chunk of its own it cost every default app
  // a request at start (7-9 ms added to a cold start, measured by bench/encryption.js; ~1 ms now).
  const dpopLoading = options.dpop ? loadDPoP() : undefined
  // Awaited below; this only keeps a failure that comes first from being reported as unhandled.
  dpopLoading?.catch(() => undefined)
  let storage = options.storage
  // The sign-in state must outlive the redirect: in IndexedDB, or in sessionStorage when
  // IndexedDB fell back to memory; undefined when nothing would survive it.
  let stateStore: StateStore | undefined
  if (!storage) {
    const opened = await openDefaultStorage(options.databaseName)
    storage = opened.storage
    // Ours to close: a disposed session must not block a deletion or upgrade of the database.
    host.onDispose(() => opened.storage.close?.())
    if (opened.fallbackReason) {
      options.logger.warn(`tokenwarden: ${opened.fallbackReason.message}`)
      emit({ type: 'storage', kind: 'fallback', storage: 'memory', code: opened.fallbackReason.code })
      stateStore = createSessionStorageStateStore(id)
    } else stateStore = createStateStore(storage, id)
  } else stateStore = createStateStore(storage, id)
  const storageKind = storage.kind
  // Tokens are sealed on their way into storage; the sign-in state has none and skips it.
  const subtle = options.subtle ?? globalThis.crypto?.subtle
  const atRest: AtRest = !options.encryptAtRest ? 'off' : subtle ? 'encrypted' : 'unavailable'
  if (atRest === 'encrypted') storage = protectAtRest(storage, id, true, subtle).storage
  if (atRest === 'unavailable' && !warnedPlaintext.has(options.logger)) {
    warnedPlaintext.add(options.logger)
    options.logger.warn('tokenwarden: WebCrypto is not available (not a secure context?): tokens are stored unencrypted.')
  }
  // DPoP fails here, at start, rather than at the first sign-in, without WebCrypto ECDSA.
  const dpopModule = await dpopLoading
  await dpopModule?.assertDPoPSupport()
  const { now, revocation } = options
  const timers = options.timers ?? realTimers
  const lockFactory = options.lock ?? createDefaultLock
  const warn = (message: string) => options.logger.warn(message)
  const navigate = (url: string) => (options.navigate ?? ((target: string) => globalThis.location.assign(target)))(url)
  const store = new SessionStore(storage, id, now)
  const context = { options, stateStore: stateStore ?? createStateStore(storage, id) }
  // The seam (the test kit, tests) replaces the default protocol and loads no chunk.
  const defaultProtocol = options.protocol ? undefined : createDefaultProtocol(context)
  const baseProtocol = defaultProtocol ?? (options.protocol as ProtocolFactory)(context)
  const revoke = createRevoker({
    endpoint: async () => (await protocol.metadata()).revocationEndpoint,
    client_id: options.clientId,
    client_secret: options.clientSecret,
    clientAuthentication: options.clientAuthentication,
    retryLimit: revocation.retryLimit,
    maxRetryAfterMs: revocation.maxRetryAfterMs,
    keepalive: revocation.keepalive,
    allowInsecureHttp: options.allowInsecureHttp,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  const dpop = dpopModule ? new dpopModule.DPoP(storage, id, now, new dpopModule.DPoPNonces()) : undefined
  const protocol =
    dpopModule && dpop
      ? dpopModule.withDPoP(baseProtocol, dpop, (tokens) => {
          const { timeoutMs } = revocation
          void revoke(targetsOf(tokens), { signal: AbortSignal.timeout(timeoutMs), timeoutMs }).catch(() => undefined)
        })
      : baseProtocol
  const outbox = new Outbox({
    storage,
    sessionId: id,
    enabled: revocation.outbox,
    lock: lockFactory(`tokenwarden:${id}:outbox`),
    revoke,
    timeoutMs: revocation.timeoutMs,
    maxAgeMs: revocation.outboxMaxAgeMs,
    now,
    timers,
    emit,
  })
  const channel = (options.channel ?? createDefaultChannel)(`tokenwarden:${id}`)
  const broadcast = (type: TabMessage['type'], signInId: string | null) => {
    channel.post({ type, signInId, tab: host.tab })
    emit({ type: 'tab-message', direction: 'sent', message: type })
  }
  // The local session and the refresher need each other: new tokens (re)schedule the refresh.
  let refresher: Refresher | undefined
  const local = new LocalSession({
    snapshot: host.snapshot,
    storage: { storage: storageKind, atRest },
    warn,
    onTokens: (current) => refresher?.schedule(current),
    loggingOut: host.loggingOut,
  })
  const refresh = new Refresher({
    store,
    local,
    lock,
    protocol,
    outbox,
    broadcast,
    warn,
    leewayMs: options.refreshLeewaySeconds * 1000,
    autoRefresh: options.autoRefresh,
    now,
    timers,
    emit,
  })
  refresher = refresh
  host.onDispose(outbox.listen())
  host.onDispose(() => channel.close())
  host.onDispose(() => refresh.close())
  host.onDispose(() => outbox.close())
  return {
    storageKind,
    storage,
    signInStateSurvives: stateStore !== undefined,
    dpop,
    local,
    store,
    protocol,
    preloadProtocol: defaultProtocol?.preload ?? (() => {}),
    outbox,
    refresher: refresh,
    revoke,
    channel,
    signIn: {
      store,
      local,
      lock,
      protocol,
      outbox,
      revoke,
      revokeTimeoutMs: revocation.timeoutMs,
      broadcast,
      navigate,
      now,
      snapshot: () => host.snapshot.get(),
      emit,
    },
    logout: {
      store,
      local,
      outbox,
      revoke,
      cancelRefresh: () => refresh.cancel(),
      unsavedTokens: (signInId) => refresh.unsavedTokens(signInId)?.tokens,
      broadcast,
      protocol,
      navigate,
      timeoutMs: revocation.timeoutMs,
      emit,
    },
  }
}
