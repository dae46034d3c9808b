import { describe, expect, it } from 'vitest'
import { isSealingKeyRecord } from '../../src/storage/records.js'
import { Sealer } from '../../src/storage/sealing.js'
import { testSessionId } from '../helpers/records.js'
import { recordKeys, createMemoryStorage } from '../../src/storage/index.js'

const subtle = globalThis.crypto.subtle

describe('sealing (AES-GCM under a non-extractable key in our storage)', () => {
  it('round-trips a secret, with a fresh IV per write', async () => {
    const sealer = new Sealer(createMemoryStorage(), testSessionId, subtle)
    const first = await sealer.seal({ token: 'rt-secret' }, 'aad')
    const second = await sealer.seal({ token: 'rt-secret' }, 'aad')
    expect(first.sealed.iv).toHaveLength(12)
    expect(Array.from(first.sealed.iv)).not.toEqual(Array.from(second.sealed.iv))
    expect(new TextDecoder().decode(first.sealed.data)).not.toContain('rt-secret')
    await expect(sealer.open(first.sealed, 'aad')).resolves.toEqual({ token: 'rt-secret' })
  })

  it('stores the key as a non-extractable CryptoKey, never as bytes, and every sealer of the storage shares it', async () => {
    const records = new Map<string, unknown>()
    const sealer = new Sealer(createMemoryStorage(records), testSessionId, subtle)
    const { sealed } = await sealer.seal('x', 'aad')
    const stored = records.get(recordKeys.sealingKey(testSessionId))
    expect(isSealingKeyRecord(stored)).toBe(true)
    if (!isSealingKeyRecord(stored)) return
    expect(stored.key).toBeInstanceOf(CryptoKey)
    expect(stored.key.extractable).toBe(false)
    await expect(subtle.exportKey('raw', stored.key)).rejects.toThrow()
    const other = new Sealer(createMemoryStorage(records), testSessionId, subtle)
    await expect(other.open(sealed, 'aad')).resolves.toBe('x')
  })

  it('two sealers racing to create the key end up with one: the first write wins', async () => {
    const records = new Map<string, unknown>()
    const a = new Sealer(createMemoryStorage(records), testSessionId, subtle)
    const b = new Sealer(createMemoryStorage(records), testSessionId, subtle)
    const [fromA, fromB] = await Promise.all([a.key(true), b.key(true)])
    expect(fromA?.id).toBe(fromB?.id)
  })

  it('does not open with other additional data, altered ciphertext, another key, or no key', async () => {
    const sealer = new Sealer(createMemoryStorage(), testSessionId, subtle)
    const { sealed } = await sealer.seal({ token: 't' }, 'session:a|sign-in-1')
    await expect(sealer.open(sealed, 'session:a|sign-in-2')).rejects.toThrow()
    const altered = { iv: sealed.iv, data: sealed.data.slice() }
    altered.data[0] = altered.data[0]! ^ 1
    await expect(sealer.open(altered, 'session:a|sign-in-1')).rejects.toThrow()
    const otherKey = new Sealer(createMemoryStorage(), testSessionId, subtle)
    await otherKey.key(true)
    await expect(otherKey.open(sealed, 'session:a|sign-in-1')).rejects.toThrow()
    const noKey = new Sealer(createMemoryStorage(), testSessionId, subtle)
    await expect(noKey.open(sealed, 'session:a|sign-in-1')).rejects.toThrow('no sealing key')
  })

  it('a sealer holding a key that was deleted with the database opens what a new key sealed since', async () => {
    const records = new Map<string, unknown>()
    const old = new Sealer(createMemoryStorage(records), testSessionId, subtle)
    await old.key(true)
    records.clear()
    const fresh = new Sealer(createMemoryStorage(records), testSessionId, subtle)
    const { sealed } = await fresh.seal('after', 'aad')
    await expect(old.open(sealed, 'aad')).resolves.toBe('after')
  })

  it('a writer that asks for the key while a reader is looking for one (none stored yet) gets a new key', async () => {
    const sealer = new Sealer(createMemoryStorage(), testSessionId, subtle)
    const reading = sealer.key(false)
    const writing = sealer.key(true)
    await expect(reading).resolves.toBeUndefined()
    await expect(writing).resolves.toMatchObject({ kind: 'tokenwarden/sealing-key' })
  })
})
