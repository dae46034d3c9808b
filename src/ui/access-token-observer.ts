import { Listeners } from '../util/index.js'
import { toTokenwardenError, type TokenwardenError } from '../errors.js'
import type { SessionSnapshot } from '../view/index.js'

/** What a UI shows of the access token. */
export interface AccessTokenState {
  /** The current access token; `undefined` while loading, signed out, or after an error. */
  readonly token: string | undefined
  /** True while the session is loading or a token is being fetched (or refreshed). */
  readonly loading: boolean
  /** Why the last attempt to get a token failed (e.g. `refresh-failed`). */
  readonly error: TokenwardenError | undefined
}

/** The part of a session the observer follows. */
export interface AccessTokenSource {
  subscribe(listener: () => void): () => void
  getSnapshot(): SessionSnapshot
  getAccessToken(): Promise<string>
}

/** A store over the access token: `getState` is the same object until it changes. */
export interface AccessTokenObserver {
  getState(): AccessTokenState
  /** Follows the session while at least one listener is subscribed. */
  subscribe(listener: () => void): () => void
}

const loadingState: AccessTokenState = Object.freeze({ token: undefined, loading: true, error: undefined })
const signedOutState: AccessTokenState = Object.freeze({ token: undefined, loading: false, error: undefined })

/**
 * Follows the access token of `session`: it asks `getAccessToken()` whenever the snapshot
 * changes (a refresh here or in another tab), keeps showing the previous token of the same
 * sign-in while the next one comes, and turns away answers that belong to an earlier
 * snapshot. The React hook and the Vue composable are thin adapters over this.
 */
export function observeAccessToken(session: AccessTokenSource): AccessTokenObserver {
  const listeners = new Listeners()
  let state: AccessTokenState = session.getSnapshot().status === 'signed-out' ? signedOutState : loadingState
  let seen: SessionSnapshot | undefined
  /** Bumped for every snapshot and when the last listener leaves: older answers are stale. */
  let generation = 0
  let unsubscribe: (() => void) | undefined

  const set = (next: AccessTokenState) => {
    if (next.token === state.token && next.loading === state.loading && next.error === state.error) return
    state = next
    listeners.notify()
  }

  const follow = () => {
    const snapshot = session.getSnapshot()
    if (snapshot === seen) return
    seen = snapshot
    const mine = ++generation
    if (snapshot.status !== 'signed-in') {
      set(snapshot.status === 'loading' ? loadingState : signedOutState)
      return
    }
    if (!state.loading || state.error) set(Object.freeze({ token: state.token, loading: true, error: undefined }))
    session.getAccessToken().then(
      (token) => {
        if (mine === generation) set(Object.freeze({ token, loading: false, error: undefined }))
      },
      (error: unknown) => {
        if (mine !== generation) return
        // An error that is not a TokenwardenError is a bug or a seam that threw something odd.
        set(Object.freeze({ token: undefined, loading: false, error: toTokenwardenError(error, 'unexpected', 'getAccessToken() failed.') }))
      },
    )
  }

  return {
    getState: () => state,
    subscribe(listener) {
      const leave = listeners.subscribe(listener)
      if (!unsubscribe) {
        unsubscribe = session.subscribe(follow)
        follow()
      }
      return () => {
        leave()
        if (listeners.size > 0 || !unsubscribe) return
        unsubscribe()
        unsubscribe = undefined
        seen = undefined
        generation += 1
      }
    },
  }
}
