// The public API, hand-picked: what apps, the bindings and the test kit may use.
export { createSession } from './session.js'
export type { AccessTokenOptions, Session, TokenBinding } from './session.js'
export type { SessionEvent, SessionEventType } from './events.js'
export type { LogoutOptions, LogoutResult } from './logout.js'
export { TokenwardenError, isTokenwardenError } from './errors.js'
export type { TokenwardenErrorCode, TokenwardenErrorDetails } from './errors.js'
export { defaults } from './defaults.js'
export type { SessionOptions, RevocationOptions } from './options.js'
export type { DestinationOptions } from './http/index.js'
export type {
  RevocationStatus,
  TokenTypeHint,
  ClientAuthentication,
  Grant,
  IssuedTokens,
  Profile,
  ResourceToken,
  TokenSet,
} from './tokens.js'
export {
  createMemoryStorage,
  type KeyValueStorage,
  type StorageChanges,
  type StorageKind,
  type TransactionOutcome,
  type SealingCrypto,
} from './storage/index.js'
export {
  type TabChannel,
  type TabChannelFactory,
  type TabMessage,
  createLockQueue,
  type TabLock,
  type TabLockFactory,
} from './tabs/index.js'
export {
  observeAccessToken,
  type AccessTokenState,
  type AccessTokenObserver,
  type AccessTokenSource,
  createLogoutAction,
  type LogoutAction,
  type LogoutState,
} from './ui/index.js'
export type { Timers } from './util/index.js'
export type { SessionSnapshot, SignedOutReason } from './view/index.js'
export type {
  DPoPKeyInfo,
  OidcSettings,
  Protocol,
  ProtocolConfig,
  ProtocolContext,
  ProtocolFactory,
  ProtocolMetadata,
  ProofKey,
  RefreshRequest,
  SignInArgs,
  StateStore,
} from './protocol/index.js'
export {
  revokeToken,
  type RevokeTokenRequest,
  type RevokeTokenOptions,
  type RevocationOutcome,
  type RevocationEventOutcome,
} from './revocation/index.js'
