// The bench page: tokenwarden, oidc-client-ts and @axa-fr/oidc-client in one page, driven from
// bench/run.ts. Everything timed is timed here, in the page, with performance.now(); Node only
// sets up (signs in, seeds storage, sets the server's latency and faults) and collects the numbers.

import { OidcClient } from '@axa-fr/oidc-client'
import { UserManager, User, WebStorageStateStore, type IdTokenClaims, type UserManagerSettings } from 'oidc-client-ts'
import { createSession, type Session, type SessionSnapshot } from 'tokenwarden'
import { recordKeys, sessionIdOf, sessionRecord } from '../../src/storage/index.js'

export interface BenchConfig {
  authority: string
  clientId: string
  redirectUri: string
  scope: string
}

/** A token response from the server (signInHeadless), plus the ID token's claims. */
export interface BenchTokens {
  access_token: string
  refresh_token: string
  id_token: string
  token_type: string
  scope: string
  /** Lifetime of the access token, in seconds. */
  expires_in: number
  claims: { sub: string } & Record<string, unknown>
}

const state: {
  tw?: Session | undefined
  um?: UserManager | undefined
  axa?: OidcClient | undefined
  signedOutAt?: number | undefined
  stopWatching?: (() => void) | undefined
  errors: string[]
} = {
  errors: [],
}

/** An absolute time comparable between the pages of one browser. */
const now = () => performance.timeOrigin + performance.now()

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/** Resolves at the absolute time `at` (Date.now() based, shared by every page and Node). */
function until(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))
}

function whenStatus(session: Session, status: SessionSnapshot['status']): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.getSnapshot().status !== status) return false
      resolve(performance.now())
      return true
    }
    if (check()) return
    const stop = session.subscribe(() => {
      if (check()) stop()
    })
  })
}

// ---- tokenwarden -----------------------------------------------------------------------------

/**
 * Writes a session record the way tokenwarden stores one (src/token-store.ts), straight into
 * IndexedDB, so the library under test only ever reads it. `updatedAt` is when the tokens
 * were issued (tokenwarden times its refresh from it): `expiresAt` minus their lifetime.
 */
function seedTokenwarden(config: BenchConfig, tokens: BenchTokens, expiresAt: number): Promise<void> {
  // Built through the storage format (src/records.ts), as a sign-in would have stored it: a
  // plain record, which the session reads (and re-writes in its current form) at start.
  const record = sessionRecord({
    tokens: {
      accessToken: tokens.access_token,
      tokenType: 'Bearer',
      refreshToken: tokens.refresh_token,
      idToken: tokens.id_token,
      scope: tokens.scope,
      expiresAt,
    },
    profile: { ...tokens.claims },
    updatedAt: Math.min(Date.now(), expiresAt - tokens.expires_in * 1000),
  })
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('tokenwarden')
    open.onupgradeneeded = () => open.result.createObjectStore('records')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      const tx = db.transaction('records', 'readwrite')
      tx.objectStore('records').put(record, recordKeys.session(sessionIdOf(config.authority, config.clientId)))
      tx.oncomplete = () => {
        db.close()
        resolve()
      }
      tx.onerror = () => reject(tx.error)
    }
  })
}

function twCreate(config: BenchConfig): Session {
  state.tw?.dispose()
  state.tw = createSession({
    authority: config.authority,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    scope: config.scope,
  })
  return state.tw
}

/** A new session, started (storage read, other tabs joined, discovery loaded). */
async function twStart(config: BenchConfig): Promise<SessionSnapshot['status']> {
  const session = twCreate(config)
  await session.start()
  return session.getSnapshot().status
}

async function twLogout(): Promise<{ ms: number; settledAt: number; revocation: Record<string, string>; cleared: boolean }> {
  const session = state.tw!
  const started = performance.now()
  const result = await session.logout()
  const settled = performance.now()
  return {
    ms: settled - started,
    settledAt: performance.timeOrigin + settled,
    revocation: {
      refresh_token: result.revocation.refresh_token,
      access_token: result.revocation.access_token,
    },
    cleared: result.cleared,
  }
}

/** Notes when this tab's snapshot turns signed-out (for the cross-tab measure). */
function twWatchSignedOut(): void {
  const session = state.tw!
  state.signedOutAt = undefined
  const stop = session.subscribe(() => {
    if (session.getSnapshot().status === 'signed-out' && state.signedOutAt === undefined) {
      state.signedOutAt = now()
      stop()
    }
  })
}

async function twSignedOutAt(timeoutMs = 5000): Promise<{ at: number | null; reason: string | null }> {
  const deadline = performance.now() + timeoutMs
  while (state.signedOutAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2))
  const snapshot = state.tw!.getSnapshot()
  return { at: state.signedOutAt ?? null, reason: snapshot.status === 'signed-out' ? snapshot.reason : null }
}

