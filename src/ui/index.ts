// What the bindings adapt: framework-free stores over a session (React and Vue wrap these).
export { observeAccessToken } from './access-token-observer.js'
export type { AccessTokenObserver, AccessTokenSource, AccessTokenState } from './access-token-observer.js'
export { createLogoutAction } from './logout-action.js'
export type { LogoutAction, LogoutState } from './logout-action.js'
