// The bench page: tokenwarden and oidc-client-ts in one page, driven from bench/run.js.
// Everything timed is timed here, in the page, with performance.now(); Node only sets up
// (signs in, seeds storage, sets the server's latency) and collects the numbers.

import { UserManager, User, WebStorageStateStore, type IdTokenClaims, type UserManagerSettings } from 'oidc-client-ts'
import { createSession, type Session, type SessionSnapshot } from 'tokenwarden'

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

const state: { tw?: Session | undefined; um?: UserManager | undefined; signedOutAt?: number | undefined; errors: string[] } = {
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
  const record = {
    v: 1,
    kind: 'tokenwarden/session',
    epoch: crypto.randomUUID(),
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
  }
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('tokenwarden')
    open.onupgradeneeded = () => open.result.createObjectStore('records')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      const tx = db.transaction('records', 'readwrite')
      tx.objectStore('records').put(record, `session:${config.authority}|${config.clientId}`)
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

/** oidc-client-ts's closest to logout without a redirect: revoke both tokens, then forget the user. */
async function ocLogout(): Promise<{ ms: number; stored: boolean }> {
  const um = state.um!
  const started = performance.now()
  await um.revokeTokens()
  await um.removeUser()
  const ms = performance.now() - started
  return { ms, stored: (await um.getUser()) !== null }
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
  ocLogout,
  ocSeedShared,
  ocStartRenewingAt,
  ocAccessToken,
  ocColdStart,
}

export type Bench = typeof bench

declare global {
  interface Window {
    bench?: Bench
  }
}

window.bench = bench
