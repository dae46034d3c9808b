import { Listeners } from '../util/index.js'
import type { LogoutOptions, LogoutResult } from '../logout.js'

/** Whether a logout started here is running, and what the last one reported. */
export interface LogoutState {
  /** True from the call until the result is in. */
  readonly pending: boolean
  /** The result of the last logout through this action. */
  readonly result: LogoutResult | undefined
}

/** A logout button's state machine: run, and a store of its state. */
export interface LogoutAction {
  /** Calls `session.logout()`; resolves with its result (it does not reject because the server failed). */
  run(options?: LogoutOptions): Promise<LogoutResult>
  getState(): LogoutState
  subscribe(listener: () => void): () => void
}

const idle: LogoutState = Object.freeze({ pending: false, result: undefined })

/** The logout state the React hook and the Vue composable adapt. */
export function createLogoutAction(session: { logout(options?: LogoutOptions): Promise<LogoutResult> }): LogoutAction {
  const listeners = new Listeners()
  let state = idle
  const set = (next: LogoutState) => {
    state = Object.freeze(next)
    listeners.notify()
  }
  return {
    async run(options) {
      set({ ...state, pending: true })
      try {
        const result = await session.logout(options)
        set({ pending: false, result })
        return result
      } catch (error) {
        set({ ...state, pending: false })
        throw error
      }
    },
    getState: () => state,
    subscribe: (listener) => listeners.subscribe(listener),
  }
}
