// tokenwarden/testing: an in-process authorization server and the seams that connect a
// session to it, for testing apps (and tokenwarden itself) without a network, a redirect or
// real time. It imports only the public core, so an app's production bundle never holds it.
export { createTestAuthority } from './authority.js'
export type { ReceivedRevocation, RefreshFailure, RevocationMode, TestAuthority, TestAuthorityOptions } from './authority.js'
export { createTestClock, settle } from './clock.js'
export type { TestClock } from './clock.js'
export { createChannelHub } from './channel.js'
export type { ChannelHub } from './channel.js'
export { createLockHub } from './lock.js'
export { createFakeFetch, oauthError, ok, opaqueRedirect } from './fetch.js'
export type { Answer, ManualRedirectShape, SeenRequest } from './fetch.js'
