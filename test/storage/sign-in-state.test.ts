import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, createSession } from '../../src/index.js'
import { createFakeServer } from '../helpers/fake-server.js'
import { issuer, serverMetadata } from '../helpers/protocol.js'
import { freshDatabase, testSessionId } from '../helpers/records.js'
import { createWorld, realSessionOptions } from '../helpers/session.js'
import { createChannelHub } from '../helpers/tabs.js'
import { createIndexedDbStorage } from '../../src/storage/indexeddb.js'
import { createStateStore } from '../../src/storage/index.js'

describe('sign-in state', () => {
  it('keeps the oidc-client-ts sign-in state in IndexedDB, under its own prefix', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    const state = createStateStore(storage, testSessionId)
    await state.set('s1', '{"code_verifier":"v"}')
    await expect(state.getAllKeys()).resolves.toEqual(['s1'])
    expect((await storage.entries('')).map(([key]) => key)).toEqual([`oidc-state:${testSessionId}:s1`])
    await expect(state.remove('s1')).resolves.toBe('{"code_verifier":"v"}')
    await expect(state.get('s1')).resolves.toBeNull()
  })
})

const metadata = serverMetadata

describe('sign-in state where IndexedDB cannot be used', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    sessionStorage.clear()
  })

  it('goes to sessionStorage, survives the redirect (a new page), holds no token, and is removed after the callback', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const tokenEndpoint = createFakeServer(() =>
      Response.json({ access_token: 'at-from-server', refresh_token: 'rt-from-server', token_type: 'Bearer', expires_in: 300 }),
    )
    vi.stubGlobal('fetch', tokenEndpoint.fetch)
    const sent: string[] = []
    const options = {
      authority: issuer,
      clientId: 'spa',
      redirectUri: 'https://app.example.test/callback',
      scope: 'api offline_access',
      oidc: { metadata },
      navigate: (url: string) => sent.push(url),
      channel: createChannelHub().factory,
      logger: { warn: () => {} },
    }
    const before = createSession(options)
    await before.start()
    await before.login()
    const state = new URL(sent[0]!).searchParams.get('state')!
    const kept = Object.keys(sessionStorage).filter((key) => key.startsWith('tokenwarden:'))
    expect(kept).toHaveLength(1)
    expect(sessionStorage.getItem(kept[0]!)).toContain('code_verifier')
    before.dispose()

    const after = createSession(options)
    await after.start()
    await after.handleCallback(`https://app.example.test/callback?code=abc&state=${state}`)
    expect(after.getSnapshot()).toMatchObject({ status: 'signed-in', storage: 'memory' })
    expect(tokenEndpoint.requests[0]!.form.get('code_verifier')).toBeTruthy()
    expect(Object.keys(sessionStorage).filter((key) => key.startsWith('tokenwarden:'))).toEqual([])
    expect(JSON.stringify({ ...sessionStorage })).not.toContain('at-from-server')
  })

  it('with sessionStorage refused too, login() says why at once instead of failing after the redirect', async () => {
    vi.stubGlobal('indexedDB', undefined)
    vi.stubGlobal('sessionStorage', {
      setItem: () => {
        throw new DOMException('denied', 'SecurityError')
      },
    })
    const navigate = vi.fn()
    const session = createSession({
      authority: issuer,
      clientId: 'spa',
      redirectUri: 'https://app.example.test/callback',
      oidc: { metadata },
      navigate,
      channel: createChannelHub().factory,
      logger: { warn: () => {} },
    })
    await session.start()
    await expect(session.login()).rejects.toMatchObject({
      code: 'sign-in-failed',
      message: expect.stringMatching(/would not survive the redirect/),
    })
    expect(navigate).not.toHaveBeenCalled()
  })
})

describe('abandoned sign-ins', () => {
  it('their state is cleared at start (oidc-client-ts clearStaleState), a fresh one stays', async () => {
    const world = createWorld()
    const state = createStateStore(createMemoryStorage(world.records), testSessionId)
    const now = Math.floor(Date.now() / 1000)
    await state.set('old', JSON.stringify({ id: 'old', created: now - 3600, request_type: 'si:r', data: undefined }))
    await state.set('fresh', JSON.stringify({ id: 'fresh', created: now, request_type: 'si:r', data: undefined }))
    const session = createSession({ ...realSessionOptions(world), oidc: { metadata } })
    await session.start()
    await vi.waitFor(async () => expect(await state.getAllKeys()).toEqual(['fresh']))
  })
})
