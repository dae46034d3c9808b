// The React binding: a few lines around useSyncExternalStore. It imports only the public
// core (`tokenwarden`, external in the build), so an app bundles one copy of the session.
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from 'react'
import {
  TokenwardenError,
  isTokenwardenError,
  type LogoutOptions,
  type LogoutResult,
  type Session,
  type SessionSnapshot,
} from 'tokenwarden'

const SessionContext = createContext<Session | undefined>(undefined)
SessionContext.displayName = 'TokenwardenSession'

/**
 * What the server renders, and what the first client render sees while hydrating: the
 * server has no tab, no storage and no session, so it cannot know more than "loading".
 * One constant object, as `useSyncExternalStore` requires.
 */
const serverSnapshot: SessionSnapshot = Object.freeze({ status: 'loading' })
const getServerSnapshot = () => serverSnapshot

/** Props of {@link SessionProvider}. */
export interface SessionProviderProps {
  /** The session the hooks below this provider read and act on (from `createSession`). */
  session: Session
  children?: ReactNode
}

/**
 * Makes `session` available to the hooks of this package in the tree below. It does not
 * start the session: call `session.start()` (and `handleCallback()` on the redirect URI)
 * yourself, once, outside React.
 */
export function SessionProvider({ session, children }: SessionProviderProps): ReactElement {
  return createElement(SessionContext.Provider, { value: session }, children)
}

/**
 * The session given to the nearest {@link SessionProvider}: for `login()`, `http`,
 * `refresh()` and the rest of the core API. Throws `TokenwardenError` (`invalid-request`)
 * outside a provider.
 */
export function useTokenwardenSession(): Session {
  return useProvidedSession('useTokenwardenSession')
}

function useProvidedSession(hook: string): Session {
  const session = useContext(SessionContext)
  if (!session) {
    throw new TokenwardenError(
      'invalid-request',
      `${hook}() must be used inside <SessionProvider session={...}>: wrap your app in it.`,
    )
  }
  return session
}

/**
 * The session snapshot (`loading`, `signed-in` with profile and expiry, `signed-out` with a
 * reason). The component re-renders only when the snapshot changes, including when another
 * tab signs in or out. On the server it is always `{ status: 'loading' }`.
 */
export function useSession(): SessionSnapshot {
  return useSnapshot(useProvidedSession('useSession'))
}

function useSnapshot(session: Session): SessionSnapshot {
  // The core's subscribe and getSnapshot are pre-bound, and getSnapshot returns the same
  // object until something changes: exactly the contract useSyncExternalStore wants.
  return useSyncExternalStore(session.subscribe, session.getSnapshot, getServerSnapshot)
}

/** What {@link useAccessToken} returns. */
export interface AccessTokenState {
  /** The current access token; `undefined` while loading, signed out, or after an error. */
  token: string | undefined
  /** True while the session is loading or a token is being fetched (or refreshed). */
  loading: boolean
  /** Why the last attempt to get a token failed (e.g. `refresh-failed`). */
  error: TokenwardenError | undefined
}

const signedOutToken: AccessTokenState = { token: undefined, loading: false, error: undefined }
const loadingToken: AccessTokenState = { token: undefined, loading: true, error: undefined }

/**
 * The access token, for code that needs the raw value (a non-ky client, a WebSocket URL).
 * It asks `session.getAccessToken()` whenever the snapshot changes, so the component
 * re-renders with the new token after a refresh (the core refreshes before expiry), here or in
 * another tab. For API calls prefer `session.http`, or `getAccessToken()` at the moment of
 * the call: a background tab's timers can be throttled past the expiry.
 */
export function useAccessToken(): AccessTokenState {
  const session = useProvidedSession('useAccessToken')
  const snapshot = useSnapshot(session)
  const [state, setState] = useState<AccessTokenState>(() =>
    snapshot.status === 'loading' ? loadingToken : signedOutToken,
  )

  useEffect(() => {
    if (snapshot.status !== 'signed-in') {
      setState(snapshot.status === 'loading' ? loadingToken : signedOutToken)
      return
    }
    // Results of an earlier snapshot (or of a session this component no longer shows) are
    // stale: the cleanup below turns them away.
    let current = true
    // Keep showing the previous token while the next one comes: it belongs to the same sign-in.
    setState((previous) => (previous.loading && previous.error === undefined ? previous : { ...previous, loading: true, error: undefined }))
    session.getAccessToken().then(
      (token) => {
        if (current) setState({ token, loading: false, error: undefined })
      },
      (error: unknown) => {
        if (!current) return
        const reported = isTokenwardenError(error)
          ? error
          : new TokenwardenError('invalid-request', 'getAccessToken() failed.', { cause: error })
        setState({ token: undefined, loading: false, error: reported })
      },
    )
    return () => {
      current = false
    }
  }, [session, snapshot])

  return state
}

/** What {@link useLogout} returns. */
export interface LogoutState {
  /**
   * Revokes both tokens, clears local state and tells every tab (`session.logout()`). The
   * same function on every render. It resolves with the result; it does not reject because
   * the server failed (see `LogoutResult.revocation`).
   */
  logout: (options?: LogoutOptions) => Promise<LogoutResult>
  /** True from the call until the result is in. */
  pending: boolean
  /** The result of the last logout from this component. */
  result: LogoutResult | undefined
}

/** Logout for a button: the call, whether it is running, and what it reported. */
export function useLogout(): LogoutState {
  const session = useProvidedSession('useLogout')
  const [state, setState] = useState<Pick<LogoutState, 'pending' | 'result'>>({ pending: false, result: undefined })
  // Logging out often unmounts the button that did it: nothing to update then.
  const mounted = useRef(false)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])

  const logout = useCallback(
    async (options?: LogoutOptions) => {
      setState((previous) => ({ ...previous, pending: true }))
      try {
        const result = await session.logout(options)
        if (mounted.current) setState({ pending: false, result })
        return result
      } catch (error) {
        if (mounted.current) setState((previous) => ({ ...previous, pending: false }))
        throw error
      }
    },
    [session],
  )

  return { logout, pending: state.pending, result: state.result }
}
