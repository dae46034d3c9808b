import { TokenwardenError } from './errors.js'
import { readSessionRecord, recordKeys, type SessionRecord } from './records.js'
import { commit, type KeyValueStorage, type StorageChanges } from './storage.js'

export type SessionRead =
  | { status: 'present'; record: SessionRecord }
  | { status: 'absent' }
  | { status: 'invalid'; error: TokenwardenError }

/** What a session transaction decides. `session`: a new record, `null` to delete, absent to keep. */
export interface SessionDecision<T> {
  session?: SessionRecord | null
  /** Other changes in the same transaction (outbox entries, say). */
  changes?: StorageChanges
  result: T
}

const invalidRecord = () =>
  new TokenwardenError('storage-invalid', 'The stored session record was corrupt or foreign and was discarded.')

/** The session record of one session id in a {@link KeyValueStorage}: read it, or check and write it atomically. */
export class SessionStore {
  readonly storage: KeyValueStorage
  readonly #key: string
  readonly #sessionId: string

  constructor(storage: KeyValueStorage, sessionId: string) {
    this.storage = storage
    this.#key = recordKeys.session(sessionId)
    this.#sessionId = sessionId
  }

  /** Reads the session record; a corrupt or foreign one is deleted and reported. */
  async read(): Promise<SessionRead> {
    const value = await this.#wrap('read', () => this.storage.get(this.#key))
    if (value === undefined) return { status: 'absent' }
    const record = readSessionRecord(value)
    if (record) return { status: 'present', record }
    await this.#wrap('delete', () => commit(this.storage, { delete: [this.#key] }))
    return { status: 'invalid', error: invalidRecord() }
  }

  /**
   * Reads the session record and applies `decide`'s changes in one transaction. A corrupt
   * record is seen as absent and deleted.
   */
  transact<T>(decide: (current: SessionRecord | undefined) => SessionDecision<T>): Promise<T> {
    return this.#wrap('update', () =>
      this.storage.transact([this.#key], (values) => {
        const value = values.get(this.#key)
        const current = readSessionRecord(value)
        const decision = decide(current)
        const set = [...(decision.changes?.set ?? [])]
        const remove = [...(decision.changes?.delete ?? [])]
        if (decision.session) set.push([this.#key, decision.session])
        else if (decision.session === null || (value !== undefined && !current)) remove.push(this.#key)
        // The DPoP key lives exactly as long as its session: whatever ends or replaces the
        // session (logout, another sign-in, a refused refresh) deletes it in the same step.
        const key = current?.tokens.dpopKey
        const next = decision.session === undefined ? current : decision.session
        if (key && next?.tokens.dpopKey !== key) remove.push(recordKeys.dpopKey(this.#sessionId, key))
        return { changes: { set, delete: remove }, result: decision.result }
      }),
    )
  }

  async #wrap<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (cause) {
      throw new TokenwardenError('storage-failed', `Could not ${action} the session record.`, { cause })
    }
  }
}
