// What tokenwarden's stored records say about tokens, read through the storage format itself
// (src/storage/): which records hold one, sealed or not. The unit tests and the profile suite
// both ask it of a memory storage's records after a logout.
import { isOutboxEntry, isSealedRecord, readSessionRecord } from '../src/storage/index.js'

/** Whether a stored value holds a token: a session record or outbox entry, sealed or not. */
export const holdsToken = (value: unknown) => readSessionRecord(value) !== undefined || isOutboxEntry(value) || isSealedRecord(value)

/** The keys of every record that holds a token, of any session. */
export const tokenRecordKeys = (records: Map<string, unknown>) => [...records].filter(([, value]) => holdsToken(value)).map(([key]) => key)
