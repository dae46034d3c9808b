import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshDatabase, sessionOn } from '../helpers/records.js'
import { createIndexedDbStorage } from '../../src/storage/indexeddb.js'
import { commit, createMemoryStorage, transactIssued, type KeyValueStorage, openDefaultStorage } from '../../src/storage/index.js'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('IndexedDB storage', () => {
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

  it('lists exactly the entries whose key starts with the prefix, whatever sorts beside them', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    const keys = [
      'outbox:a:1',
      'outbox:a:\uffff',
      'outbox:a:\uffff\uffff',
      'outbox:a;',
      'outbox:a',
      'outbox:ab:1',
      'outbox:\uffff:1',
      'session:a',
    ]
    await commit(storage, { set: keys.map((key) => [key, key]) })
    const listed = async (prefix: string) => {
      const found = await storage.entries(prefix)
      for (const [key, value] of found) expect(value).toBe(key)
      return found.map(([key]) => key).sort()
    }
    await expect(listed('outbox:a:')).resolves.toEqual(['outbox:a:1', 'outbox:a:\uffff', 'outbox:a:\uffff\uffff'])
    await expect(listed('outbox:\uffff')).resolves.toEqual(['outbox:\uffff:1'])
    await expect(listed('')).resolves.toEqual([...keys].sort())
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
})

describe('transactIssued: a decision acted on while it commits', () => {
  it('on IndexedDB the decision is reported before the commit, and any transaction begun after it reads its changes', async () => {
    const storage = createIndexedDbStorage(freshDatabase())
    await commit(storage, { set: [['session', 'tokens']] })
    const order: string[] = []
    const { issued, committed } = transactIssued<string>((onIssued) =>
      storage.transact(
        ['session'],
        (current) => ({
          changes: { set: [['outbox', current.get('session')]], delete: ['session'] },
          result: String(current.get('session')),
        }),
        onIssued,
      ),
    )
    void committed.then(() => order.push('committed'))
    const taken = await issued
    order.push('issued')
    // Begun before the commit is reported: IndexedDB runs it after the transaction before it.
    const read = Promise.all([storage.get('session'), storage.get('outbox')])
    await committed
    expect(taken).toBe('tokens')
    expect(order).toEqual(['issued', 'committed'])
    await expect(read).resolves.toEqual([undefined, 'tokens'])
  })

  it('on a storage that cannot say when its writes are issued, it waits for the commit', async () => {
    const inner = createMemoryStorage()
    let commit!: () => void
    // Takes `onIssued` and never calls it, as a storage that writes later would.
    const storage: KeyValueStorage = {
      ...inner,
      transact: (keys, decide) => new Promise((resolve) => (commit = () => resolve(inner.transact(keys, decide)))),
    }
    let issued = false
    const transaction = transactIssued<void>((onIssued) => storage.transact([], () => ({ result: undefined }), onIssued))
    void transaction.issued.then(() => (issued = true))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(issued).toBe(false)
    commit()
    await transaction.issued
    expect(issued).toBe(true)
  })

  it('a failing transaction rejects both', async () => {
    const storage: KeyValueStorage = { ...createMemoryStorage(), transact: () => Promise.reject(new Error('disk')) }
    const { issued, committed } = transactIssued((onIssued) => storage.transact([], () => ({ result: 1 }), onIssued))
    await expect(issued).rejects.toThrow('disk')
    await expect(committed).rejects.toThrow('disk')
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

describe('the IndexedDB connection', () => {
  const deleteDatabase = (name: string) =>
    new Promise<'deleted' | 'blocked'>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name)
      request.onblocked = () => resolve('blocked')
      request.onsuccess = () => resolve('deleted')
      request.onerror = () => reject(request.error)
    })

  it('is closed by dispose(), before anything else asks for it: a disposed session holds no connection', async () => {
    const name = freshDatabase()
    const session = sessionOn(name)
    await session.start()
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    const close = vi.spyOn(IDBDatabase.prototype, 'close')
    try {
      session.dispose()
      await vi.waitFor(() => expect(close).toHaveBeenCalledTimes(1))
      await expect(deleteDatabase(name)).resolves.toBe('deleted')
    } finally {
      close.mockRestore()
    }
  })

  it('steps aside when another page deletes the database (versionchange), and opens again on the next use', async () => {
    const name = freshDatabase()
    const storage = createIndexedDbStorage(name)
    await commit(storage, { set: [['a', 1]] })
    await expect(deleteDatabase(name)).resolves.toBe('deleted')
    await expect(storage.get('a')).resolves.toBeUndefined()
  })
})
