// Storage: the key-value seam and IndexedDB under it, the storage format and its key names, the
// session record's atomic read-decide-write, encryption at rest, persistence, and sign-in state.
export { openDefaultStorage } from './indexeddb.js'
export { commit, createMemoryStorage, transactIssued } from './key-value.js'
export type { IssuedTransaction, KeyValueStorage, StorageChanges, StorageKind, TransactionOutcome } from './key-value.js'
export { defaultPersistence, persistence } from './persistence.js'
export {
  dpopKeyRecord,
  isDPoPKeyRecord,
  isOutboxEntry,
  isSealedRecord,
  outboxEntry,
  readSessionRecord,
  recordKeys,
  sessionIdOf,
  sessionRecord,
} from './records.js'
export type { OutboxEntry, SessionRecord } from './records.js'
export { protectAtRest } from './sealed-storage.js'
export type { AtRest } from './sealed-storage.js'
export type { SealingCrypto } from './sealing.js'
export { SessionStore } from './session-store.js'
export type { SessionRead } from './session-store.js'
export { createSessionStorageStateStore, createStateStore } from './sign-in-state.js'
export type { StateStore } from './sign-in-state.js'
