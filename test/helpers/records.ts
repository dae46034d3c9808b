import { createMemoryStorage, createSession, type KeyValueStorage, type SessionOptions } from '../../src/index.js'
import { isSessionEnded } from '../../src/storage/records.js'
import { createFakeProtocol, issueGrant, issuer } from './protocol.js'
import { createChannelHub } from './tabs.js'
import { isSealedRecord, readSessionRecord, recordKeys, sessionIdOf, sessionRecord, type SessionRecord } from '../../src/storage/index.js'

/** The session id of the sessions the unit tests create (issuer + client `spa`). */
export const testSessionId = sessionIdOf(issuer, 'spa')
/** The key of that session's record, from the storage format itself. */
export const testSessionKey = recordKeys.session(testSessionId)

/** A session record of freshly issued tokens, built through the storage format. */
export function testRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const issued = issueGrant()
  return { ...sessionRecord({ tokens: issued.tokens, profile: issued.profile, updatedAt: 1, signInId: 'sign-in-1' }), ...overrides }
}

/** A session on the IndexedDB database `databaseName` (fake-indexeddb in unit tests). */
export function sessionOn(databaseName: string, warnings: string[] = [], overrides: Partial<SessionOptions> = {}) {
  return createSession({
    authority: issuer,
    clientId: 'spa',
    redirectUri: 'https://app.example.test/callback',
    databaseName,
    protocol: createFakeProtocol().factory,
    channel: createChannelHub().factory,
    logger: { warn: (message) => warnings.push(message) },
    ...overrides,
  })
}

let databaseCounter = 0
/** A database name no other test uses. */
export const freshDatabase = () => `tokenwarden-test-${++databaseCounter}-${Math.random().toString(36).slice(2)}`

/** The keys of the test session's outbox entries in a shared records map. */
export const outboxKeys = (records: Map<string, unknown>) =>
  [...records.keys()].filter((key) => key.startsWith(recordKeys.outboxPrefix(testSessionId)))

/** Whether the records map holds the test session's record (an end marker is no record). */
export const hasSessionRecord = (records: Map<string, unknown>) =>
  records.has(testSessionKey) && !isSessionEnded(records.get(testSessionKey))

// Which records hold a token is shared with the profile suite: dev/records.ts.
export { holdsToken, tokenRecordKeys } from '../../dev/records.js'

/** The sign-in a stored session record (sealed or not) or end marker is about. */
export const storedSignInId = (value: unknown): string | undefined => {
  if (isSessionEnded(value)) return value.signInId ?? undefined
  if (isSealedRecord(value) && value.kind === 'tokenwarden/session') return value.signInId
  return readSessionRecord(value)?.signInId
}

/**
 * Everything stored, as one text to search for token strings: every key and string, and every
 * byte array decoded both as UTF-8 and byte by byte, so a token stored as bytes is found too.
 */
export function storedText(records: Iterable<[string, unknown]>): string {
  const parts: string[] = []
  const visit = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value)
    else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      parts.push(new TextDecoder().decode(bytes), String.fromCharCode(...bytes))
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        parts.push(key)
        visit(inner)
      }
    } else parts.push(String(value))
  }
  for (const [key, value] of records) {
    parts.push(key)
    visit(value)
  }
  return parts.join('\n')
}

/** Memory storage on `records` whose writes can be made to fail, as a full or broken disk would. */
export function breakableStorage(records: Map<string, unknown>) {
  const inner = createMemoryStorage(records)
  const control = { failWrites: false }
  const storage: KeyValueStorage = {
    ...inner,
    transact: (keys, decide, onIssued) =>
      control.failWrites
        ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
        : inner.transact(keys, decide, onIssued),
  }
  return { storage, control }
}
