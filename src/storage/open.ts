import type { TokenwardenError } from '../errors.js'
import { type Logger, warnOnce } from '../util/index.js'
import { openDefaultStorage } from './indexeddb.js'
import { sessionIdOf } from './keys.js'
import type { KeyValueStorage, StorageKind } from './key-value.js'
import { type AtRest, protectAtRest } from './sealed-storage.js'
import type { SealingCrypto } from './sealing.js'
import { createSessionStorageStateStore, createStateStore, type StateStore } from './sign-in-state.js'

/** The session's options storage reads, under their own names, validated once by `createSession`. */
export interface StorageSettings {
  readonly authority: string
  readonly clientId: string
  readonly databaseName: string
  readonly encryptAtRest: boolean
  readonly storage: KeyValueStorage | undefined
  readonly subtle: SealingCrypto | undefined
  readonly logger: Logger
}

/** A session's storage, open. */
export interface OpenedStorage {
  /** Where the session's records go: sealed on the way in, opened on the way out, when `atRest` is `encrypted`. */
  readonly records: KeyValueStorage
  readonly kind: StorageKind
  readonly atRest: AtRest
  /** Where the sign-in state is kept over the redirect to the server and back. */
  readonly stateStore: StateStore
  /** False when neither IndexedDB nor sessionStorage can keep it there: sign-in cannot complete. */
  readonly stateSurvivesRedirect: boolean
  /** Why IndexedDB could not be used, when the records are in memory instead. */
  readonly fallback?: TokenwardenError
  /** Closes what this opened, so a deletion or upgrade of the database is never blocked by a disposed session. */
  close(): void
}

/**
 * Opens a session's storage: the `storage` seam, or IndexedDB falling back to memory (some
 * private modes). The sign-in state goes to IndexedDB, or to sessionStorage when IndexedDB fell
 * back to memory (memory would not survive the redirect). Tokens are sealed at rest unless
 * `encryptAtRest: false`, or WebCrypto is missing (not a secure context), which the logger is
 * told once.
 */
export async function openStorage(settings: StorageSettings): Promise<OpenedStorage> {
  const sessionId = sessionIdOf(settings.authority, settings.clientId)
  let storage = settings.storage
  let stateStore: StateStore | undefined
  let fallback: TokenwardenError | undefined
  let close = () => {}
  if (storage) {
    stateStore = createStateStore(storage, sessionId)
  } else {
    const opened = await openDefaultStorage(settings.databaseName)
    storage = opened.storage
    close = () => opened.storage.close?.()
    fallback = opened.fallbackReason
    if (fallback) settings.logger.warn(`tokenwarden: ${fallback.message}`)
    stateStore = fallback ? createSessionStorageStateStore(sessionId) : createStateStore(storage, sessionId)
  }
  const subtle = settings.subtle ?? globalThis.crypto?.subtle
  const { storage: records, atRest } = protectAtRest(storage, sessionId, settings.encryptAtRest, subtle)
  if (atRest === 'unavailable') {
    warnOnce(settings.logger, 'tokenwarden: WebCrypto is not available (not a secure context?): tokens are stored unencrypted.')
  }
  return {
    records,
    kind: storage.kind,
    atRest,
    stateStore: stateStore ?? createStateStore(storage, sessionId),
    stateSurvivesRedirect: stateStore !== undefined,
    ...(fallback ? { fallback } : {}),
    close,
  }
}
