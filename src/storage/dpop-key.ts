// The DPoP key records (RFC 9449) of a session: their format, beside records.ts's, and where
// they are kept. Only DPoP's chunk (protocol/dpop.ts, `createDPoP`) builds the store, so it
// travels with that chunk: sessions without DPoP never download it.
import { commit, type KeyValueStorage } from './key-value.js'
import { isEntryOf, recordKeys } from './keys.js'
import { isObject, readSessionRecord } from './records.js'

/**
 * The DPoP key pair of one sign-in. The private key is a non-extractable `CryptoKey`: IndexedDB
 * keeps it by structured clone, and no script can read its bytes, only ask WebCrypto to sign.
 */
export interface DPoPKeyRecord {
  v: 1
  kind: 'tokenwarden/dpop-key'
  keys: CryptoKeyPair
  /** When it was made (ms since the epoch): a key whose sign-in never completed is swept later. */
  createdAt: number
}

export function dpopKeyRecord(keys: CryptoKeyPair, createdAt: number): DPoPKeyRecord {
  return { v: 1, kind: 'tokenwarden/dpop-key', keys, createdAt }
}

const isKey = (value: unknown, type: KeyType) =>
  isObject(value) && (value as CryptoKey).type === type && (value as CryptoKey).algorithm?.name === 'ECDSA'

export function isDPoPKeyRecord(value: unknown): value is DPoPKeyRecord {
  if (!isObject(value)) return false
  const record = value as Partial<DPoPKeyRecord>
  return (
    record.v === 1 &&
    record.kind === 'tokenwarden/dpop-key' &&
    Number.isFinite(record.createdAt) &&
    isKey(record.keys?.privateKey, 'private') &&
    // A private key that can be exported is not one we made: refuse it rather than use it.
    record.keys?.privateKey.extractable === false &&
    isKey(record.keys?.publicKey, 'public')
  )
}

/** The DPoP key pairs of one session id in storage. */
export class DPoPKeyStore {
  readonly #storage: KeyValueStorage
  readonly #sessionId: string

  constructor(storage: KeyValueStorage, sessionId: string) {
    this.#storage = storage
    this.#sessionId = sessionId
  }

  save(id: string, keys: CryptoKeyPair, createdAt: number): Promise<void> {
    return commit(this.#storage, { set: [[recordKeys.dpopKey(this.#sessionId, id), dpopKeyRecord(keys, createdAt)]] })
  }

  /** The key pair `id`, or undefined once it was deleted (its session ended) or is not one we made. */
  async load(id: string): Promise<CryptoKeyPair | undefined> {
    const record = await this.#storage.get(recordKeys.dpopKey(this.#sessionId, id))
    return isDPoPKeyRecord(record) ? record.keys : undefined
  }

  discard(id: string): Promise<void> {
    return commit(this.#storage, { delete: [recordKeys.dpopKey(this.#sessionId, id)] })
  }

  /**
   * Deletes the keys that belong to no session: not the stored session's, and made before
   * `madeBefore` (another tab's callback may be under way with a key it just made).
   */
  async sweep(madeBefore: number): Promise<void> {
    const prefix = recordKeys.dpopPrefix(this.#sessionId)
    // Only this session's keys, by exact key: another client's id may start like ours.
    const entries = (await this.#storage.entries(prefix)).filter(([key]) => isEntryOf(prefix, key))
    if (!entries.length) return
    const sessionKey = recordKeys.session(this.#sessionId)
    await this.#storage.transact([sessionKey, ...entries.map(([key]) => key)], (current) => {
      const inUse = readSessionRecord(current.get(sessionKey))?.tokens.dpopKey
      const stale = entries.flatMap(([key]) => {
        const record = current.get(key)
        const old = !isDPoPKeyRecord(record) || record.createdAt < madeBefore
        return key.slice(prefix.length) !== inUse && old ? [key] : []
      })
      return { changes: { delete: stale }, result: undefined }
    })
  }
}
