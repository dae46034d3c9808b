import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, type KeyValueStorage, type Session } from '../../src/index.js'
import { isSealingKeyRecord, type SealedSessionRecord } from '../../src/storage/records.js'
import { issueGrant } from '../helpers/protocol.js'
import {
  freshDatabase,
  outboxKeys,
  sessionOn,
  storedText,
  testRecord,
  testSessionId,
  testSessionKey,
  tokenRecordKeys,
} from '../helpers/records.js'
import { createWorld } from '../helpers/session.js'
import { isSealedRecord, outboxEntry, recordKeys, protectAtRest, commit } from '../../src/storage/index.js'

/** A world whose tabs seal their records (encryption at rest is opt-in). */
function sealedWorld(...args: Parameters<typeof createWorld>) {
  const world = createWorld(...args)
  type Overrides = Parameters<typeof world.tab>[0]
  return {
    ...world,
    tab: (overrides: Overrides = {}) => world.tab({ encryptAtRest: true, ...overrides }),
    signedInTab: (overrides: Overrides = {}) => world.signedInTab({ encryptAtRest: true, ...overrides }),
  }
}

/** The token strings a session holds, read through its own API and the world's fake server. */
async function tokensOf(session: Session, world: ReturnType<typeof createWorld>) {
  const accessToken = await session.getAccessToken()
  const record = [...world.records.values()].find(isSealedRecord) as SealedSessionRecord | undefined
  return { accessToken, record }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('tokens encrypted at rest (memory storage shared by tabs)', () => {
  it('after sign-in, no token string is stored anywhere, and the snapshot says encrypted', async () => {
    const world = sealedWorld()
    const session = await world.signedInTab()
    const { accessToken, record } = await tokensOf(session, world)
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', atRest: 'encrypted' })
    expect(record).toMatchObject({ v: 3, kind: 'tokenwarden/session' })
    const text = storedText(world.records)
    expect(text).not.toContain(accessToken)
    expect(text).not.toMatch(/rt-\d+|id-\d+/)
  })

  it('an offline logout queues both tokens sealed; back online they are revoked and the outbox is emptied', async () => {
    let online = false
    const world = sealedWorld(() => (online ? new Response('', { status: 200 }) : 'network-error'))
    const session = await world.signedInTab()
    const accessToken = await session.getAccessToken()
    const result = await session.logout()
    expect(result.revocation).toEqual({ refresh_token: 'queued', access_token: 'queued' })
    expect(outboxKeys(world.records)).toHaveLength(2)
    for (const key of outboxKeys(world.records)) expect(world.records.get(key)).toMatchObject({ v: 2, kind: 'tokenwarden/revocation' })
    expect(storedText(world.records)).not.toContain(accessToken)
    online = true
    const requestsBefore = world.server.requests.length
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(outboxKeys(world.records)).toEqual([]))
    const sent = world.server.requests.slice(requestsBefore).map((request) => request.form.get('token'))
    expect(sent).toContain(accessToken)
    expect(sent).toHaveLength(2)
  })

  it('another tab reads the sealed session and shares it', async () => {
    const world = sealedWorld()
    const first = await world.signedInTab()
    const second = world.tab()
    await second.start()
    expect(second.getSnapshot()).toMatchObject({ status: 'signed-in', atRest: 'encrypted' })
    await expect(second.getAccessToken()).resolves.toBe(await first.getAccessToken())
  })

  it('a record whose ciphertext was altered is storage-invalid: discarded, signed out, nothing thrown', async () => {
    const world = sealedWorld()
    await world.signedInTab()
    const stored = world.records.get(testSessionKey) as SealedSessionRecord
    const data = stored.sealed.data.slice()
    data[3] = data[3]! ^ 0xff
    world.records.set(testSessionKey, { ...stored, sealed: { ...stored.sealed, data } })
    const reader = world.tab()
    await reader.start()
    expect(reader.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-invalid', error: { code: 'storage-invalid' } })
    expect(world.warnings.some((warning) => warning.includes('could not be decrypted'))).toBe(true)
    expect(tokenRecordKeys(world.records)).toEqual([])
  })

  it('a readable field changed on disk (the sign-in id) makes the record storage-invalid: identity is bound', async () => {
    const world = sealedWorld()
    await world.signedInTab()
    const stored = world.records.get(testSessionKey) as SealedSessionRecord
    world.records.set(testSessionKey, { ...stored, signInId: 'another-sign-in' })
    const reader = world.tab()
    await reader.start()
    expect(reader.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-invalid' })
  })

  it('a sealed record moved to another key does not open there (the storage key is bound)', async () => {
    const records = new Map<string, unknown>()
    const { storage } = protectAtRest(createMemoryStorage(records), testSessionId, true, crypto.subtle)
    const record = testRecord()
    await commit(storage, { set: [[testSessionKey, record]] })
    await expect(storage.get(testSessionKey)).resolves.toEqual(record)
    const elsewhere = recordKeys.outboxEntry(testSessionId)
    records.set(elsewhere, records.get(testSessionKey))
    const moved = await storage.get(elsewhere)
    expect(isSealedRecord(moved)).toBe(true)
    expect(storedText([['', moved]])).not.toContain(record.tokens.accessToken)
  })

  it('the wrong key (the key record replaced) makes the record storage-invalid', async () => {
    const world = sealedWorld()
    await world.signedInTab()
    const foreign = sealedWorld()
    await foreign.signedInTab()
    world.records.set(recordKeys.sealingKey(testSessionId), foreign.records.get(recordKeys.sealingKey(testSessionId)))
    const reader = world.tab()
    await reader.start()
    expect(reader.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-invalid' })
  })

  it('encryptAtRest: false stores plaintext and says off', async () => {
    const world = sealedWorld()
    const session = await world.signedInTab({ encryptAtRest: false })
    expect(session.getSnapshot()).toMatchObject({ atRest: 'off' })
    expect(storedText(world.records)).toContain(await session.getAccessToken())
    expect(world.records.has(recordKeys.sealingKey(testSessionId))).toBe(false)
  })

  it('without WebCrypto (an insecure context) it stores plaintext, says unavailable, and warns once per logger', async () => {
    const world = sealedWorld()
    // What a page on plain http sees: crypto without subtle.
    const real = await import('node:crypto')
    vi.stubGlobal('crypto', { randomUUID: () => real.randomUUID(), getRandomValues: (a: Uint8Array) => real.getRandomValues(a) })
    const logger = { warn: (message: string) => world.warnings.push(message) }
    const session = await world.signedInTab({ logger })
    const second = world.tab({ logger })
    await second.start()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', atRest: 'unavailable' })
    expect(second.getSnapshot()).toMatchObject({ status: 'signed-in', atRest: 'unavailable' })
    expect(world.warnings.filter((warning) => warning.includes('WebCrypto is not available'))).toHaveLength(1)
    expect(storedText(world.records)).toContain(await session.getAccessToken())
  })

  it('protectAtRest without SubtleCrypto hands back the storage as it is', () => {
    const storage = createMemoryStorage()
    expect(protectAtRest(storage, testSessionId, true, undefined)).toEqual({ storage, atRest: 'unavailable' })
    expect(protectAtRest(storage, testSessionId, false, crypto.subtle)).toEqual({ storage, atRest: 'off' })
  })

  it('records written before encryption (a v2 session, a v1 outbox entry) are read and rewritten sealed', async () => {
    const world = sealedWorld(() => 'network-error')
    const record = testRecord()
    const queued = issueGrant().tokens.refreshToken!
    world.records.set(testSessionKey, record)
    world.records.set(
      recordKeys.outboxEntry(testSessionId),
      outboxEntry({ token: queued, hint: 'refresh_token', expiresAt: Date.now() + 60_000, notBefore: 0 }),
    )
    const session = world.tab()
    await session.start()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', atRest: 'encrypted' })
    await expect(session.getAccessToken()).resolves.toBe(record.tokens.accessToken)
    await vi.waitFor(() => {
      expect(world.records.get(testSessionKey)).toMatchObject({ v: 3, signInId: record.signInId })
      expect(outboxKeys(world.records)).toHaveLength(1)
      for (const key of outboxKeys(world.records)) expect(world.records.get(key)).toMatchObject({ v: 2 })
    })
    const text = storedText(world.records)
    expect(text).not.toContain(record.tokens.accessToken)
    expect(text).not.toContain(queued)
  })

  it('a key deleted with everything under a running tab is stored again with the next write, so other tabs can read it', async () => {
    const world = sealedWorld()
    const session = await world.signedInTab()
    world.records.clear()
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    expect(isSealingKeyRecord(world.records.get(recordKeys.sealingKey(testSessionId)))).toBe(true)
    const reader = world.tab()
    await reader.start()
    expect(reader.getSnapshot()).toMatchObject({ status: 'signed-in' })
  })
})

describe('the sealing wrapper says when its writes are issued', () => {
  it('once, with the result of the pass that wrote: a pass that met another writer reports nothing and decides again', async () => {
    const records = new Map<string, unknown>([['k', 'a']])
    const memory = createMemoryStorage(records)
    let calls = 0
    // Another tab writes between this tab's read (the first inner transaction) and its write.
    const inner: KeyValueStorage = {
      ...memory,
      transact: (keys, decide, onIssued) => {
        if (++calls === 2) records.set('k', 'b')
        return memory.transact(keys, decide, onIssued)
      },
    }
    const { storage } = protectAtRest(inner, testSessionId, true, crypto.subtle)
    const issued: unknown[] = []
    const result = await storage.transact(
      ['k'],
      (current) => ({ changes: { set: [['k', `${String(current.get('k'))}!`]] }, result: current.get('k') }),
      (decided) => issued.push(decided),
    )
    expect(calls).toBe(4) // read, write refused, read again, write
    expect(result).toBe('b')
    expect(issued).toEqual(['b'])
    expect(records.get('k')).toBe('b!')
  })

  it('a write that seals nothing and reads nothing (an outbox clean-up) goes straight through, key record unread', async () => {
    const records = new Map<string, unknown>([['entry', 'x']])
    const memory = createMemoryStorage(records)
    const asked: Array<readonly string[]> = []
    const inner: KeyValueStorage = {
      ...memory,
      transact: (keys, decide, onIssued) => {
        asked.push(keys)
        return memory.transact(keys, decide, onIssued)
      },
    }
    const { storage } = protectAtRest(inner, testSessionId, true, crypto.subtle)
    let issued = false
    await storage.transact(
      [],
      () => ({ changes: { delete: ['entry'] }, result: undefined }),
      () => (issued = true),
    )
    expect(asked).toEqual([[]])
    expect(issued).toBe(true)
    expect(records.has('entry')).toBe(false)
  })
})

describe('eviction noticed (storage-lost)', () => {
  it('a session gone from storage without an end marker is storage-lost when the tab is shown again', async () => {
    const world = sealedWorld()
    const session = await world.signedInTab()
    world.records.clear()
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(() => expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-lost' }))
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
  })

  it('a logout in a tab whose message never arrived is still a logout elsewhere (other-tab), not storage-lost', async () => {
    const world = sealedWorld()
    const session = await world.signedInTab()
    // A tab on a channel of its own: it hears nothing from the others.
    const { createChannelHub } = await import('../helpers/tabs.js')
    const deaf = world.tab({ channel: createChannelHub().factory })
    await deaf.start()
    expect(deaf.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await session.logout()
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(() => expect(deaf.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
  })

  it('a refresh that finds the session evicted says storage-lost', async () => {
    const world = sealedWorld()
    const session = await world.signedInTab()
    world.records.clear()
    await expect(session.refresh()).rejects.toMatchObject({ code: 'signed-out' })
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-lost' })
  })

  it('an IndexedDB database deleted under a running tab (fake-indexeddb) is noticed: storage-lost, without a reload', async () => {
    const name = freshDatabase()
    const session = sessionOn(name, [], { encryptAtRest: true })
    await session.start()
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name)
      request.onsuccess = () => resolve()
      request.onerror = () => reject(request.error)
      request.onblocked = () => reject(new Error('deletion blocked: the connection did not step aside'))
    })
    await vi.waitFor(() => expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'storage-lost' }))
    session.dispose()
  })

  it('a database with the session record still in it after a versionchange stays signed in', async () => {
    const name = freshDatabase()
    const session = sessionOn(name, [], { encryptAtRest: true })
    await session.start()
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    // Another tab opens the database at a higher version (a newer release, say): ours steps aside.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name, 2)
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(request.error)
      request.onblocked = () => reject(new Error('upgrade blocked'))
    })
    await expect(session.getAccessToken()).resolves.toMatch(/^at-/)
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-in' })
    session.dispose()
  })
})