/**
 * Refresh storm, as a tab opened at `at` sees it: a new session on the stored (expiring)
 * record, started, then asked for the access token.
 */
async function twStormAt(config: BenchConfig, at: number): Promise<{ token?: string; error?: string }> {
  await until(at)
  const session = twCreate(config)
  try {
    await session.start()
    return { token: await session.getAccessToken() }
  } catch (error) {
    return { error: message(error) }
  }
}

/** The access token this tab's session holds now (after the storm settled). */
async function twCurrentToken(): Promise<{ token?: string; error?: string }> {
  try {
    return { token: await state.tw!.getAccessToken() }
  } catch (error) {
    return { error: message(error) }
  }
}

/** Cold start: a fresh page, a stored record; from `start()` to a signed-in snapshot. */
async function twColdStart(config: BenchConfig): Promise<{ snapshotMs: number; startMs: number; status: string }> {
  const session = twCreate(config)
  const started = performance.now()
  const signedIn = whenStatus(session, 'signed-in')
  await session.start()
  const settled = performance.now()
  const status = session.getSnapshot().status
  const snapshotAt = status === 'signed-in' ? await signedIn : Number.NaN
  return { snapshotMs: snapshotAt - started, startMs: settled - started, status }
}

// ---- oidc-client-ts --------------------------------------------------------------------------

function ocSettings(config: BenchConfig, extra: Partial<UserManagerSettings>): UserManagerSettings {
  return {
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scope,
    loadUserInfo: false,
    // node-oidc-provider answers a revocation with 200 and an empty text/plain body.
    revokeTokenAdditionalContentTypes: ['text/plain'],
    automaticSilentRenew: false,
    ...extra,
  }
}

function ocUser(tokens: BenchTokens, expiresAtSeconds: number): User {
  return new User({
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    token_type: tokens.token_type,
    scope: tokens.scope,
    // The ID token's own claims (iss, sub, aud, exp, iat, …), decoded in Node.
    profile: { ...tokens.claims } as IdTokenClaims,
    expires_at: expiresAtSeconds,
  })
}

function ocStoreKind(kind: 'session' | 'local'): WebStorageStateStore {
  return new WebStorageStateStore({ store: kind === 'local' ? window.localStorage : window.sessionStorage })
}

/** A UserManager with the user stored and the metadata loaded (as tokenwarden's start() does). */
async function ocPrepare(config: BenchConfig, tokens: BenchTokens): Promise<void> {
  state.um?.stopSilentRenew()
  state.um = new UserManager(ocSettings(config, { userStore: ocStoreKind('session') }))
  await state.um.storeUser(ocUser(tokens, Math.floor(Date.now() / 1000) + 3600))
  await state.um.metadataService.getMetadata()
}

/** Stores the user in localStorage, shared by the tabs, without starting anything. */
async function ocSeedShared(config: BenchConfig, tokens: BenchTokens, expiresAtSeconds: number): Promise<void> {
  const seeder = new UserManager(ocSettings(config, { userStore: ocStoreKind('local') }))
  await seeder.storeUser(ocUser(tokens, expiresAtSeconds))
}

/**
 * At `at`, a UserManager with automatic silent renew on the shared localStorage user, as an
 * app tab would create at load. Counts what its renewals do.
 */
async function ocStartRenewingAt(config: BenchConfig, at: number): Promise<void> {
  await until(at)
  state.errors = []
  const um = new UserManager(
    ocSettings(config, {
      userStore: ocStoreKind('local'),
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: 60,
    }),
  )
  um.events.addSilentRenewError((error) => {
    state.errors.push(message(error))
  })
  state.um = um
}

async function ocAccessToken(): Promise<{ token?: string; errors: string[] }> {
  const user = await state.um!.getUser()
  state.um!.stopSilentRenew()
  return { ...(user?.access_token ? { token: user.access_token } : {}), errors: state.errors }
}

/** The oidc-client-ts analogue of a cold start: a UserManager reading its user from localStorage. */
async function ocColdStart(config: BenchConfig): Promise<{ ms: number; found: boolean }> {
  const started = performance.now()
  const um = new UserManager(ocSettings(config, { userStore: ocStoreKind('local') }))
  const user = await um.getUser()
  return { ms: performance.now() - started, found: user !== null }
}

// ---- @axa-fr/oidc-client ---------------------------------------------------------------------

/** Its storage key prefix is `oidc.<configuration name>`. */
const AXA_NAME = 'bench'

