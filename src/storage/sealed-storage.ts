import { TokenwardenError } from '../errors.js'
import { isSealedRecord, isSealingKeyRecord, sealedAdditionalData, toSeal, unsealed, type SealingKeyRecord } from './records.js'
import { Sealer, type SealingCrypto } from './sealing.js'
import type { KeyValueStorage, StorageChanges } from './key-value.js'
import { isRecordOf } from './keys.js'

/** How tokens are kept at rest: `encrypted`, or why not (`off`: the option; `unavailable`: no WebCrypto). */
export type AtRest = 'encrypted' | 'off' | 'unavailable'

/** Conflicting writers retry this often before a transaction gives up. */
const maxAttempts = 8

/**
 * Encryption at rest as a storage: the workflows keep reading and writing plaintext records,
 * and this wrapper seals token-bearing ones (records.ts, `toSeal`) on the way in and opens
 * them on the way out. A record that cannot be opened (its key is gone, it was altered) is
 * handed on as it is stored; no reader accepts that form, so it is discarded as
 * `storage-invalid`. Plaintext records written before encryption are rewritten sealed when
 * they are read. Only this session's records (`owns`) are opened or rewritten: another
 * client's, listed alongside (the outbox's housekeeping), are handed on as they are stored,
 * since under this session's key their owner could no longer open them.
 *
 * WebCrypto is asynchronous and an IndexedDB transaction cannot wait for it, so `transact`
 * is optimistic: it reads and opens the keys, lets `decide` choose (synchronously, on
 * plaintext), seals what is to be written, and writes in one transaction only if the keys
 * still hold what was read (each sealed write has a fresh IV, so "unchanged" is exact);
 * otherwise it starts again. `decide` may thus run more than once: it must only compute.
 */
