import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSession } from '../src/index.js'
import { TokenStore, commit, createIndexedDbStorage, openDefaultStorage, type SessionRecord } from '../src/token-store.js'
import { createFakeProtocol, issueGrant, issuer } from './helpers/protocol.js'
import { createChannelHub } from './helpers/tabs.js'

let databaseCounter = 0
const freshDatabase = () => `tokenwarden-test-${++databaseCounter}`

function record(): SessionRecord {
  const grant = issueGrant()
  return { v: 1, kind: 'tokenwarden/session', epoch: 'e1', tokens: grant.tokens, profile: grant.profile, updatedAt: 1 }
}

function sessionOn(databaseName: string, warnings: string[] = []) {
  return createSession({
    authority: issuer,
    clientId: 'spa',
    redirectUri: 'https://app.example.test/callback',
    databaseName,
    protocol: createFakeProtocol().factory,
    channel: createChannelHub().factory,
    logger: { warn: (message) => warnings.push(message) },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('IndexedDB storage', () => {
  it('round-trips a session record in its own database', async () => {
    const name = freshDatabase()
    const storage = createIndexedDbStorage(name)
    const store = new TokenStore(storage, 'a|b')
    const written = record()
    await store.transactSession(() => ({ session: written, result: undefined }))
    const reopened = new TokenStore(createIndexedDbStorage(name), 'a|b')
    await expect(reopened.readSession()).resolves.toEqual({ status: 'present', record: written })
    const databases = await indexedDB.databases()
    expect(databases.map((d) => d.name)).toContain(name)
  })

  it('a session survives a reload: a new session object restores it from IndexedDB', async () => {
    const name = freshDatabase()
    const first = sessionOn(name)
    await first.start()
    await first.handleCallback('https://app.example.test/callback?code=c&state=s')
    const token = await first.getAccessToken()
    first.dispose()
    const second = sessionOn(name)
    await second.start()
    expect(second.getSnapshot()).toMatchObject({ status: 'signed-in', storage: 'indexeddb' })
    await expect(second.getAccessToken()).resolves.toBe(token)
  })

  it.each([
    ['a string', 'garbage'],
    ['a foreign object', { user: 'x', access_token: 'y' }],
    ['a future version', { ...record(), v: 2 }],
    ['an empty access token', { ...record(), tokens: { ...record().tokens, accessToken: '' } }],
  ])('a corrupt record (%s) is discarded and reported as storage-invalid', async (_, value) => {
    const name = freshDatabase()
    const storage = createIndexedDbStorage(name)
    await commit(storage, { set: [[`session:${issuer}|spa`, value]] })
    const warnings: string[] = []
    const session = sessionOn(name, warnings)
    await session.start()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-invalid', error: { code: 'storage-invalid' } })
    await expect(storage.get(`session:${issuer}|spa`)).resolves.toBeUndefined()
    expect(warnings.some((w) => w.includes('discarded'))).toBe(true)
  })

  it('moves and deletes atomically in one transaction', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    await commit(storage, { set: [['a', 1]] })
    await commit(storage, { delete: ['a'], set: [['b', 1]] })
    await expect(storage.entries('')).resolves.toEqual([['b', 1]])
    // Read-decide-write in one transaction: the decision sees the value it replaces.
    const seen = await storage.transact(['b'], (current) => ({ changes: { set: [['b', 2]] }, result: current.get('b') }))
    expect(seen).toBe(1)
    await expect(storage.get('b')).resolves.toBe(2)
  })

  it('a transaction whose decision throws changes nothing', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    await commit(storage, { set: [['a', 1]] })
    await expect(
      storage.transact(['a'], () => {
        throw new Error('no')
      }),
    ).rejects.toThrow('no')
    await expect(storage.get('a')).resolves.toBe(1)
  })

  it('keeps the oidc-client-ts sign-in state in IndexedDB, under its own prefix', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    const state = new TokenStore(storage, 'a|b').stateStore()
    await state.set('s1', '{"code_verifier":"v"}')
    await expect(state.getAllKeys()).resolves.toEqual(['s1'])
    await expect(state.remove('s1')).resolves.toBe('{"code_verifier":"v"}')
    await expect(state.get('s1')).resolves.toBeNull()
  })
})

describe('no IndexedDB', () => {
  it('falls back to memory, and the snapshot says so', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const warnings: string[] = []
    const session = sessionOn(freshDatabase(), warnings)
    await session.start()
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', storage: 'memory' })
    expect(warnings.some((w) => w.includes('kept in memory'))).toBe(true)
  })

  it('an IndexedDB that refuses to open falls back to memory', async () => {
    vi.stubGlobal('indexedDB', {
      open: () => {
        const request = { error: new DOMException('private mode', 'InvalidStateError') } as unknown as IDBOpenDBRequest
        queueMicrotask(() => (request as unknown as { onerror: () => void }).onerror?.())
        return request
      },
    })
    const opened = await openDefaultStorage(freshDatabase())
    expect(opened.storage.kind).toBe('memory')
    expect(opened.fallbackReason?.code).toBe('storage-unavailable')
  })
})