/**
 * Writes the tokens the way @axa-fr/oidc-client keeps them without a service worker
 * (initSession.ts: `{ tokens, status }` under `oidc.<name>`), with `issuedAt` so that its
 * `setTokens()` computes the expiry. localStorage, not its default sessionStorage: only a shared
 * storage lets another tab notice the logout at all (its renew timer re-reads storage every second).
 */
function axaSeed(config: BenchConfig, tokens: BenchTokens, expiresAtSeconds: number): void {
  localStorage.setItem(
    `oidc.${AXA_NAME}`,
    JSON.stringify({
      tokens: {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        idToken: tokens.id_token,
        idTokenPayload: tokens.claims,
        scope: tokens.scope,
        tokenType: tokens.token_type,
        expiresIn: tokens.expires_in,
        issuedAt: expiresAtSeconds - tokens.expires_in,
      },
      status: 'LOGGED_IN',
    }),
  )
  // What its loginAsync() leaves behind (login.ts); restoring a session reads it.
  localStorage.setItem(`oidc.login.${AXA_NAME}`, JSON.stringify({ callbackPath: '/', extras: null, scope: config.scope }))
}

/** Its client (one per page and name), restored from storage the way an app does on load. */
async function axaStart(config: BenchConfig): Promise<boolean> {
  state.axa ??= OidcClient.getOrCreate(() => fetch)(
    {
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      scope: config.scope,
      storage: localStorage,
      // No service worker: `service_worker_relative_url` is not set.
    },
    AXA_NAME,
  )
  await state.axa.tryKeepExistingSessionAsync()
  return state.axa.tokens !== null && state.axa.tokens !== undefined
}

// ---- logout, the same way for every library --------------------------------------------------

export type Library = 'tokenwarden' | 'oidc-client-ts' | 'axa'

export interface LogoutMeasure {
  /** performance.timeOrigin + performance.now() when logout was called (comparable across tabs). */
  calledAt: number
  /** ms from the call to the logout promise settling; null when it had not settled within the cap. */
  settledMs: number | null
  /** ms from the call to this tab showing signed-out (see onSignedOut); null when not within the cap. */
  onScreenMs: number | null
  /** The revocation requests as Resource Timing saw them, ms after the call (fetch started, response ended). */
  requests: Array<{ start: number; end: number }>
  /** What the library reported (tokenwarden: its per-token result; axa: its logoutAsync_error events). */
  report: string
  /**
   * tokenwarden only: ms after the call at which its own events said where the logout was
   * (session.on, which never carries a token): the tokens taken and the other tabs told (the
   * `signed-out` tab message sent), the answers read (`revocation` events), the outbox settled
   * (`logout-finished`).
   */
  marks?: { taken?: number; answersRead?: number; outboxSettled?: number }
}

/**
 * Calls `onSignedOut` (once) when this tab's library shows signed-out, the way an app's UI would
 * learn it: tokenwarden's snapshot via `subscribe`; oidc-client-ts's `userUnloaded` event (raised
 * by `removeUser()`); @axa-fr/oidc-client's `logout_from_same_tab` event (raised when it clears
 * its session) — or, with `otherTab`, its `logout_from_another_tab` event.
 */
function onSignedOut(lib: Library, onSeen: () => void, otherTab = false): () => void {
  let seen = false
  const once = () => {
    if (seen) return
    seen = true
    onSeen()
  }
  if (lib === 'tokenwarden') {
    const session = state.tw!
    const check = () => {
      if (session.getSnapshot().status === 'signed-out') once()
    }
    const stop = session.subscribe(check)
    check()
    return stop
  }
  if (lib === 'oidc-client-ts') {
    const um = state.um!
    um.events.addUserUnloaded(once)
    return () => um.events.removeUserUnloaded(once)
  }
  const axa = state.axa!
  const wanted = otherTab ? 'logout_from_another_tab' : 'logout_from_same_tab'
  const id = axa.subscribeEvents((name) => {
    if (name === wanted) once()
  })
  return () => axa.removeEventSubscription(id)
}

/**
 * Logs out with `lib` and times it. The logout promise is raced against `capMs`, so a library
 * that waits forever on a hanging endpoint is reported as not settled instead of blocking.
 */
