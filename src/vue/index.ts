// The Vue binding: a shallowRef, a subscribe and onScopeDispose. It imports only the public
// core (`tokenwarden`, external in the build), so an app bundles one copy of the session.
import {
  computed,
  getCurrentScope,
  hasInjectionContext,
  inject,
  onScopeDispose,
  shallowReadonly,
  shallowRef,
  type App,
  type InjectionKey,
  type ShallowRef,
} from 'vue'
import {
  TokenwardenError,
  createLogoutAction,
  observeAccessToken,
  type LogoutOptions,
  type LogoutResult,
  type Session,
  type SessionEvent,
  type SessionSnapshot,
} from 'tokenwarden'

/**
 * The key the plugin provides the session under. Use it with `provide(sessionKey, session)`
 * to give one component subtree a different session (or in tests without the plugin).
 */
export const sessionKey: InjectionKey<Session> = Symbol('tokenwarden session')

/** A ref the caller can read and watch but not assign. */
export type ReadonlyRef<T> = Readonly<ShallowRef<T>>

/** The plugin {@link createSessionPlugin} returns, for `app.use()`. */
export interface SessionPlugin {
  install(app: App): void
}

/**
 * The app plugin: `app.use(createSessionPlugin(session))` makes `session` available to the
 * composables of this package in every component. It does not start the session: call
 * `session.start()` (and `handleCallback()` on the redirect URI) yourself, once.
 */
export function createSessionPlugin(session: Session): SessionPlugin {
  return {
    install(app) {
      app.provide(sessionKey, session)
    },
  }
}

const install = 'install it with app.use(createSessionPlugin(session))'

function injectSession(composable: string): Session {
  if (!hasInjectionContext()) {
    throw new TokenwardenError(
      'invalid-request',
      `${composable}() must be called in a component's setup() (or inside app.runWithContext()), where the session plugin can be found: call it at the top of setup().`,
    )
  }
  const session = inject(sessionKey, undefined)
  if (!session) {
    throw new TokenwardenError('invalid-request', `${composable}() found no tokenwarden session: ${install}.`)
  }
  return session
}

/**
 * The session the plugin provides: for `login()`, `http`, `refresh()` and the rest of the
 * core API. Throws `TokenwardenError` (`invalid-request`) without the plugin or outside setup.
 */
export function useTokenwardenSession(): Session {
  return injectSession('useTokenwardenSession')
}

/** A shallowRef that follows a store of the core (`getState` + `subscribe`) until the calling scope ends. */
function followStore<T extends object>(store: { getState(): T; subscribe(listener: () => void): () => void }): ShallowRef<T> {
  const state = shallowRef(store.getState()) as ShallowRef<T>
  onScopeDispose(store.subscribe(() => (state.value = store.getState())))
  // Subscribing may have changed the state (the token observer starts fetching then).
  state.value = store.getState()
  return state
}

/** Without a scope nothing would ever unsubscribe, so composables refuse to run outside one. */
function requireScope(composable: string): void {
  if (!getCurrentScope()) {
    throw new TokenwardenError(
      'invalid-request',
      `${composable}() must be called in a component's setup() (or an effectScope()), so that it can unsubscribe when that scope ends.`,
    )
  }
}

/**
 * The session snapshot (`loading`, `signed-in` with profile and expiry, `signed-out` with a
 * reason) as a readonly ref. It changes only when the snapshot changes, including when
 * another tab signs in or out, and unsubscribes when the component unmounts.
 */
export function useSession(): ReadonlyRef<SessionSnapshot> {
  const session = injectSession('useSession')
  requireScope('useSession')
  // The core hands out the same object until something changes: the ref changes only then.
  return shallowReadonly(followStore({ getState: session.getSnapshot, subscribe: session.subscribe }))
}

/** What {@link useAccessToken} returns: readonly refs. */
export interface AccessTokenRefs {
  /** The current access token; `undefined` while loading, signed out, or after an error. */
  token: ReadonlyRef<string | undefined>
  /** True while the session is loading or a token is being fetched (or refreshed). */
  loading: ReadonlyRef<boolean>
  /** Why the last attempt to get a token failed (e.g. `refresh-failed`). */
  error: ReadonlyRef<TokenwardenError | undefined>
}

/**
 * The access token, for code that needs the raw value (a non-ky client, a WebSocket URL).
 * It asks `session.getAccessToken()` whenever the snapshot changes, so it updates after a
 * refresh (the core refreshes before expiry), here or in another tab. For API calls prefer
 * `session.http`, or `getAccessToken()` at the moment of the call: a background tab's
 * timers can be throttled past the expiry.
 */
export function useAccessToken(): AccessTokenRefs {
  const session = injectSession('useAccessToken')
  requireScope('useAccessToken')
  const state = followStore(observeAccessToken(session))
  return {
    token: computed(() => state.value.token),
    loading: computed(() => state.value.loading),
    error: computed(() => state.value.error),
  }
}

/** What {@link useLogout} returns. */
export interface LogoutRefs {
  /**
   * Revokes both tokens, clears local state and tells every tab (`session.logout()`). It
   * resolves with the result; it does not reject because the server failed (see
   * `LogoutResult.revocation`).
   */
  logout: (options?: LogoutOptions) => Promise<LogoutResult>
  /** True from the call until the result is in. */
  pending: ReadonlyRef<boolean>
  /** The result of the last logout from this component. */
  result: ReadonlyRef<LogoutResult | undefined>
}

/** Logout for a button: the call, whether it is running, and what it reported. */
export function useLogout(): LogoutRefs {
  const session = injectSession('useLogout')
  requireScope('useLogout')
  const action = createLogoutAction(session)
  const state = followStore(action)
  return { logout: action.run, pending: computed(() => state.value.pending), result: computed(() => state.value.result) }
}

/**
 * Calls `listener` with every event of the session (`session.on`) until the calling scope
 * (the component) ends: for telemetry and debugging panels.
 */
export function useSessionEvent(listener: (event: SessionEvent) => void): void {
  const session = injectSession('useSessionEvent')
  requireScope('useSessionEvent')
  onScopeDispose(session.on(listener))
}
