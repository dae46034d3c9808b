// The public API, hand-picked: what apps, the bindings and the test kit may use.
export { createSession } from './session.js'
export type { Session, TokenBinding } from './session.js'
export type { DPoPKeyInfo } from './dpop.js'
export type { SessionSnapshot, SignedOutReason } from './snapshot.js'
export type { SessionEvent, SessionEventType, RevocationEventOutcome } from './events.js'
export type { LogoutOptions, LogoutResult, RevocationStatus } from './logout.js'
export { observeAccessToken } from './access-token-observer.js'
export type { AccessTokenState, AccessTokenObserver, AccessTokenSource } from './access-token-observer.js'
export { createLogoutAction } from './logout-action.js'
export type { LogoutAction, LogoutState } from './logout-action.js'
export { revokeToken } from './revocation.js'
export type { RevokeTokenRequest, RevokeTokenOptions, RevocationOutcome, TokenTypeHint } from './revocation.js'
export { TokenwardenError, isTokenwardenError } from './errors.js'
export type { TokenwardenErrorCode, TokenwardenErrorDetails } from './errors.js'
export { defaults } from './defaults.js'
export type { SessionOptions, RevocationOptions } from './options.js'
export { createMemoryStorage } from './storage.js'
export type { KeyValueStorage, StorageChanges, StorageKind, TransactionOutcome } from './storage.js'
export type { TabChannel, TabChannelFactory, TabMessage } from './tab-sync.js'
export { createLockQueue } from './tab-lock.js'
export type { TabLock, TabLockFactory } from './tab-lock.js'
export type { Timers } from './timers.js'
export type { SealingCrypto } from './sealing.js'
export type { OidcSettings } from './oidc.js'
export type {
  ClientAuthentication,
  Grant,
  IssuedTokens,
  Profile,
  Protocol,
  ProtocolConfig,
  ProtocolContext,
  ProtocolFactory,
  ProtocolMetadata,
  ProofKey,
  SignInArgs,
  StateStore,
  TokenSet,
} from './protocol.js'
