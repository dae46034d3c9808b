import { createStore, entries, get, promisifyRequest, type UseStore } from 'idb-keyval'
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
 */
export interface KeyValueStorage {
  readonly kind: StorageKind
  get(key: string): Promise<unknown>
  /** Every entry whose key starts with `prefix`. */
  entries(prefix: string): Promise<Array<[string, unknown]>>
  transact<T>(keys: readonly string[], decide: (current: ReadonlyMap<string, unknown>) => TransactionOutcome<T>): Promise<T>
}

/** Applies `changes` in one transaction. */
export function commit(storage: KeyValueStorage, changes: StorageChanges): Promise<void> {
  return storage.transact([], () => ({ changes, result: undefined }))
}

/**
 * A storage in memory. Pass the same `map` to several sessions to let them share it, as tabs
 * share IndexedDB.
 */
export function createMemoryStorage(map: Map<string, unknown> = new Map()): KeyValueStorage {
  return {
    kind: 'memory',
    get: async (key) => structuredClone(map.get(key)),
    entries: async (prefix) =>
      [...map].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key, structuredClone(value)]),
    transact: async (keys, decide) => {
      const { changes = {}, result } = decide(new Map(keys.map((key) => [key, structuredClone(map.get(key))])))
      for (const key of changes.delete ?? []) map.delete(key)
      for (const [key, value] of changes.set ?? []) map.set(key, structuredClone(value))
      return result
    },
  }
}

/** The IndexedDB storage, on idb-keyval, in a database of our own (`databaseName`). */
export function createIndexedDbStorage(databaseName: string): KeyValueStorage {
  // idb-keyval opens the database on first use and keeps the connection; creating the store
  // here touches no browser global, so this is safe at import time and in plain Node.
  let store: UseStore | undefined
  const use = (): UseStore => (store ??= createStore(databaseName, 'records'))
  return {
    kind: 'indexeddb',
    get: (key) => get(key, use()),
    entries: async (prefix) =>
      (await entries<string, unknown>(use())).filter(([key]) => typeof key === 'string' && key.startsWith(prefix)),
    transact: (keys, decide) =>
      use()('readwrite', (objectStore) => {
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
          () => outcome!.result as never,
          (error: unknown) => {
            throw failure ?? error
          },
        )
      }),
  }
}

/**
 * Opens the default storage: IndexedDB when it works, else memory. Some private modes have
 * no IndexedDB or refuse to open it; the session then lives as long as the page, and says so.
 */
export async function openDefaultStorage(
  databaseName: string,
): Promise<{ storage: KeyValueStorage; fallbackReason?: TokenwardenError }> {
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

/** The tokens of one session. Only this file, `session.ts` and `oidc.ts` see them. */
export interface TokenSet {
  accessToken: string
  tokenType: string
  refreshToken?: string
  idToken?: string
  scope?: string
  /** Access token expiry, milliseconds since the epoch. */
  expiresAt?: number
}

/** ID token claims, as a UI would show them. */
export type Profile = Readonly<Record<string, unknown>> & { readonly sub?: string }

/** The stored form of a signed-in session. */
export interface SessionRecord {
  v: 1
  kind: 'tokenwarden/session'
  /** A new random id at every sign-in; refreshes keep it. */
  epoch: string
  tokens: TokenSet
  profile: Profile
  updatedAt: number
}

const optionalString = (value: unknown) => value === undefined || typeof value === 'string'

/** Checks a record read back from storage: it may be corrupt, old, or written by someone else. */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Partial<SessionRecord>
  const tokens = record.tokens as Partial<TokenSet> | undefined
  return (
    record.v === 1 &&
    record.kind === 'tokenwarden/session' &&
    typeof record.epoch === 'string' &&
    typeof record.updatedAt === 'number' &&
    typeof record.profile === 'object' &&
    record.profile !== null &&
    typeof tokens === 'object' &&
    tokens !== null &&
    typeof tokens.accessToken === 'string' &&
    tokens.accessToken !== '' &&
    typeof tokens.tokenType === 'string' &&
    optionalString(tokens.refreshToken) &&
    optionalString(tokens.idToken) &&
    optionalString(tokens.scope) &&
    (tokens.expiresAt === undefined || Number.isFinite(tokens.expiresAt))
  )
}

