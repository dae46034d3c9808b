import { TokenwardenError } from '../errors.js'
import type { IssuedTokens } from '../tokens.js'
import { isSealedRecord, isSessionEnded, readSessionRecord, sessionEnded, sessionRecord, type SessionRecord } from './records.js'
import type { KeyValueStorage, StorageChanges } from './key-value.js'
import { recordKeys } from './keys.js'

export type SessionRead =
  | { status: 'present'; record: SessionRecord }
  /**
   * `ended`: the session ended through tokenwarden (a logout, say) and left its marker;
   * false when the record is simply gone (never signed in, or the database was evicted).
   */
  | { status: 'absent'; ended: boolean; reason?: string }
  | { status: 'invalid'; error: TokenwardenError }

/** What a session transaction decides. `session`: a new record, `null` to delete, absent to keep. */
export interface SessionDecision<T> {
  session?: SessionRecord | null
  /** Other changes in the same transaction (outbox entries, say). */
  changes?: StorageChanges
  /** With `session: null`: why it ended, kept in the end marker for the tabs that read it later. */
  reason?: string | undefined
  result: T
}

const invalidRecord = (value: unknown) =>
  new TokenwardenError(
    'storage-invalid',
    isSealedRecord(value)
      ? 'The stored session record could not be decrypted (its key is gone, or it was altered) and was discarded.'
      : 'The stored session record was corrupt or foreign and was discarded.',
  )

/** What a stored value says of the session. */
function readValue(value: unknown): SessionRead {
  if (value === undefined) return { status: 'absent', ended: false }
  if (isSessionEnded(value)) return { status: 'absent', ended: true, ...(typeof value.reason === 'string' ? { reason: value.reason } : {}) }
  const record = readSessionRecord(value)
  return record ? { status: 'present', record } : { status: 'invalid', error: invalidRecord(value) }
}

/** What ending a sign-in queues of what it held: the changes (the outbox's), and what to return. */
type EndQueue<T> = (held: SessionRecord | undefined) => { changes?: StorageChanges | undefined; result: T }

/** The session record of one session id in a {@link KeyValueStorage}: read it, or check and write it atomically. */
export class SessionStore {
  readonly storage: KeyValueStorage
  readonly #key: string
  readonly #sessionId: string
  readonly #now: () => number

  constructor(storage: KeyValueStorage, sessionId: string, now: () => number = Date.now) {
    this.storage = storage
    this.#key = recordKeys.session(sessionId)
    this.#sessionId = sessionId
    this.#now = now
  }

  /** The record of a new sign-in that brought `issued`, stamped now (written by {@link transact}). */
  newSignIn(issued: IssuedTokens): SessionRecord {
    return sessionRecord({ tokens: issued.tokens, profile: issued.profile, updatedAt: this.#now() })
  }

  /** Reads the session record; a corrupt, foreign or undecryptable one is replaced by an end marker and reported. */
  async read(): Promise<SessionRead> {
    const value = await this.#wrap('read', () => this.storage.get(this.#key))
    const read = readValue(value)
    if (read.status !== 'invalid') return read
    // Replaced only if it is still the record read: another tab may have signed in or
    // refreshed since, and its session (tokens nobody else holds) must not be overwritten.
    return this.#wrap('delete', () =>
      this.storage.transact<SessionRead>([this.#key], (values) => {
        const current = readValue(values.get(this.#key))
        if (current.status !== 'invalid') return { result: current }
        return { changes: { set: [[this.#key, sessionEnded(null, this.#now())]] }, result: current }
      }),
    )
  }

  /**
   * Reads the session record and applies `decide`'s changes in one transaction. A corrupt
   * record is seen as absent and replaced. A session that is ended (`session: null`) leaves
   * an end marker, so other tabs can tell a logout from an eviction. `onIssued`: see
   * {@link KeyValueStorage.transact}.
   */
  transact<T>(decide: (current: SessionRecord | undefined) => SessionDecision<T>, onIssued?: (result: T) => void): Promise<T> {
    return this.#wrap('update', () =>
      this.storage.transact(
        [this.#key],
        (values) => {
          const value = values.get(this.#key)
          const current = readSessionRecord(value)
          const decision = decide(current)
          const set = [...(decision.changes?.set ?? [])]
          const remove = [...(decision.changes?.delete ?? [])]
          if (decision.session) set.push([this.#key, decision.session])
          else if (decision.session === null || (value !== undefined && !current && !isSessionEnded(value))) {
            set.push([this.#key, sessionEnded(current?.signInId ?? null, this.#now(), decision.reason)])
          }
          // The DPoP key lives exactly as long as its session: whatever ends or replaces the
          // session (logout, another sign-in, a refused refresh) deletes it in the same step.
          const key = current?.tokens.dpopKey
          const next = decision.session === undefined ? current : decision.session
          if (key && next?.tokens.dpopKey !== key) remove.push(recordKeys.dpopKey(this.#sessionId, key))
          return { changes: { set, delete: remove }, result: decision.result }
        },
        onIssued,
      ),
    )
  }

  /**
   * Ends a sign-in and, in the same transaction, queues what it held (`queue` gives the changes,
   * the outbox's): at no moment is a token in neither place. With a `signInId`, only that
   * sign-in ends (a tab that missed messages must not end a newer one) and the result is
   * undefined when it is not the one stored; without, whatever is stored ends. Every way a
   * session ends goes through here, and leaves the end marker.
   */
  end<T>(signInId: undefined, queue: EndQueue<T>, onIssued?: (result: T) => void, reason?: string): Promise<T>
  end<T>(signInId: string, queue: EndQueue<T>, reason?: string): Promise<T | undefined>
  end<T>(
    signInId: string | undefined,
    queue: EndQueue<T>,
    onIssuedOrReason?: ((result: T) => void) | string,
    reason?: string,
  ): Promise<T | undefined> {
    const onIssued = typeof onIssuedOrReason === 'function' ? onIssuedOrReason : undefined
    const why = typeof onIssuedOrReason === 'string' ? onIssuedOrReason : reason
    return this.transact<T | undefined>(
      (current) => {
        if (signInId !== undefined && current?.signInId !== signInId) return { result: undefined }
        const { changes, result } = queue(current)
        return { session: null, ...(changes ? { changes } : {}), reason: why, result }
      },
      onIssued && ((result) => onIssued(result as T)),
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
