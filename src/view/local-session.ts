import { Listeners } from '../util/index.js'
import { TokenwardenError } from '../errors.js'
import type { SignedOutReason, SnapshotStore, StorageInfo } from './snapshot.js'
import type { SessionRecord, SessionRead } from '../storage/index.js'

/** The reasons an end marker may carry (it is read back from storage: anything else is ignored). */
const endReason = (value: string | undefined): SignedOutReason | undefined =>
  value === 'login-required' || value === 'idle' ? value : undefined

export const signedOutError = (): TokenwardenError => new TokenwardenError('signed-out', 'The session was signed out.')

/**
 * This tab's view of the session: the record it holds in memory and the snapshot derived
 * from it. Storage and the other tabs are the truth; the workflows tell this object what
 * they learned, and it publishes the snapshot.
 */
export class LocalSession {
  readonly #snapshot: SnapshotStore
  #storage: StorageInfo
  readonly #warn: (message: string) => void
  readonly #tokenListeners = new Listeners<[SessionRecord | undefined]>()
  readonly #loggingOut: () => boolean
  /**
   * Sign-ins this tab saw end (logged out here; signed out by another tab, the server, expiry
   * or storage): never adopted again. No ended sign-in comes back to storage, but a storage
   * read takes time (IndexedDB, decryption) and one begun before the end may finish after it
   * with the old record; a late refresh or message may too.
   */
  readonly #ended = new Set<string>()
  #current: SessionRecord | undefined

  constructor(port: {
    snapshot: SnapshotStore
    storage: StorageInfo
    warn: (message: string) => void
    /** True from the moment `logout()` is called until it settles. */
    loggingOut: () => boolean
  }) {
    this.#loggingOut = port.loggingOut
    this.#snapshot = port.snapshot
    this.#storage = port.storage
    this.#warn = port.warn
  }

  /** Calls `listener` when the access token held in memory changes (a new one, or none). */
  onTokens(listener: (current: SessionRecord | undefined) => void): () => void {
    return this.#tokenListeners.subscribe(listener)
  }

  /** The record this tab holds, unless it is signed out. */
  get current(): SessionRecord | undefined {
    return this.#current
  }

  /** A logout is under way: no token is handed out meanwhile. */
  get loggingOut(): boolean {
    return this.#loggingOut()
  }

  /** The record to use a token of, or the error that says why there is none. */
  usable(): SessionRecord {
    if (this.loggingOut) throw signedOutError()
    if (!this.#current) throw new TokenwardenError('not-signed-in', 'There is no session: sign in first.')
    return this.#current
  }

  adopt(record: SessionRecord): void {
    if (this.#ended.has(record.signInId)) return
    const changed = this.#current?.tokens.accessToken !== record.tokens.accessToken
    this.#current = record
    if (changed) this.#tokenListeners.notify(record)
    this.#snapshot.publish({
      status: 'signed-in',
      profile: Object.freeze({ ...record.profile }),
      expiresAt: record.tokens.expiresAt,
      ...(record.tokens.refreshExpiresAt === undefined ? {} : { sessionEndsAt: record.tokens.refreshExpiresAt }),
      scope: record.tokens.scope,
      ...this.#storage,
    })
  }

  /**
   * Logout: the sign-in `signInId` (by default the one held now) is over in this tab from
   * this moment. The snapshot turns `signed-out` (reason `logout`) before any request leaves.
   */
  end(signInId = this.#current?.signInId, reason: SignedOutReason = 'logout'): void {
    if (signInId !== undefined) this.#ended.add(signInId)
    if (!this.#current || this.#current.signInId === signInId) this.signOut(reason)
  }

  /** Another tab ended the sign-in `signInId` (its record is gone): it is never adopted here. */
  ended(signInId: string): void {
    this.#ended.add(signInId)
  }

  signOut(reason: SignedOutReason, error?: TokenwardenError): void {
    if (this.#current) this.#ended.add(this.#current.signInId)
    const had = this.#current !== undefined
    this.#current = undefined
    if (had) this.#tokenListeners.notify(undefined)
    this.#snapshot.publish({ status: 'signed-out', reason, ...(error ? { error } : {}), ...this.#storage })
  }

  /** Records the browser's answer about persistent storage, and shows it in the snapshot. */
  setPersisted(persisted: boolean | undefined): void {
    const { persisted: _, ...rest } = this.#storage
    this.#storage = { ...rest, ...(persisted === undefined ? {} : { persisted }) }
    const current = this.#snapshot.get()
    if (current.status !== 'loading') {
      const { persisted: __, ...snapshot } = current
      this.#snapshot.publish({ ...snapshot, ...this.#storage })
    }
  }

  /** Derives the state from what storage holds; `reasonIfGone` says why a vanished session went. */
  apply(read: SessionRead, reasonIfGone: SignedOutReason): void {
    if (read.status === 'present') {
      this.adopt(read.record)
    } else if (read.status === 'invalid') {
      this.#warn(`tokenwarden: ${read.error.message}`)
      this.signOut('storage-invalid', read.error)
    } else if (this.#current || this.#snapshot.get().status === 'loading') {
      // Gone without an end marker: no tab of ours ended it, the browser dropped the database.
      const reason =
        this.#snapshot.get().status === 'loading' ? 'initial' : read.ended ? (endReason(read.reason) ?? reasonIfGone) : 'storage-lost'
      this.signOut(reason)
    }
  }
}