async function logoutMeasured(lib: Library, capMs: number, profile = false): Promise<LogoutMeasure> {
  performance.clearResourceTimings()
  const errors: string[] = []
  let stopErrors = () => {}
  if (lib === 'axa') {
    const id = state.axa!.subscribeEvents((name, data) => {
      if (name === 'logoutAsync_error') errors.push(message(data))
    })
    stopErrors = () => state.axa!.removeEventSubscription(id)
  }
  let onScreenAt: number | null = null
  const stopWatching = onSignedOut(lib, () => {
    onScreenAt = performance.now()
  })
  const marks: NonNullable<LogoutMeasure['marks']> = {}
  const stopMarks =
    lib === 'tokenwarden'
      ? state.tw!.on((event) => {
          const at = performance.now() - started
          if (event.type === 'tab-message' && event.direction === 'sent' && event.message === 'signed-out') marks.taken ??= at
          else if (event.type === 'revocation' && event.source === 'logout') marks.answersRead = at
          else if (event.type === 'logout-finished') marks.outboxSettled = at
        })
      : () => {}
  // With `profile`, the CPU profile (taken by bench/run.ts through the DevTools protocol) covers
  // exactly the call up to settling.
  if (profile) console.profile('logout')
  const started = performance.now()
  const logout: Promise<string> =
    lib === 'tokenwarden'
      ? state.tw!.logout().then((r) => `refresh_token ${r.revocation.refresh_token}, access_token ${r.revocation.access_token}`)
      : lib === 'oidc-client-ts'
        ? (async () => {
            // Its closest to a logout without a redirect: revoke both tokens, then forget the user.
            await state.um!.revokeTokens()
            await state.um!.removeUser()
            return 'revoked, removed'
          })()
        : // Its default logout (revokes both tokens) without the navigation to end_session, which
          // would unload the page being measured.
          state.axa!.logoutAsync(null, { 'no_reload:oidc': 'true' }).then(() => 'cleared')
  let timer: ReturnType<typeof setTimeout> | undefined
  const outcome = await Promise.race([
    logout.then(
      (report) => ({ at: performance.now(), report }),
      (error: unknown) => ({ at: performance.now(), report: `rejected: ${message(error)}` }),
    ),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), capMs)
    }),
  ])
  clearTimeout(timer)
  if (profile) console.profileEnd('logout')
  // The snapshot may turn signed-out in the same task as the promise settles: give it that turn.
  await new Promise((resolve) => setTimeout(resolve, 0))
  stopWatching()
  stopMarks()
  stopErrors()
  // A request's Resource Timing entry is added a little after its answer is handed to the
  // page: wait (briefly, and only after the logout settled) until both revocations have one,
  // or the count would miss the last of them now and then.
  const revocationEntries = () => performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/token/revocation'))
  for (let waited = 0; outcome && revocationEntries().length < 2 && waited < 200; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const requests = revocationEntries().map((entry) => ({
    start: entry.startTime - started,
    end: (entry as PerformanceResourceTiming).responseEnd - started,
  }))
  const end = onScreenAt as number | null
  return {
    calledAt: performance.timeOrigin + started,
    settledMs: outcome ? outcome.at - started : null,
    onScreenMs: end === null ? null : end - started,
    requests,
    ...(lib === 'tokenwarden' ? { marks } : {}),
    report: `${outcome ? outcome.report : `not settled after ${capMs} ms`}${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`,
  }
}

/**
 * The floor under every library: the two revocation requests as bare `fetch()` calls, sent
 * together, with nothing before or after them. ms from the first call to both bodies read.
 */
async function bareRevocations(endpoint: string, clientId: string, tokens: BenchTokens): Promise<{ ms: number; statuses: number[] }> {
  const post = async (token: string, hint: string) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: clientId }),
    })
    await response.arrayBuffer()
    return response.status
  }
  const started = performance.now()
  const statuses = await Promise.all([post(tokens.refresh_token, 'refresh_token'), post(tokens.access_token, 'access_token')])
  return { ms: performance.now() - started, statuses }
}

/** In the other tab: notes (absolute time) when this tab's library shows signed-out. */
function watchOtherTab(lib: Library): void {
  state.stopWatching?.()
  state.signedOutAt = undefined
  state.stopWatching = onSignedOut(
    lib,
    () => {
      state.signedOutAt = now()
    },
    true,
  )
}

/** The absolute time noted by watchOtherTab, waiting up to `timeoutMs` for it. */
async function otherTabSignedOutAt(timeoutMs: number): Promise<number | null> {
  const deadline = performance.now() + timeoutMs
  while (state.signedOutAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2))
  state.stopWatching?.()
  state.stopWatching = undefined
  return state.signedOutAt ?? null
}

const bench = {
  seedTokenwarden,
  twStart,
  twLogout,
  twWatchSignedOut,
  twSignedOutAt,
  twStormAt,
  twCurrentToken,
  twColdStart,
  ocPrepare,
  ocSeedShared,
  ocStartRenewingAt,
  ocAccessToken,
  ocColdStart,
  axaSeed,
  axaStart,
  logoutMeasured,
  bareRevocations,
  watchOtherTab,
  otherTabSignedOutAt,
}

export type Bench = typeof bench

declare global {
  interface Window {
    bench?: Bench
  }
}

window.bench = bench
