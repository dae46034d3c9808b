// Revocation (RFC 7009): one request and what its answer means, the revoker that sends a
// session's tokens together, and the durable outbox for those not revoked yet.
export { revocationEvent } from './events.js'
export type { RevocationEvent, RevocationEventOutcome } from './events.js'
export { Outbox } from './outbox.js'
export type { OutboxSettings, Queued } from './outbox.js'
export type { RevocationReport } from './report.js'
export { resolveClientAuthentication, revokeToken } from './request.js'
export type { RevocationOutcome, RevokeTokenOptions, RevokeTokenRequest } from './request.js'
export { createRevoker, targetsOf } from './revoker.js'
export type { RevocationSettings, Revoker } from './revoker.js'
