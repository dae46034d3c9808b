import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeServer } from '../helpers/fake-server.js'
import { issuer, revocationEndpoint } from '../helpers/protocol.js'
import type { ProtocolContext } from '../../src/protocol/index.js'
import type { Discovery } from '../../src/protocol/discovery.js'

const document = {
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: revocationEndpoint,
}

/** oidc.ts as the chunk loader sees it: counts loads, fails the first `failures` of them. */
function mockOidcChunk(failures = 0) {
  const chunk = { loads: 0, created: [] as unknown[] }
  vi.doMock('../../src/protocol/oidc.js', () => {
    chunk.loads += 1
    if (chunk.loads <= failures) throw new TypeError('Failed to fetch dynamically imported module: /assets/oidc-1234.js')
    return {
      createOidcSteps: (_context: ProtocolContext, discovery: Discovery) => {
        chunk.created.push(discovery)
        return {
          signInUrl: async () => `${issuer}/auth?client_id=spa`,
          processCallback: async () => ({ tokens: { accessToken: 'at', tokenType: 'Bearer' }, profile: {} }),
          refresh: async () => ({ tokens: { accessToken: 'at2', tokenType: 'Bearer' }, profile: {} }),
          signOutUrl: async () => `${issuer}/logout?client_id=spa`,
          clearStaleState: async () => {},
        }
      },
    }
  })
  return chunk
}

function context(stateKeys: string[] = []): ProtocolContext {
  return {
    options: {
      authority: issuer,
      clientId: 'spa',
      redirectUri: 'https://app.example.test/cb',
      scope: 'openid',
      postLogoutRedirectUri: undefined,
      clientSecret: undefined,
      clientAuthentication: 'none',
      oidc: {},
    },
    stateStore: { set: async () => {}, get: async () => null, remove: async () => null, getAllKeys: async () => stateKeys },
  }
}

describe('the default protocol: discovery at once, oidc-client-ts on first use', () => {
  beforeEach(() => vi.resetModules())
  afterEach(() => {
    vi.doUnmock('../../src/protocol/oidc.js')
    vi.unstubAllGlobals()
  })

  it('starts, answers metadata, clears no state and builds no end-session URL without loading oidc-client-ts', async () => {
    const chunk = mockOidcChunk()
    const server = createFakeServer(() => Response.json(document))
    vi.stubGlobal('fetch', server.fetch)
    const { createDefaultProtocol } = await import('../../src/protocol/default-protocol.js')
    const protocol = createDefaultProtocol(context())
    await expect(protocol.metadata()).resolves.toEqual({ revocationEndpoint })
    await protocol.clearStaleState()
    // No end_session_endpoint: nothing to build, nothing to load.
    await expect(protocol.signOutUrl()).resolves.toBeUndefined()
    expect(chunk.loads).toBe(0)
    expect(server.requests).toHaveLength(1)
  })

  it('loads the chunk once, on the discovered document, for sign-in, refresh and the callback; discovery is not repeated', async () => {
    const chunk = mockOidcChunk()
    const server = createFakeServer(() => Response.json(document))
    vi.stubGlobal('fetch', server.fetch)
    const { createDefaultProtocol } = await import('../../src/protocol/default-protocol.js')
    const protocol = createDefaultProtocol(context(['pending-sign-in']))
    await protocol.metadata()
    await expect(protocol.signInUrl({})).resolves.toContain('/auth')
    await protocol.refresh({ tokens: { accessToken: 'at', tokenType: 'Bearer', refreshToken: 'rt' }, profile: {} })
    await protocol.clearStaleState()
    expect(chunk.loads).toBe(1)
    // Discovery hands over what it settled, so the chunk fetches and decides none of it again.
    expect(chunk.created).toEqual([{ metadata: document, isIssuer: expect.any(Function), requestTimeoutInSeconds: 10 }])
    expect(server.requests).toHaveLength(1)
  })

  it('a chunk that fails to load is a typed network error naming the part, and the next call loads it again', async () => {
    const chunk = mockOidcChunk(1)
    vi.stubGlobal('fetch', createFakeServer(() => Response.json(document)).fetch)
    const { createDefaultProtocol } = await import('../../src/protocol/default-protocol.js')
    const protocol = createDefaultProtocol(context())
    const failure = await protocol
      .refresh({ tokens: { accessToken: 'at', tokenType: 'Bearer', refreshToken: 'rt' }, profile: {} })
      .catch((error: unknown) => error)
    expect(failure).toMatchObject({ name: 'TokenwardenError', code: 'network', message: expect.stringContaining('sign-in and refresh') })
    await expect(protocol.signInUrl({})).resolves.toContain('/auth')
    expect(chunk.loads).toBe(2)
  })

  it('preload fetches the chunk when the browser is idle, and swallows a failure for the call that needs it', async () => {
    const chunk = mockOidcChunk(1)
    vi.stubGlobal('fetch', createFakeServer(() => Response.json(document)).fetch)
    const { createDefaultProtocol } = await import('../../src/protocol/default-protocol.js')
    const protocol = createDefaultProtocol(context())
    protocol.preload()
    await vi.waitFor(() => expect(chunk.loads).toBe(1))
    protocol.preload()
    await vi.waitFor(() => expect(chunk.created).toHaveLength(1))
  })
})

describe('loadOnDemand', () => {
  afterEach(() => vi.useRealTimers())

  it('turns a chunk that never arrives into a timeout, and any failure into a network error with its cause', async () => {
    const { loadOnDemand, chunkTimeoutMs } = await import('../../src/util/on-demand.js')
    vi.useFakeTimers()
    const late = loadOnDemand('DPoP', () => new Promise(() => {})).catch((error: unknown) => error)
    await vi.advanceTimersByTimeAsync(chunkTimeoutMs)
    await expect(late).resolves.toMatchObject({ code: 'timeout', message: expect.stringContaining('DPoP') })
    const lost = await loadOnDemand('DPoP', () => Promise.reject(new TypeError('Failed to fetch'))).catch((error: unknown) => error)
    expect(lost).toMatchObject({ code: 'network', cause: { name: 'TypeError' } })
    await expect(loadOnDemand('DPoP', async () => 42)).resolves.toBe(42)
  })
})
