/**
 * The storage format: what tokenwarden keeps in its IndexedDB database, under which keys, and
 * the guards that check a value read back (it may be corrupt, old, or written by someone
 * else). Tests build records through this file, never with hand-written keys.
 *
 * Each record lives under a key of keys.ts: the {@link SessionRecord} of the signed-in
 * session, {@link OutboxEntry} revocations not yet confirmed, oidc-client-ts's sign-in state,
 * a DPoP key record per sign-in (RFC 9449; dpop-key.ts, with its store), and the {@link SealingKeyRecord} the
 * token-bearing records are encrypted under (a non-extractable `CryptoKey`, never its bytes).
 *
 * With encryption at rest on (the default) the session record and outbox entries are stored
 * sealed ({@link SealedSessionRecord}, {@link SealedOutboxEntry}): their identity and
 * timing fields stay readable, the tokens and profile are ciphertext. A session that ended
 * normally leaves a {@link SessionEnded} marker in place of its record, so a record that is
 * simply gone (the browser evicted the database) can be told apart from a logout.
 *
 * The access tokens of declared resources (RFC 8707) live in the session record's token set,
 * under `resources`, sealed with the rest. The field is optional, so the versions did not
 * change: a record without it is the same as before, and one with it still reads in a tab of an
 * older version (which ignores the field), where a higher version would have been discarded
 * with its refresh token.
 */
import type { Profile, ResourceToken, TokenSet, TokenTypeHint } from '../tokens.js'

/** Every guard starts here: a record read back may be any value at all. */
export const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

/** The stored form of a signed-in session. */
export interface SessionRecord {
  v: 2
  kind: 'tokenwarden/session'
  /** A new random id at every sign-in; refreshes keep it. Tabs compare it to know "same sign-in". */
  signInId: string
  tokens: TokenSet
  profile: Profile
  /** When these tokens were stored (sign-in or refresh), ms since the epoch. */
  updatedAt: number
}

/** A new record for tokens that were just issued. */
export function sessionRecord(fields: Pick<SessionRecord, 'tokens' | 'profile' | 'updatedAt'> & { signInId?: string }): SessionRecord {
  return {
    v: 2,
    kind: 'tokenwarden/session',
    signInId: fields.signInId ?? crypto.randomUUID(),
    tokens: fields.tokens,
    profile: fields.profile,
    updatedAt: fields.updatedAt,
  }
}

const optionalString = (value: unknown) => value === undefined || typeof value === 'string'

function isTokenSet(value: unknown): value is TokenSet {
  if (!isObject(value)) return false
  const tokens = value as Partial<TokenSet>
  return (
    typeof tokens.accessToken === 'string' &&
    tokens.accessToken !== '' &&
    typeof tokens.tokenType === 'string' &&
    optionalString(tokens.refreshToken) &&
    optionalString(tokens.idToken) &&
    optionalString(tokens.scope) &&
    optionalString(tokens.dpopKey) &&
    (tokens.expiresAt === undefined || Number.isFinite(tokens.expiresAt)) &&
    (tokens.resources === undefined || (isObject(tokens.resources) && Object.values(tokens.resources).every(isResourceToken))) &&
    (tokens.refreshExpiresAt === undefined || Number.isFinite(tokens.refreshExpiresAt))
  )
}

const isResourceToken = (value: unknown) =>
  isObject(value) && isTokenSet({ ...value, resources: undefined }) && Number.isFinite((value as ResourceToken).issuedAt)

/** The session record in `value`, or undefined when it is not one. */
export function readSessionRecord(value: unknown): SessionRecord | undefined {
  if (!isObject(value)) return undefined
  const record = value as Record<string, unknown>
  const signInId = record.signInId
  if (
    record.kind !== 'tokenwarden/session' ||
    record.v !== 2 ||
    typeof signInId !== 'string' ||
    typeof record.updatedAt !== 'number' ||
    !Number.isFinite(record.updatedAt) ||
    !isObject(record.profile) ||
    !isTokenSet(record.tokens)
  ) {
    return undefined
  }
  return sessionRecord({ signInId, tokens: record.tokens, profile: record.profile as Profile, updatedAt: record.updatedAt })
}

/**
 * A revocation that has not been confirmed yet. It holds the token itself: that is the
 * trade-off of the outbox (a token that could not be revoked stays on the device until it
 * is revoked or expires), and why an entry is dropped as soon as either happens.
 */
export interface OutboxEntry {
  v: 1
  kind: 'tokenwarden/revocation'
  token: string
  hint: TokenTypeHint
  /** After this (ms since the epoch) the token is dead anyway: the entry is dropped. */
  expiresAt: number
  attempts: number
  /** Not sent before this: a backoff after a failure, or a lease while a tab is sending it. */
  notBefore: number
}

export function outboxEntry(fields: Pick<OutboxEntry, 'token' | 'hint' | 'expiresAt' | 'notBefore'>): OutboxEntry {
  return { v: 1, kind: 'tokenwarden/revocation', attempts: 0, ...fields }
}

