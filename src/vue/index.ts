// The Vue binding: a shallowRef, a subscribe and onScopeDispose. It imports only the public
// core (`tokenwarden`, external in the build), so an app bundles one copy of the session.
import {
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
  isTokenwardenError,
  type LogoutOptions,
  type LogoutResult,
  type Session,
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

/**
 * A shallowRef that follows the session's snapshot until the calling scope (the component)
 * is disposed. Without a scope nothing would ever unsubscribe, so that is refused too.
 */
function followSnapshot(composable: string, session: Session, onChange?: (snapshot: SessionSnapshot) => void) {
  if (!getCurrentScope()) {
    throw new TokenwardenError(
      'invalid-request',
      `${composable}() must be called in a component's setup() (or an effectScope()), so that it can unsubscribe when that scope ends.`,
    )
  }
  const snapshot = shallowRef(session.getSnapshot())
  const unsubscribe = session.subscribe(() => {
    const next = session.getSnapshot()
    // The core hands out the same object until something changes: nothing to do then.
    if (next === snapshot.value) return
    snapshot.value = next
    onChange?.(next)
  })
  onScopeDispose(unsubscribe)
  return snapshot
}

/**
 * The session snapshot (`loading`, `signed-in` with profile and expiry, `signed-out` with a
 * reason) as a readonly ref. It changes only when the snapshot changes, including when
 * another tab signs in or out, and unsubscribes when the component unmounts.
 */
export function useSession(): ReadonlyRef<SessionSnapshot> {
  const session = injectSession('useSession')
  return shallowReadonly(followSnapshot('useSession', session))
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
  const token = shallowRef<string | undefined>(undefined)
  const loading = shallowRef(true)
  const error = shallowRef<TokenwardenError | undefined>(undefined)
  // Each snapshot gets a number; an answer for an older one (or after unmount) is stale.
  let generation = 0

  const load = (snapshot: SessionSnapshot) => {
    const mine = ++generation
    if (snapshot.status !== 'signed-in') {
      token.value = undefined
      loading.value = snapshot.status === 'loading'
      error.value = undefined
      return
    }
    // The previous token stays until the next one comes: it belongs to the same sign-in.
    loading.value = true
    error.value = undefined
    session.getAccessToken().then(
      (value) => {
        if (mine !== generation) return
        token.value = value
        loading.value = false
      },
      (reason: unknown) => {
        if (mine !== generation) return
        token.value = undefined
        loading.value = false
        error.value = isTokenwardenError(reason)
          ? reason
          : new TokenwardenError('invalid-request', 'getAccessToken() failed.', { cause: reason })
      },
    )
  }

  const snapshot = followSnapshot('useAccessToken', session, load)
  onScopeDispose(() => {
    generation += 1
  })
  load(snapshot.value)
  return { token: shallowReadonly(token), loading: shallowReadonly(loading), error: shallowReadonly(error) }
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
  const pending = shallowRef(false)
  const result = shallowRef<LogoutResult | undefined>(undefined)
  const logout = async (options?: LogoutOptions) => {
    pending.value = true
    try {
      const outcome = await session.logout(options)
      result.value = outcome
      return outcome
    } finally {
      pending.value = false
    }
  }
  return { logout, pending: shallowReadonly(pending), result: shallowReadonly(result) }
}
