// The fake protocol seam the unit tests run sessions on is shared with the encryption bench:
// it lives in dev/fake-protocol.ts.
import { issuer, revocationEndpoint } from '../../dev/fake-protocol.js'

export { createFakeProtocol, issueGrant, issuer, revocationEndpoint } from '../../dev/fake-protocol.js'

/** The test server's metadata document: with it oidc-client-ts needs no discovery. */
export const serverMetadata = {
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: revocationEndpoint,
}
