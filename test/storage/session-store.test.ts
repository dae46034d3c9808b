import { describe, expect, it } from 'vitest'
import { freshDatabase, sessionOn, testRecord, testSessionId, testSessionKey } from '../helpers/records.js'
import { createIndexedDbStorage } from '../../src/storage/indexeddb.js'
import { SessionStore, commit, createMemoryStorage, type KeyValueStorage } from '../../src/storage/index.js'

describe('the session record in IndexedDB', () => {
  it('round-trips a session record in its own database', async () => {
    const name = freshDatabase()
    const store = new SessionStore(createIndexedDbStorage(name), testSessionId)
    const written = testRecord()
    await store.transact(() => ({ session: written, result: undefined }))
    const reopened = new SessionStore(createIndexedDbStorage(name), testSessionId)
    await expect(reopened.read()).resolves.toEqual({ status: 'present', record: written })
    const databases = await indexedDB.databases()
    expect(databases.map((d) => d.name)).toContain(name)
  })

  it.each([
    ['a string', 'garbage'],
    ['a foreign object', { user: 'x', access_token: 'y' }],
    ['a future version', { ...testRecord(), v: 3 }],
    ['an updatedAt that is not a number', { ...testRecord(), updatedAt: Number.NaN }],
    ['an empty access token', { ...testRecord(), tokens: { ...testRecord().tokens, accessToken: '' } }],
  ])('a corrupt record (%s) is discarded and reported as storage-invalid', async (_, value) => {
    const name = freshDatabase()
    const storage = createIndexedDbStorage(name)
    await commit(storage, { set: [[testSessionKey, value]] })
    const warnings: string[] = []
    const session = sessionOn(name, warnings)
    await session.start()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-invalid', error: { code: 'storage-invalid' } })
    await expect(storage.get(testSessionKey)).resolves.toMatchObject({ kind: 'tokenwarden/session-ended' })
    expect(warnings.some((w) => w.includes('discarded'))).toBe(true)
  })

  it('a corrupt record that another tab replaced with a new session before it was discarded is kept: that session is read, not overwritten', async () => {
    const records = new Map<string, unknown>([[testSessionKey, 'garbage']])
    const memory = createMemoryStorage(records)
    const fresh = testRecord({ signInId: 'sign-in-2' })
    // Another tab signs in between this tab's read and its clean-up.
    const storage: KeyValueStorage = {
      ...memory,
      get: async (key) => {
        const value = await memory.get(key)
        records.set(testSessionKey, fresh)
        return value
      },
    }
    const ended = 1_700_000_000_000
    const store = new SessionStore(storage, testSessionId, () => ended)
    await expect(store.read()).resolves.toEqual({ status: 'present', record: fresh })
    expect(records.get(testSessionKey)).toEqual(fresh)
  })

  it("the end marker that replaces a corrupt record carries the clock seam's time", async () => {
    const records = new Map<string, unknown>([[testSessionKey, 'garbage']])
    const store = new SessionStore(createMemoryStorage(records), testSessionId, () => 42)
    await expect(store.read()).resolves.toMatchObject({ status: 'invalid', error: { code: 'storage-invalid' } })
    expect(records.get(testSessionKey)).toMatchObject({ kind: 'tokenwarden/session-ended', endedAt: 42 })
  })

  it('a session record of a version this release does not write is discarded as storage-invalid, not guessed at', async () => {
    const { signInId, ...current } = testRecord()
    const records = new Map<string, unknown>([[testSessionKey, { ...current, v: 1, epoch: signInId }]])
    const store = new SessionStore(createMemoryStorage(records), testSessionId, () => 42)
    await expect(store.read()).resolves.toMatchObject({ status: 'invalid', error: { code: 'storage-invalid' } })
    expect(records.get(testSessionKey)).toMatchObject({ kind: 'tokenwarden/session-ended', endedAt: 42 })
  })
})
