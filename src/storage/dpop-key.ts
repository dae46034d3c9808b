// The DPoP key record (RFC 9449), beside records.ts's format: only DPoP's chunk reads and
// writes it, so it lives in a file of its own, loaded with that chunk and not at start.
import { isObject } from './records.js'

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
