import { Listeners } from '../util/index.js'
import { promisifyRequest, type UseStore } from 'idb-keyval'
import { TokenwardenError } from '../errors.js'
import { createMemoryStorage, type KeyValueStorage, type TransactionOutcome } from './key-value.js'

/** The IndexedDB storage, on idb-keyval, in a database of our own (`databaseName`). */
export function createIndexedDbStorage(databaseName: string): KeyValueStorage {
  // The database is opened on first use and the connection kept; nothing here touches a
  // browser global, so this is safe at import time and in plain Node.
  const closedListeners = new Listeners()
  const use = openStore(databaseName, () => {
    closedListeners.notify()
  })
  return {
    kind: 'indexeddb',
    close: () => use.close(),
    onClosed: (listener) => closedListeners.subscribe(listener),
    get: (key) => use('readonly', (store) => promisifyRequest(store.get(key))),
    entries: (prefix) =>
      use('readonly', async (store) => {
        // Only the records under `prefix` are read, not every client's: the keys that start with
        // it sort from it up to, not including, the prefix with its last character raised by one
        // (all keys for an empty prefix, or one that ends in U+FFFF).
        const last = prefix.charCodeAt(prefix.length - 1)
        const range =
          last < 0xffff ? IDBKeyRange.bound(prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1), false, true) : undefined
        const [keys, values] = await Promise.all([promisifyRequest(store.getAllKeys(range)), promisifyRequest(store.getAll(range))])
        return keys.flatMap(
          (key, index): Array<[string, unknown]> => (typeof key === 'string' && key.startsWith(prefix) ? [[key, values[index]]] : []),
        )
      }),
    transact: (keys, decide, onIssued) =>
      use('readwrite', (objectStore) => {
        const transaction = objectStore.transaction
        const current = new Map<string, unknown>()
        let outcome: TransactionOutcome<unknown> | undefined
        // Reads and writes are queued on one transaction: it stays open while requests are
        // pending, so nothing else can run between the reads and the writes.
        const apply = () => {
          try {
            outcome = decide(current)
          } catch (error) {
            transaction.abort()
            throw error
          }
          for (const key of outcome.changes?.delete ?? []) objectStore.delete(key)
          for (const [key, value] of outcome.changes?.set ?? []) objectStore.put(value, key)
          // Nothing more will be asked of this transaction: commit now rather than after one
          // more round trip to learn that the writes succeeded (IndexedDB 3.0; older browsers
          // commit on their own once the requests are done).
          transaction.commit?.()
          onIssued?.(outcome.result as never)
        }
        let pending = keys.length
        let failure: unknown
        if (pending === 0) apply()
        for (const key of keys) {
          const request = objectStore.get(key)
          request.onsuccess = () => {
            current.set(key, request.result)
            if (--pending === 0) {
              try {
                apply()
              } catch (error) {
                failure = error
              }
            }
          }
        }
        return promisifyRequest(transaction).then(
          () => outcome?.result as never,
          (error: unknown) => {
            throw failure ?? error
          },
        )
      }),
  }
}

/**
 * idb-keyval's `createStore`, plus what it leaves out: a connection that steps aside when
 * the database is deleted or upgraded elsewhere (`versionchange`: without closing, we would
 * block the deletion), and that tells `onClosed` when it is gone, so the session can check
 * whether its records went with it. The next use opens the database again.
 */
function openStore(databaseName: string, onClosed: () => void): UseStore & { close(): void } {
  let connection: Promise<IDBDatabase> | undefined
  const connect = (): Promise<IDBDatabase> => {
    if (connection) return connection
    const request = indexedDB.open(databaseName)
    request.onupgradeneeded = () => request.result.createObjectStore('records')
    const opening = promisifyRequest(request)
    connection = opening
    opening.then(
      (db) => {
        const lost = () => {
          if (connection === opening) connection = undefined
          onClosed()
        }
        db.onversionchange = () => {
          db.close()
          lost()
        }
        // Fired when the browser closes it: storage cleared or evicted (Safari sometimes closes it for no reason).
        db.onclose = lost
      },
      () => {
        if (connection === opening) connection = undefined
      },
    )
    return connection
  }
  const use: UseStore = (mode, callback) => connect().then((db) => callback(db.transaction('records', mode).objectStore('records')))
  const close = () => {
    const open = connection
    connection = undefined
    void open?.then(
      (db) => db.close(),
      () => undefined,
    )
  }
  return Object.assign(use, { close })
}

/**
 * Opens the default storage: IndexedDB when it works, else memory. Some private modes have
 * no IndexedDB or refuse to open it; the session then lives as long as the page, and says so.
 */
export async function openDefaultStorage(databaseName: string): Promise<{ storage: KeyValueStorage; fallbackReason?: TokenwardenError }> {
  if (typeof indexedDB === 'undefined') {
    return {
      storage: createMemoryStorage(),
      fallbackReason: new TokenwardenError('storage-unavailable', 'IndexedDB is not available; tokens are kept in memory.'),
    }
  }
  const storage = createIndexedDbStorage(databaseName)
  try {
    await storage.get('probe')
    return { storage }
  } catch (cause) {
    return {
      storage: createMemoryStorage(),
      fallbackReason: new TokenwardenError('storage-unavailable', 'IndexedDB could not be opened; tokens are kept in memory.', {
        cause,
      }),
    }
  }
}
