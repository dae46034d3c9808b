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

  it('preload fetches the chunk only once the session has been quiet for prefetchQuietMs, in idle time, and swallows a failure for the call that needs it', async () => {
    const chunk = mockOidcChunk(1)
    vi.stubGlobal('fetch', createFakeServer(() => Response.json(document)).fetch)
    const { createDefaultProtocol } = await import('../../src/protocol/default-protocol.js')
    const { prefetchQuietMs } = await import('../../src/util/index.js')
    const protocol = createDefaultProtocol(context())
    let quiet = 0
    const pending: Array<() => void> = []
    const delays: number[] = []
    const gate = {
      timers: {
        setTimeout: (run: () => void, ms: number) => {
          delays.push(ms)
          return pending.push(run)
        },
        clearTimeout: () => {},
      },
      quietForMs: () => quiet,
      wanted: () => true,
    }
    const fire = () => {
      for (const run of pending.splice(0)) run()
    }
    protocol.preload(gate)
    // Just started (an event a moment ago): it waits out the rest of the quiet time.
    expect(delays).toEqual([prefetchQuietMs])
    quiet = prefetchQuietMs - 500
    fire() // woken by another event meanwhile: waits again, for what is left
    expect(delays).toEqual([prefetchQuietMs, 500])
    quiet = prefetchQuietMs
    fire() // quiet long enough: the idle callback (a 1 ms timer in Node)
    expect(delays).toEqual([prefetchQuietMs, 500, 1])
    expect(chunk.loads).toBe(0)
    fire()
    await vi.waitFor(() => expect(chunk.loads).toBe(1))
    // The first load failed (swallowed): a later preload loads it.
    protocol.preload(gate)
    fire()
    await vi.waitFor(() => expect(chunk.created).toHaveLength(1))
    expect(chunk.loads).toBe(2)
  })

  it('preload fetches nothing when the session stops wanting the chunk (signed out, logging out) or it was cancelled, even once quiet', async () => {
    const chunk = mockOidcChunk()
    vi.stubGlobal('fetch', createFakeServer(() => Response.json(document)).fetch)
    const { createDefaultProtocol } = await import('../../src/protocol/default-protocol.js')
    const { prefetchQuietMs } = await import('../../src/util/index.js')
    const protocol = createDefaultProtocol(context())
    let wanted = true
    const pending: Array<() => void> = []
    const gate = {
      timers: { setTimeout: (run: () => void) => pending.push(run), clearTimeout: () => {} },
      quietForMs: () => prefetchQuietMs,
      wanted: () => wanted,
    }
    const fire = () => {
      for (const run of pending.splice(0)) run()
    }
    protocol.preload(gate)
    wanted = false // a logout began before the browser was idle
    fire()
    const cancel = protocol.preload({ ...gate, wanted: () => true })
    cancel()
    fire()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(chunk.loads).toBe(0)
    expect(pending).toHaveLength(0)
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

describe('the session prefetches oidc-client-ts and the refresh grant only where nothing waits', () => {
  beforeEach(() => vi.resetModules())
  afterEach(() => {
    vi.doUnmock('../../src/protocol/oidc.js')
    vi.doUnmock('../../src/refresh-grant.js')
  })

  /** Counts loads of the refresh grant's chunk (the real module is loaded). */
  function countGrantChunk() {
    const grant = { loads: 0 }
    vi.doMock('../../src/refresh-grant.js', async (importOriginal) => {
      grant.loads += 1
      return importOriginal()
    })
    return grant
  }

  /** A signed-in tab on the default protocol, its clock and timers in the test's hands. */
  async function signedInTab() {
    const chunk = mockOidcChunk()
    const grant = countGrantChunk()
    const { createSession, createMemoryStorage } = await import('../../src/index.js')
    const { createTestClock } = await import('../../src/testing/index.js')
    const { sessionRecord, recordKeys, sessionIdOf } = await import('../../src/storage/index.js')
    const { prefetchQuietMs } = await import('../../src/util/index.js')
    const clock = createTestClock()
    const records = new Map<string, unknown>([
      [
        recordKeys.session(sessionIdOf(issuer, 'spa')),
        sessionRecord({
          tokens: { accessToken: 'at', tokenType: 'Bearer', refreshToken: 'rt', expiresAt: clock.now() + 3600_000 },
          profile: { sub: 'u' },
          updatedAt: clock.now(),
          signInId: 'sign-in-1',
        }),
      ],
    ])
    const session = createSession({
      authority: issuer,
      clientId: 'spa',
      redirectUri: 'https://app.example.test/cb',
      storage: createMemoryStorage(records),
      fetch: createFakeServer(() => Response.json(document)).fetch,
      now: clock.now,
      timers: clock.timers,
      navigate: () => {},
    })
    await session.start()
    expect(session.getSnapshot().status).toBe('signed-in')
    return { chunk, grant, session, clock, prefetchQuietMs }
  }

  it('a signed-in tab fetches both chunks once it has been quiet for prefetchQuietMs, then in idle time', async () => {
    const { chunk, grant, session, clock, prefetchQuietMs } = await signedInTab()
    await clock.advance(prefetchQuietMs - 1)
    expect(chunk.loads).toBe(0)
    expect(grant.loads).toBe(0)
    await clock.advance(2) // quiet long enough, then the idle callback (a 1 ms timer in Node)
    await vi.waitFor(() => expect(chunk.loads).toBe(1))
    await vi.waitFor(() => expect(grant.loads).toBe(1))
    session.dispose()
  })

  it('a logout begun before then is never met by the prefetch: neither chunk is fetched at all', async () => {
    const { chunk, grant, session, clock, prefetchQuietMs } = await signedInTab()
    await clock.advance(prefetchQuietMs / 2)
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    await clock.advance(prefetchQuietMs * 3)
    expect(chunk.loads).toBe(0)
    expect(grant.loads).toBe(0)
    session.dispose()
  })
})
