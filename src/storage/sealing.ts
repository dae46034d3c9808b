import { isSealingKeyRecord, sealingKeyRecord, type Sealed, type SealingKeyRecord } from './records.js'
import type { KeyValueStorage } from './key-value.js'
import { recordKeys } from './keys.js'

/**
 * The WebCrypto calls sealing makes: `crypto.subtle` fits. A seam, so a test can order their
 * completion (the race property test runs real AES-GCM, finished when its scheduler says).
 */
export interface SealingCrypto {
  generateKey(algorithm: AesKeyGenParams, extractable: boolean, keyUsages: KeyUsage[]): Promise<CryptoKey>
  encrypt(algorithm: AesGcmParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>
  decrypt(algorithm: AesGcmParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer>
}

/**
 * The AES-GCM key token-bearing records are sealed under, and sealing itself. The key is
 * generated with `extractable: false` and stored in our own storage as a `CryptoKey`: IndexedDB
 * keeps it as the browser's internal handle, so neither the page nor anyone reading the
 * profile's files gets its bytes through any API. A fresh 96-bit IV per write; the record's
 * identity is bound as additional data (records.ts, `sealedAdditionalData`).
 */
export class Sealer {
  readonly #storage: KeyValueStorage
  readonly #subtle: SealingCrypto
  /** Where the key record lives in storage. */
  readonly recordKey: string
  #key: Promise<SealingKeyRecord | undefined> | undefined

  constructor(storage: KeyValueStorage, sessionId: string, subtle: SealingCrypto) {
    this.#storage = storage
    this.#subtle = subtle
    this.recordKey = recordKeys.sealingKey(sessionId)
  }

  /**
   * The key, loaded once. `create`: generate and store one when there is none (a writer);
   * a reader never creates one, since a new key cannot open anything already stored (so only
   * a reader may get undefined).
   */
  key(create: true): Promise<SealingKeyRecord>
  key(create: boolean): Promise<SealingKeyRecord | undefined>
  async key(create: boolean): Promise<SealingKeyRecord | undefined> {
    for (;;) {
      this.#key ??= this.#load(create)
      const loading = this.#key
      let record: SealingKeyRecord | undefined
      try {
        record = await loading
      } catch (error) {
        if (this.#key === loading) this.#key = undefined
        throw error
      }
      if (record) return record
      // No key yet: nothing is cached, and a writer that met a reader's load creates one now.
      if (this.#key === loading) this.#key = undefined
      if (!create) return undefined
    }
  }

  /** Drops the loaded key: storage holds another one now (another tab replaced a lost one). */
  forget(): void {
    this.#key = undefined
  }

  async #load(create: boolean): Promise<SealingKeyRecord | undefined> {
    const stored = await this.#storage.get(this.recordKey)
    if (isSealingKeyRecord(stored)) return stored
    if (!create) return undefined
    const key = await this.#subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    const fresh = sealingKeyRecord(key)
    // Two tabs may both find no key: the first write wins and the other adopts it.
    return this.#storage.transact([this.recordKey], (current) => {
      const existing = current.get(this.recordKey)
      return isSealingKeyRecord(existing) ? { result: existing } : { changes: { set: [[this.recordKey, fresh]] }, result: fresh }
    })
  }

  /** The sealed secret, and the key record it was sealed under. */
  async seal(secret: unknown, additionalData: string): Promise<{ sealed: Sealed; key: SealingKeyRecord }> {
    const record = await this.key(true)
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const data = await this.#subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encode(additionalData) },
      record.key,
      encode(JSON.stringify(secret)),
    )
    return { sealed: { iv, data: new Uint8Array(data) }, key: record }
  }

  /** The secret; rejects when it cannot be opened (no key, another key, altered ciphertext or additional data). */
  async open(sealed: Sealed, additionalData: string): Promise<unknown> {
    const record = await this.key(false)
    if (!record) throw new Error('There is no sealing key.')
    try {
      return await this.#decrypt(record.key, sealed, additionalData)
    } catch (error) {
      // The database may have been deleted and recreated with a new key since this tab loaded
      // its own: look again before calling the record unreadable.
      this.forget()
      const stored = await this.key(false)
      if (!stored || stored.id === record.id) throw error
      return this.#decrypt(stored.key, sealed, additionalData)
    }
  }

  async #decrypt(key: CryptoKey, sealed: Sealed, additionalData: string): Promise<unknown> {
    const plain = await this.#subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.iv as Uint8Array<ArrayBuffer>, additionalData: encode(additionalData) },
      key,
      sealed.data as Uint8Array<ArrayBuffer>,
    )
    return JSON.parse(new TextDecoder().decode(plain)) as unknown
  }
}

const encode = (text: string) => new TextEncoder().encode(text)
