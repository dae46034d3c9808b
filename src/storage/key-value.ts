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
