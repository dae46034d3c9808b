// A fake token endpoint behind tokenwarden's protocol seam: discovery, sign-in and the refresh
// grant with no network, each answer a fresh token set. The unit tests run sessions on it
// (test/helpers/protocol.ts), and so does the encryption bench page, where only storage and
// sealing should cost anything. (oidc-client-ts itself is exercised by the end-to-end tests
// against a real server; an app's tests use the test kit's createTestAuthority, which also keeps
// token state.)
import type { Grant, Protocol, ProtocolFactory, ProtocolMetadata } from '../src/index.js'

export const issuer = 'https://id.example.test'
export const revocationEndpoint = `${issuer}/token/revocation`

let counter = 0
/** Every token `issueGrant` made: the unit suite's setup searches every error for them. */
const issued = new Set<string>()

export const issuedTokens = (): string[] => [...issued]
export const forgetIssuedTokens = () => issued.clear()

/**
 * A fresh, unique token set, as a token endpoint would issue. `padding` characters are added to
 * every token, to give them a real token's length where length costs something (sealing).
 */
export function issueGrant(expiresInMs = 3600_000, now = Date.now(), padding = 0): Grant {
  counter += 1
  const pad = 'x'.repeat(padding)
  const [accessToken, refreshToken, idToken] = [`at-${counter}${pad}`, `rt-${counter}${pad}`, `id-${counter}${pad}`] as const
  for (const token of [accessToken, refreshToken, idToken]) issued.add(token)
  return {
    tokens: {
      accessToken,
      refreshToken,
      idToken,
      tokenType: 'Bearer',
      scope: 'openid profile offline_access',
      expiresAt: now + expiresInMs,
    },
    profile: { sub: 'user-1', name: 'Test User' },
  }
}

/** The protocol seam answering from `issueGrant` (or the grants given), counting what it was asked. */
export function createFakeProtocol(
  options: {
    metadata?: ProtocolMetadata
    callbackGrant?: () => Grant
    refreshGrant?: () => Grant
    /** Silent renewal's answer (`prompt=none`): a grant, or a throw (`login-required`, say). */
    silentGrant?: () => Grant | Promise<Grant>
  } = {},
) {
  const refreshes: string[] = []
  /** The resource (RFC 8707) and scope of each refresh that named one, in order. */
  const resourceRefreshes: Array<{ resource: string; scope: string | undefined }> = []
  /** The access token each silent renewal was asked to renew. */
  const silentRenewals: string[] = []
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
        if (current.resource) resourceRefreshes.push({ resource: current.resource, scope: current.scope })
        return (options.refreshGrant ?? issueGrant)()
      },
      silentRenew: async (current) => {
        silentRenewals.push(current.tokens.accessToken)
        return (options.silentGrant ?? issueGrant)()
      },
      signOutUrl: async () => `${issuer}/session/end?client_id=spa`,
    }
    return protocol
  }
  return {
    factory,
    refreshes,
    resourceRefreshes,
    silentRenewals,
    get metadataCalls() {
      return metadataCalls
    },
  }
}
