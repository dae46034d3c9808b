// The fake protocol seam the unit tests run sessions on is shared with the encryption bench:
// it lives in dev/fake-protocol.ts.
export { createFakeProtocol, issueGrant, issuer, revocationEndpoint } from '../../dev/fake-protocol.js'
