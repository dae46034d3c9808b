import type { KeyValueStorage } from './key-value.js'
import { isRecordOf, recordKeys } from './keys.js'

/** The same record's key under another session id: `<kind>:<id><rest>`. */
const rekey = (key: string, from: string, to: string) => {
  const kind = key.indexOf(':') + 1
  return key.slice(0, kind) + to + key.slice(kind + from.length)
}

/**
 * Moves the records a session wrote under its id from before segments were escaped (keys.ts)
 * to its keys now, once: only ids with a character that is escaped now (a `:` in the client
 * id, say) changed. Entries are claimed by exact key (keys.ts, `isEntryOf`), so another
 * client's records whose keys start like this session's stay where they are. The sealing key
 * moves first and as it is; then each record through `records` (the sealed storage when
 * encryption is on): it opens a sealed record under its old key and seals it under the new
 * one (the key is part of what a record is bound to). A record already at its new key wins.
 */
export async function moveLegacyRecords(raw: KeyValueStorage, records: KeyValueStorage, from: string, to: string): Promise<void> {
  if (from === to) return
  const found = (await raw.entries('')).map(([key]) => key).filter((key) => isRecordOf(from, key))
  if (found.length === 0) return
  const move = (storage: KeyValueStorage, key: string) => {
    const target = rekey(key, from, to)
    return storage.transact([key, target], (current) => {
      const value = current.get(key)
      if (value === undefined) return { result: undefined }
      return {
        changes: { delete: [key], ...(current.get(target) === undefined ? { set: [[target, value] as const] } : {}) },
        result: undefined,
      }
    })
  }
  const sealingKey = recordKeys.sealingKey(from)
  if (found.includes(sealingKey)) await move(raw, sealingKey)
  await Promise.all(found.filter((key) => key !== sealingKey).map((key) => move(records, key)))
}