export function isOutboxEntry(value: unknown): value is OutboxEntry {
  if (!isObject(value)) return false
  const entry = value as Partial<OutboxEntry>
  return (
    entry.v === 1 &&
    entry.kind === 'tokenwarden/revocation' &&
    typeof entry.token === 'string' &&
    entry.token !== '' &&
    (entry.hint === 'refresh_token' || entry.hint === 'access_token') &&
    Number.isFinite(entry.expiresAt) &&
    Number.isInteger(entry.attempts) &&
    Number.isFinite(entry.notBefore)
  )
}

/**
 * What a session leaves under its key when it ends (logout, refused refresh, expiry, a
 * discarded record). It holds no token. A session record that is gone without one was not
 * ended by tokenwarden: the browser evicted or someone deleted the database.
 */
export interface SessionEnded {
  v: 1
  kind: 'tokenwarden/session-ended'
  /** The sign-in that ended, when it was known. */
  signInId: string | null
  endedAt: number
  /** Why, when every tab should show it (`login-required`, `idle`); read back as untrusted. */
  reason?: string
}

export function sessionEnded(signInId: string | null, endedAt: number, reason?: string): SessionEnded {
  return { v: 1, kind: 'tokenwarden/session-ended', signInId, endedAt, ...(reason ? { reason } : {}) }
}

export function isSessionEnded(value: unknown): value is SessionEnded {
  return isObject(value) && (value as Partial<SessionEnded>).kind === 'tokenwarden/session-ended'
}

/** The key token-bearing records are sealed under. `id` lets a writer see that another tab replaced it. */
export interface SealingKeyRecord {
  v: 1
  kind: 'tokenwarden/sealing-key'
  id: string
  key: CryptoKey
}

export function sealingKeyRecord(key: CryptoKey): SealingKeyRecord {
  return { v: 1, kind: 'tokenwarden/sealing-key', id: crypto.randomUUID(), key }
}

export function isSealingKeyRecord(value: unknown): value is SealingKeyRecord {
  if (!isObject(value)) return false
  const record = value as Partial<SealingKeyRecord>
  return record.v === 1 && record.kind === 'tokenwarden/sealing-key' && typeof record.id === 'string' && typeof record.key === 'object'
}

/** AES-GCM output: a fresh 96-bit IV per write, and the ciphertext with its tag. */
export interface Sealed {
  iv: Uint8Array
  data: Uint8Array
}

/** A session record as stored with encryption at rest: the tokens and profile are sealed. */
export interface SealedSessionRecord {
  v: 3
  kind: 'tokenwarden/session'
  signInId: string
  updatedAt: number
  sealed: Sealed
}

/** An outbox entry as stored with encryption at rest: the token is sealed. */
export interface SealedOutboxEntry extends Omit<OutboxEntry, 'v' | 'token'> {
  v: 2
  sealed: Sealed
}

export type SealedRecord = SealedSessionRecord | SealedOutboxEntry

// The readable fields of each sealed form, in the order they are bound as additional data.
const sessionFields = ['kind', 'v', 'signInId', 'updatedAt'] as const
const outboxFields = ['kind', 'v', 'hint', 'expiresAt', 'attempts', 'notBefore'] as const

const isSealed = (value: unknown): value is Sealed =>
  isObject(value) && ArrayBuffer.isView((value as Sealed).iv) && ArrayBuffer.isView((value as Sealed).data)

/** Whether `value` is a sealed record (its ciphertext is not checked: only opening it does). */
export function isSealedRecord(value: unknown): value is SealedRecord {
  if (!isObject(value)) return false
  const record = value as Partial<SealedRecord>
  return (
    ((record.kind === 'tokenwarden/session' && record.v === 3) || (record.kind === 'tokenwarden/revocation' && record.v === 2)) &&
    isSealed(record.sealed)
  )
}

/**
 * A plaintext token-bearing record (a session record of any version, an outbox entry) split
 * into what stays readable and what is sealed; undefined for every other value.
 */
export function toSeal(value: unknown): { clear: Omit<SealedRecord, 'sealed'>; secret: unknown } | undefined {
  const session = readSessionRecord(value)
  if (session) {
    const { tokens, profile, ...identity } = session
    return { clear: { ...identity, v: 3 }, secret: { tokens, profile } }
  }
  if (isOutboxEntry(value)) {
    const { token, ...rest } = value
    return { clear: { ...rest, v: 2 }, secret: { token } }
  }
  return undefined
}

/**
 * The additional data a sealed record's ciphertext is bound to: its storage key and every
 * readable field. A sealed part moved to another key or record, or a readable field changed
 * on disk, no longer opens.
 */
export function sealedAdditionalData(key: string, record: Omit<SealedRecord, 'sealed'>): string {
  const fields: readonly string[] = record.kind === 'tokenwarden/session' ? sessionFields : outboxFields
  return JSON.stringify([key, ...fields.map((field) => (record as unknown as Record<string, unknown>)[field])])
}

/** The plaintext record again, from a sealed record and its opened secret. Readers check it as usual. */
export function unsealed(record: SealedRecord, secret: unknown): unknown {
  const { sealed: _, ...clear } = record
  return { ...clear, ...(isObject(secret) ? secret : {}), v: record.kind === 'tokenwarden/session' ? 2 : 1 }
}
