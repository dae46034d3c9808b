import type { Protocol, ProtocolFactory, ProtocolMetadata } from '../../src/index.js'
import type { Grant } from '../../src/tokens.js'

export const issuer = 'https://id.example.test'
export const revocationEndpoint = `${issuer}/token/revocation`

/** The test server's metadata document: with it oidc-client-ts needs no discovery. */
export const serverMetadata = {
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: revocationEndpoint,
}

let counter = 0
/** A fresh, unique token set, as a token endpoint would issue. */
export function issueGrant(expiresInMs = 3600_000, now = Date.now()): Grant {
  counter += 1
  return {
    tokens: {
      accessToken: `at-${counter}`,
      refreshToken: `rt-${counter}`,
      idToken: `id-${counter}`,
      tokenType: 'Bearer',
      scope: 'openid profile offline_access',
      expiresAt: now + expiresInMs,
    },
    profile: { sub: 'user-1', name: 'Test User' },
  }
}

/**
 * The protocol seam for unit tests: discovery, sign-in and the refresh grant without a
 * network (oidc-client-ts itself is exercised by the end-to-end tests against a real server).
 */
export function createFakeProtocol(options: { metadata?: ProtocolMetadata; callbackGrant?: () => Grant; refreshGrant?: () => Grant } = {}) {
  const refreshes: string[] = []
  let metadataCalls = 0
  const factory: ProtocolFactory = () => {
    const protocol: Protocol = {
      metadata: async () => {
        metadataCalls += 1
        return options.metadata ?? { revocationEndpoint, endSessionEndpoint: `${issuer}/session/end` }
      },
      signInUrl: async () => `${issuer}/auth?client_id=spa`,
      processCallback: async () => (options.callbackGrant ?? issueGrant)(),
      refresh: async (current) => {
        refreshes.push(current.tokens.refreshToken ?? '')
        return (options.refreshGrant ?? issueGrant)()
      },
      signOutUrl: async () => `${issuer}/session/end?client_id=spa`,
    }
    return protocol
  }
  return {
    factory,
    refreshes,
    get metadataCalls() {
      return metadataCalls
    },
  }
}
