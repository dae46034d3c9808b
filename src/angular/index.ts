// The Angular binding: signals over the core's stores, a functional interceptor and a guard.
// It imports only the public core (`tokenwarden`, external in the build), so an app bundles
// one copy of the session. Nothing here needs zone.js: signals tell Angular what changed.
import { HttpErrorResponse, type HttpEvent, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http'
import { isPlatformBrowser } from '@angular/common'
import {
  DestroyRef,
  InjectionToken,
  PLATFORM_ID,
  assertInInjectionContext,
  computed,
  inject,
  makeEnvironmentProviders,
  signal,
  type EnvironmentProviders,
  type Signal,
} from '@angular/core'
import { Router, type CanActivateFn } from '@angular/router'
import { Observable, catchError, from, switchMap, throwError } from 'rxjs'
import {
  TokenwardenError,
  createLogoutAction,
  observeAccessToken,
  type AccessTokenState,
  type LogoutOptions,
  type LogoutResult,
  type LogoutState,
  type Session,
  type SessionEvent,
  type SessionSnapshot,
} from 'tokenwarden'

/** Options of {@link provideTokenwarden}. */
export interface TokenwardenAngularOptions {
  /**
   * Where {@link signedInGuard} sends a signed-out user: a route of the app (a sign-in page
   * with its own button). Without it the guard calls `session.login()`, which leaves for the
   * authorization server.
   */
  signInRoute?: string
}

interface Provided {
  session: Session
  options: TokenwardenAngularOptions
}

const PROVIDED = new InjectionToken<Provided>('tokenwarden session')

/**
 * Makes `session` available to this package's functions, the interceptor and the guard:
 * `bootstrapApplication(App, { providers: [provideTokenwarden(session), provideHttpClient(withInterceptors([tokenwardenInterceptor]))] })`.
 * It does not start the session: call `session.start()` (and `handleCallback()` on the
 * redirect URI) yourself, once, in the browser.
 */
export function provideTokenwarden(session: Session, options: TokenwardenAngularOptions = {}): EnvironmentProviders {
  return makeEnvironmentProviders([{ provide: PROVIDED, useValue: { session, options } }])
}

function provided(caller: string): Provided {
  assertInInjectionContext(injectTokenwardenSession)
  const value = inject(PROVIDED, { optional: true })
  if (!value) {
    throw new TokenwardenError(
      'invalid-request',
      `${caller}() found no tokenwarden session: add provideTokenwarden(session) to the app's providers.`,
    )
  }
  return value
}

/**
 * The provided session: for `login()`, `refresh()`, `http` and the rest of the core API. Call
 * it in an injection context (a field initializer, a constructor, `runInInjectionContext`).
 */
export function injectTokenwardenSession(): Session {
  return provided('injectTokenwardenSession').session
}

/** A signal that follows a store of the core (`getState` + `subscribe`) until the injection context is destroyed. */
function follow<T>(store: { getState(): T; subscribe(listener: () => void): () => void }): Signal<T> {
  const state = signal(store.getState())
  inject(DestroyRef).onDestroy(store.subscribe(() => state.set(store.getState())))
  // Subscribing may have changed the state (the token observer starts fetching then).
  state.set(store.getState())
  return state.asReadonly()
}

/**
 * The session snapshot (`loading`, `signed-in` with profile and expiry, `signed-out` with a
 * reason) as a signal. It changes only when the snapshot changes, including when another tab
 * signs in or out, and stops following when the component (or service) is destroyed. On the
 * server it is `{ status: 'loading' }`: the session is never started there.
 */
export function injectSession(): Signal<SessionSnapshot> {
  const { session } = provided('injectSession')
  return follow({ getState: session.getSnapshot, subscribe: session.subscribe })
}

/**
 * The access token as a signal of `{ token, loading, error }`, for code that needs the raw
 * value (a WebSocket URL). It asks `session.getAccessToken()` whenever the snapshot changes,
 * so it follows refreshes here and in other tabs. For HTTP calls use the interceptor.
 */
export function injectAccessToken(): Signal<AccessTokenState> {
  const { session } = provided('injectAccessToken')
  return follow(observeAccessToken(session))
}

/** What {@link injectLogout} returns. */
export interface LogoutSignals {
  /**
   * Revokes both tokens, clears local state and tells every tab (`session.logout()`). It
   * resolves with the result; it does not reject because the server failed.
   */
  logout: (options?: LogoutOptions) => Promise<LogoutResult>
  /** True from the call until the result is in. */
  pending: Signal<boolean>
  /** The result of the last logout through this action. */
  result: Signal<LogoutResult | undefined>
}

/** Logout for a button: the call, whether it is running, and what it reported. */
export function injectLogout(): LogoutSignals {
  const { session } = provided('injectLogout')
  const action = createLogoutAction(session)
  const state: Signal<LogoutState> = follow(action)
  return { logout: action.run, pending: computed(() => state().pending), result: computed(() => state().result) }
}

/**
 * The session's events (`session.on`) as an Observable: for telemetry and debugging panels.
 * Each subscription listens until it is unsubscribed (`takeUntilDestroyed`, the `async` pipe).
 */
export function injectSessionEvents(): Observable<SessionEvent> {
  const { session } = provided('injectSessionEvents')
  return new Observable<SessionEvent>((subscriber) => session.on((event) => subscriber.next(event)))
}

/**
 * The functional interceptor for `provideHttpClient(withInterceptors([tokenwardenInterceptor]))`.
 * It attaches `Authorization: Bearer <token>` only where `session.sendsTokenTo(url)` says the
 * token may go (the app's own origin and the `destinations` option: the rule and the code of
 * `session.http`); every other request passes through untouched. A 401 from a destination
 * gets one refresh (none when the session already holds a newer token) and the request once
 * more; a second 401 is the answer. With `dpop: true` use `session.http`, which adds proofs.
 */
export const tokenwardenInterceptor: HttpInterceptorFn = (request, next) => {
  const { session } = provided('tokenwardenInterceptor')
  if (!session.sendsTokenTo(request.urlWithParams)) return next(request)
  // The destination's own token: a resource's (RFC 8707) where one is declared, else the session's.
  const url = request.urlWithParams
  const send = (token: string): Observable<HttpEvent<unknown>> => next(withToken(request, token))
  return from(session.getAccessToken({ url })).pipe(
    switchMap((token) =>
      send(token).pipe(
        catchError((error: unknown) =>
          error instanceof HttpErrorResponse && error.status === 401
            ? from(session.getAccessToken({ url, rejected: token })).pipe(switchMap(send))
            : throwError(() => error),
        ),
      ),
    ),
  )
}

const withToken = (request: HttpRequest<unknown>, token: string) => request.clone({ setHeaders: { authorization: `Bearer ${token}` } })

/**
 * A `canActivate` guard: a signed-in user passes; a signed-out one goes to sign-in (the
 * `signInRoute` option, or `session.login()`). It waits for `session.start()` first, so a
 * restored session is seen. On the server it lets the route render (in its loading state):
 * only the browser knows who is signed in.
 */
export const signedInGuard: CanActivateFn = async () => {
  const { session, options } = provided('signedInGuard')
  if (!isPlatformBrowser(inject(PLATFORM_ID))) return true
  const router = options.signInRoute === undefined ? undefined : inject(Router)
  await session.start()
  if (session.getSnapshot().status === 'signed-in') return true
  if (router && options.signInRoute !== undefined) return router.parseUrl(options.signInRoute)
  await session.login()
  return false
}
