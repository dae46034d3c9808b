// The React binding: a few lines around useSyncExternalStore. It imports only the public
// core (`tokenwarden`, external in the build), so an app bundles one copy of the session.
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from 'react'
import {
  TokenwardenError,
  createLogoutAction,
  observeAccessToken,
  type AccessTokenState,
  type LogoutOptions,
  type LogoutResult,
  type LogoutState as LogoutActionState,
  type Session,
  type SessionEvent,
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
    throw new TokenwardenError('invalid-request', `${hook}() must be used inside <SessionProvider session={...}>: wrap your app in it.`)
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
export type { AccessTokenState }

/** Before hydration there is no session to ask: loading, like the snapshot. */
const serverTokenState: AccessTokenState = Object.freeze({ token: undefined, loading: true, error: undefined })
const getServerTokenState = () => serverTokenState

/**
 * The access token, for code that needs the raw value (a non-ky client, a WebSocket URL).
 * It asks `session.getAccessToken()` whenever the snapshot changes, so the component
 * re-renders with the new token after a refresh (the core refreshes before expiry), here or in
 * another tab. For API calls prefer `session.http`, or `getAccessToken()` at the moment of
 * the call: a background tab's timers can be throttled past the expiry.
 */
export function useAccessToken(): AccessTokenState {
  const session = useProvidedSession('useAccessToken')
  const observer = useMemo(() => observeAccessToken(session), [session])
  return useSyncExternalStore(observer.subscribe, observer.getState, getServerTokenState)
}

/** What {@link useLogout} returns. */
export interface LogoutState extends LogoutActionState {
  /**
   * Revokes both tokens, clears local state and tells every tab (`session.logout()`). The
   * same function on every render. It resolves with the result; it does not reject because
   * the server failed (see `LogoutResult.revocation`).
   */
  logout: (options?: LogoutOptions) => Promise<LogoutResult>
}

/** Logout for a button: the call, whether it is running, and what it reported. */
export function useLogout(): LogoutState {
  const session = useProvidedSession('useLogout')
  const action = useMemo(() => createLogoutAction(session), [session])
  // A component unmounted by its own logout has unsubscribed: nothing is updated then.
  const { pending, result } = useSyncExternalStore(action.subscribe, action.getState, action.getState)
  return { logout: action.run, pending, result }
}

/**
 * Calls `listener` with every event of the session (`session.on`) while the component is
 * mounted: for telemetry and debugging panels. The latest `listener` is called, so it may be
 * an inline function; the subscription is made once per session.
 */
export function useSessionEvent(listener: (event: SessionEvent) => void): void {
  const session = useProvidedSession('useSessionEvent')
  const latest = useRef(listener)
  useEffect(() => {
    latest.current = listener
  })
  useEffect(() => session.on((event) => latest.current(event)), [session])
}