/** Where oidc-client-ts keeps its sign-in state; the shape of its `StateStore`. */
export interface StateStore {
  set(key: string, value: string): Promise<void>
  get(key: string): Promise<string | null>
  remove(key: string): Promise<string | null>
  getAllKeys(): Promise<string[]>
}

export type SessionRead =
  | { status: 'present'; record: SessionRecord }
  | { status: 'absent' }
  | { status: 'invalid'; error: TokenwardenError }

/** What a session transaction decides. `session`: a new record, `null` to delete, absent to keep. */
export interface SessionDecision<T> {
  session?: SessionRecord | null
  /** Other changes in the same transaction (outbox entries, say). */
  also?: StorageChanges
  result: T
}

const invalidRecord = () =>
  new TokenwardenError('storage-invalid', 'The stored session record was corrupt or foreign and was discarded.')

/** The records of one session (authority + client) in a {@link KeyValueStorage}. */
export class TokenStore {
  readonly storage: KeyValueStorage
  readonly sessionKey: string
  readonly #statePrefix: string

  constructor(storage: KeyValueStorage, sessionId: string) {
    this.storage = storage
    this.sessionKey = `session:${sessionId}`
    this.#statePrefix = `oidc-state:${sessionId}:`
  }

  /** Reads the session record; a corrupt or foreign one is deleted and reported. */
  async readSession(): Promise<SessionRead> {
    const value = await this.#wrap('read', () => this.storage.get(this.sessionKey))
    if (value === undefined) return { status: 'absent' }
    if (isSessionRecord(value)) return { status: 'present', record: value }
    await this.#wrap('delete', () => commit(this.storage, { delete: [this.sessionKey] }))
    return { status: 'invalid', error: invalidRecord() }
  }

  /**
   * Reads the session record and applies `decide`'s changes in one transaction. A corrupt
   * record is seen as absent and deleted.
   */
  transactSession<T>(decide: (current: SessionRecord | undefined) => SessionDecision<T>): Promise<T> {
    return this.#wrap('update', () =>
      this.storage.transact([this.sessionKey], (values) => {
        const value = values.get(this.sessionKey)
        const current = isSessionRecord(value) ? value : undefined
        const decision = decide(current)
        const set = [...(decision.also?.set ?? [])]
        const remove = [...(decision.also?.delete ?? [])]
        if (decision.session) set.push([this.sessionKey, decision.session])
        else if (decision.session === null || (value !== undefined && !current)) remove.push(this.sessionKey)
        return { changes: { set, delete: remove }, result: decision.result }
      }),
    )
  }

  /**
   * oidc-client-ts's sign-in state (PKCE verifier, nonce) lives here too, never in
   * sessionStorage, its default.
   */
  stateStore(): StateStore {
    const key = (name: string) => this.#statePrefix + name
    return {
      set: (name, value) => commit(this.storage, { set: [[key(name), value]] }),
      get: async (name) => {
        const value = await this.storage.get(key(name))
        return typeof value === 'string' ? value : null
      },
      remove: (name) =>
        this.storage.transact([key(name)], (current) => {
          const value = current.get(key(name))
          return { changes: { delete: [key(name)] }, result: typeof value === 'string' ? value : null }
        }),
      getAllKeys: async () =>
        (await this.storage.entries(this.#statePrefix)).map(([name]) => name.slice(this.#statePrefix.length)),
    }
  }

  async #wrap<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (cause) {
      throw new TokenwardenError('storage-failed', `Could not ${action} the session record.`, { cause })
    }
  }
}