export function createSealedStorage(inner: KeyValueStorage, sealer: Sealer, owns: (key: string) => boolean): KeyValueStorage {
  const open = async (key: string, value: unknown): Promise<unknown> => {
    if (!isSealedRecord(value) || !owns(key)) return value
    try {
      return unsealed(value, await sealer.open(value.sealed, sealedAdditionalData(key, value)))
    } catch {
      return value
    }
  }

  const seal = async (key: string, value: unknown): Promise<{ value: unknown; key?: SealingKeyRecord }> => {
    const plan = toSeal(value)
    if (!plan) return { value }
    const { sealed, key: used } = await sealer.seal(plan.secret, sealedAdditionalData(key, plan.clear))
    return { value: { ...plan.clear, sealed }, key: used }
  }

  /**
   * What this tab last saw under each key it read or wrote: the stored value's fingerprint and
   * its plaintext. A transaction first assumes the keys still hold that, and skips reading and
   * opening them; the write checks the assumption, and a wrong guess reads for real. The
   * plaintext is what this tab holds in memory anyway (its session, the entries it queued).
   */
  const known = new Map<string, { print: string; plain: unknown }>()
  const remember = (key: string, stored: unknown, plain: unknown) => {
    const entry = { print: fingerprint(stored), plain }
    known.set(key, entry)
    return entry
  }

  const transact: KeyValueStorage['transact'] = async (keys, decide, onIssued) => {
    for (let attempt = 1; ; attempt++) {
      let seen: Map<string, { print: string; plain: unknown }>
      if (attempt === 1 && keys.every((key) => known.has(key))) {
        seen = new Map(keys.map((key) => [key, known.get(key)!]))
      } else {
        const read = keys.length ? await inner.transact(keys, (current) => ({ result: new Map(current) })) : new Map<string, unknown>()
        seen = new Map(
          await Promise.all(keys.map(async (key) => [key, remember(key, read.get(key), await open(key, read.get(key)))] as const)),
        )
      }
      const outcome = decide(new Map([...seen].map(([key, { plain }]) => [key, plain])))
      const plainSet = outcome.changes?.set ?? []
      const sealed = await Promise.all(plainSet.map(async ([key, value]) => [key, await seal(key, value)] as const))
      const used = sealed.flatMap(([, { key }]) => (key ? [key] : []))
      const usedKey = used[0]
      // Issued when the inner storage issues the sealed writes, and only then: a conflict
      // writes nothing, and `decide` runs again, perhaps to another result.
      const issued = onIssued && ((verdict: unknown) => verdict === undefined && onIssued(outcome.result))
      // The key record is read only when something was sealed: a write that seals nothing
      // (deletions, an end marker) needs no key, and with no keys to check either it is
      // issued at once, without a read first (logout's outbox clean-up).
      const conflict = await inner.transact(
        usedKey ? [...keys, sealer.recordKey] : keys,
        (current) => {
          if (keys.some((key) => fingerprint(current.get(key)) !== seen.get(key)!.print)) return { result: 'changed' as const }
          const stored = current.get(sealer.recordKey)
          // Everything must be sealed under the one key storage holds, or no other tab could open it.
          if (usedKey && (used.some(({ id }) => id !== usedKey.id) || (isSealingKeyRecord(stored) && stored.id !== usedKey.id))) {
            return { result: 'key' as const }
          }
          const changes: StorageChanges = {
            set: [
              ...sealed.map(([key, { value }]) => [key, value] as const),
              // The key was deleted with the database under this tab: store it again with what it sealed.
              ...(usedKey && stored === undefined ? [[sealer.recordKey, usedKey satisfies SealingKeyRecord] as const] : []),
            ],
            ...(outcome.changes?.delete ? { delete: outcome.changes.delete } : {}),
          }
          return { changes, result: undefined }
        },
        issued,
      )
      if (conflict === undefined) {
        for (const key of outcome.changes?.delete ?? []) remember(key, undefined, undefined)
        for (const [index, [key, { value }]] of sealed.entries()) remember(key, value, plainSet[index]![1])
        return outcome.result
      }
      for (const key of keys) known.delete(key)
      if (conflict === 'key') sealer.forget()
      if (attempt >= maxAttempts) {
        throw new TokenwardenError('storage-failed', 'Stored records kept changing during a transaction; it was given up.')
      }
    }
  }

  // A plaintext token-bearing record from before encryption: written again, sealed, unless it changed meanwhile.
  const upgrade = async (key: string, value: unknown): Promise<void> => {
    if (!toSeal(value) || !owns(key)) return
    await transact([key], (current) =>
      fingerprint(current.get(key)) === fingerprint(value)
        ? { changes: { set: [[key, current.get(key)]] }, result: undefined }
        : { result: undefined },
    )
  }

  // One operation at a time, finished in the order they were asked for. Opening and sealing
  // take real time (WebCrypto runs off the main thread), so without this a read begun before a
  // write could finish after it and hand back the older record: a tab would adopt a session
  // that has already been replaced.
  let queue: Promise<unknown> = Promise.resolve()
  const inOrder = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run)
    queue = next.catch(() => undefined)
    return next
  }

  return {
    kind: inner.kind,
    ...(inner.onClosed ? { onClosed: inner.onClosed.bind(inner) } : {}),
    ...(inner.close ? { close: inner.close.bind(inner) } : {}),
    transact: (keys, decide, onIssued) => inOrder(() => transact(keys, decide, onIssued)),
    get: (key) =>
      inOrder(async () => {
        // The key is read beside the record, not after it: one IndexedDB round trip less on start.
        const [value] = await Promise.all([inner.get(key), sealer.key(false).catch(() => undefined)])
        await upgrade(key, value)
        const plain = await open(key, value)
        if (!toSeal(value)) remember(key, value, plain)
        return plain
      }),
    entries: (prefix) =>
      inOrder(async () => {
        const found = await inner.entries(prefix)
        await Promise.all(found.map(([key, value]) => upgrade(key, value)))
        return Promise.all(found.map(async ([key, value]) => [key, await open(key, value)] as [string, unknown]))
      }),
  }
}

/**
 * What is compared to see that a key still holds what was read: the IV of a sealed record
 * (fresh at every write), else the value's JSON (records are small).
 */
function fingerprint(value: unknown): string {
  if (value === undefined) return ''
  if (isSealedRecord(value)) return `sealed:${Array.from(value.sealed.iv).join(',')}`
  try {
    return JSON.stringify(value)
  } catch {
    return '?'
  }
}

/**
 * The storage the session uses: sealed when `encrypt` is on and WebCrypto is there (secure
 * contexts only: `crypto.subtle` is missing on plain http), else `storage` as it is.
 */
export function protectAtRest(
  storage: KeyValueStorage,
  sessionId: string,
  encrypt: boolean,
  subtle: SealingCrypto | undefined,
): { storage: KeyValueStorage; atRest: AtRest } {
  if (!encrypt) return { storage, atRest: 'off' }
  if (!subtle) return { storage, atRest: 'unavailable' }
  const sealer = new Sealer(storage, sessionId, subtle)
  return {
    storage: createSealedStorage(storage, sealer, (key) => isRecordOf(sessionId, key)),
    atRest: 'encrypted',
  }
}
