import { entries, get, promisifyRequest, type UseStore } from 'idb-keyval'
import { TokenwardenError } from './errors.js'

/** Where the records live: IndexedDB, or memory when IndexedDB cannot be used. */
export type StorageKind = 'indexeddb' | 'memory'

/** Changes applied together: all of them, or none. */
export interface StorageChanges {
  set?: ReadonlyArray<readonly [key: string, value: unknown]>
  delete?: readonly string[]
}

/** What a transaction decides: the changes to apply (all or none) and what to return. */
export interface TransactionOutcome<T> {
  changes?: StorageChanges
  result: T
}

/**
 * The storage seam. Values must survive a structured clone. `transact` reads `keys` and
 * applies what `decide` returns in one atomic step, so a tab can write "only if the session
 * is still the one I refreshed", or move tokens from the session into the outbox, without
 * another tab slipping in between. `decide` must be synchronous.
 *
 * `onIssued`, when the storage can promise it, is called with the result once the changes are
 * issued: from then on the transaction commits unless storage itself fails, and every
 * transaction begun later, in any tab, sees its changes. IndexedDB runs transactions over the
 * same keys in the order they were created, and a page that goes away lets the transactions
 * it issued finish; memory applies them at once. So a caller may act on a decision (send the
 * revocations it queued, say) while the commit is still under way; see {@link transactIssued}.
 * A storage that cannot promise it never calls `onIssued`, and its callers wait for the commit.
 */
export interface KeyValueStorage {
  readonly kind: StorageKind
  get(key: string): Promise<unknown>
  /** Every entry whose key starts with `prefix`. */
  entries(prefix: string): Promise<Array<[string, unknown]>>
  transact<T>(
    keys: readonly string[],
    decide: (current: ReadonlyMap<string, unknown>) => TransactionOutcome<T>,
    onIssued?: (result: T) => void,
  ): Promise<T>
  /**
   * Calls `listener` when the database was closed under us: deleted, cleared by the user, or
   * evicted by the browser. Its records may be gone. Returns the function that stops it.
   */
  onClosed?(listener: () => void): () => void
  /** Closes the connection, so a deletion or upgrade of the database is never blocked by it (dispose). */
  close?(): void
}

/** Applies `changes` in one transaction. */
export function commit(storage: KeyValueStorage, changes: StorageChanges): Promise<void> {
  return storage.transact([], () => ({ changes, result: undefined }))
}

/** A transaction seen at two moments: its changes issued, and its changes committed. */
export interface IssuedTransaction<T> {
  /**
   * The transaction's result once its changes are issued: before the commit on a storage that
   * says so (see `onIssued` of {@link KeyValueStorage.transact}), otherwise when committed.
   * Rejects if the transaction fails before that.
   */
  issued: Promise<T>
  /** Settles when the transaction committed, or failed. */
  committed: Promise<T>
}

/**
 * Runs a transaction through `run`, which must hand `onIssued` to the storage's `transact`,
 * and reports when its changes are issued as well as when they committed. The caller's next
 * step thus need not wait for the commit where storage guarantees it.
 */
export function transactIssued<T>(run: (onIssued: (result: T) => void) => Promise<T>): IssuedTransaction<T> {
  let onIssued!: (result: T) => void
  const early = new Promise<T>((resolve) => (onIssued = resolve))
  const committed = run(onIssued)
  return { issued: Promise.race([early, committed]), committed }
}

/**
 * A storage in memory. Pass the same `map` to several sessions to let them share it, as tabs
 * share IndexedDB.
 */
export function createMemoryStorage(map: Map<string, unknown> = new Map()): KeyValueStorage {
  return {
    kind: 'memory',
    get: async (key) => structuredClone(map.get(key)),
    entries: async (prefix) => [...map].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key, structuredClone(value)]),
    transact: async (keys, decide, onIssued) => {
      const { changes = {}, result } = decide(new Map(keys.map((key) => [key, structuredClone(map.get(key))])))
      for (const key of changes.delete ?? []) map.delete(key)
      for (const [key, value] of changes.set ?? []) map.set(key, structuredClone(value))
      onIssued?.(result)
      return result
    },
  }
}

/** The IndexedDB storage, on idb-keyval, in a database of our own (`databaseName`). */
export function createIndexedDbStorage(databaseName: string): KeyValueStorage {
  // The database is opened on first use and the connection kept; nothing here touches a
  // browser global, so this is safe at import time and in plain Node.
  const closedListeners = new Set<() => void>()
  const use = openStore(databaseName, () => {
    for (const listener of [...closedListeners]) listener()
  })
  return {
    kind: 'indexeddb',
    close: () => use.close(),
    onClosed: (listener) => {
      closedListeners.add(listener)
      return () => closedListeners.delete(listener)
    },
    get: (key) => get(key, use),
    entries: async (prefix) => (await entries<string, unknown>(use)).filter(([key]) => typeof key === 'string' && key.startsWith(prefix)),
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
