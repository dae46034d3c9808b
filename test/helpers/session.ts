import { createMemoryStorage, createSession, type LogoutResult, type SessionOptions, type SessionSnapshot } from '../../src/index.js'
import { createFakeServer, type Answer, type SeenRequest } from './fake-server.js'
import { createFakeProtocol, issuer } from './protocol.js'
import { createChannelHub } from './tabs.js'

/** A snapshot as one line of text, as the component tests render it. */
export function describeSnapshot(snapshot: SessionSnapshot): string {
  if (snapshot.status === 'signed-out') return `signed-out (${snapshot.reason})`
  if (snapshot.status === 'signed-in') return `signed-in as ${String(snapshot.profile.name)}`
  return snapshot.status
}

/** Each token's status with its error beside it, to compare against one expected object. */
export function outcomes(result: LogoutResult) {
  const one = (name: 'refresh_token' | 'access_token') => ({
    status: result.revocation[name],
    ...(result.errors[name] ? { error: result.errors[name] } : {}),
  })
  return { refresh_token: one('refresh_token'), access_token: one('access_token') }
}

/**
 * A world of simulated tabs: they share storage (as tabs share IndexedDB), a channel hub
 * (as they share BroadcastChannel) and one fake authorization server.
 */
export function createWorld(handler?: (request: SeenRequest, index: number) => Answer) {
  const records = new Map<string, unknown>()
  const hub = createChannelHub()
  const server = createFakeServer(handler)
  const protocol = createFakeProtocol()
  const warnings: string[] = []
  const tab = (overrides: Partial<SessionOptions> = {}) =>
    createSession({
      authority: issuer,
      clientId: 'spa',
      redirectUri: 'https://app.example.test/callback',
      storage: createMemoryStorage(records),
      channel: hub.factory,
      fetch: server.fetch,
      protocol: protocol.factory,
      navigate: () => {},
      logger: { warn: (message) => warnings.push(message) },
      ...overrides,
    })
  /** A tab that has just completed sign-in. */
  const signedInTab = async (overrides: Partial<SessionOptions> = {}) => {
    const session = tab(overrides)
    await session.start()
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    return session
  }
  return { records, hub, server, protocol, warnings, tab, signedInTab }
}

/** Options for a tab of `world` on the real oidc-client-ts protocol (no protocol seam). */
export function realSessionOptions(world: ReturnType<typeof createWorld>): SessionOptions {
  return {
    authority: issuer,
    clientId: 'spa',
    redirectUri: 'https://app.example.test/callback',
    storage: createMemoryStorage(world.records),
    channel: world.hub.factory,
    fetch: world.server.fetch,
    navigate: () => {},
    logger: { warn: (message) => world.warnings.push(message) },
  }
}
