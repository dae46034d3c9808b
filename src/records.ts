/**
 * The storage format: what tokenwarden keeps in its IndexedDB database, under which keys, and
 * the guards that check a value read back (it may be corrupt, old, or written by someone
 * else). Tests build records through this file, never with hand-written keys.
 *
 * Keys, for a session id `authority|clientId`:
 * - `session:<id>`: the {@link SessionRecord} of the signed-in session;
 * - `outbox:<id>:<uuid>`: an {@link OutboxEntry}, a revocation not yet confirmed;
 * - `oidc-state:<id>:<name>`: oidc-client-ts's sign-in state (PKCE verifier, nonce);
 * - `dpop:<id>:<keyId>`: a {@link DPoPKeyRecord}, the DPoP key pair of one sign-in (RFC 9449).
 */
import type { Profile, TokenSet } from './protocol.js'
import type { TokenTypeHint } from './revocation.js'

/** The id of a session: one authority and client. Tabs with the same id share the session. */
export const sessionIdOf = (authority: string, clientId: string): string => `${authority}|${clientId}`

export const recordKeys = {
  session: (sessionId: string) => `session:${sessionId}`,
  outboxPrefix: (sessionId: string) => `outbox:${sessionId}:`,
  outboxEntry: (sessionId: string) => `outbox:${sessionId}:${crypto.randomUUID()}`,
  statePrefix: (sessionId: string) => `oidc-state:${sessionId}:`,
  dpopKey: (sessionId: string, keyId: string) => `dpop:${sessionId}:${keyId}`,
  dpopPrefix: (sessionId: string) => `dpop:${sessionId}:`,
}

/**
 * The DPoP key pair of one sign-in. The private key is a non-extractable `CryptoKey`: IndexedDB
 * keeps it by structured clone, and no script can read its bytes, only ask WebCrypto to sign.
 */
export interface DPoPKeyRecord {
  v: 1
  kind: 'tokenwarden/dpop-key'
  keys: CryptoKeyPair
  /** When it was made (ms since the epoch): a key whose sign-in never completed is swept later. */
  createdAt: number
}

export function dpopKeyRecord(keys: CryptoKeyPair, createdAt: number): DPoPKeyRecord {
  return { v: 1, kind: 'tokenwarden/dpop-key', keys, createdAt }
}

const isKey = (value: unknown, type: KeyType) =>
  typeof value === 'object' && value !== null && (value as CryptoKey).type === type && (value as CryptoKey).algorithm?.name === 'ECDSA'

export function isDPoPKeyRecord(value: unknown): value is DPoPKeyRecord {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Partial<DPoPKeyRecord>
  return (
    record.v === 1 &&
    record.kind === 'tokenwarden/dpop-key' &&
    Number.isFinite(record.createdAt) &&
    isKey(record.keys?.privateKey, 'private') &&
    // A private key that can be exported is not one we made: refuse it rather than use it.
    record.keys?.privateKey.extractable === false &&
    isKey(record.keys?.publicKey, 'public')
  )
}

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
  if (typeof value !== 'object' || value === null) return false
  const tokens = value as Partial<TokenSet>
  return (
    typeof tokens.accessToken === 'string' &&
    tokens.accessToken !== '' &&
    typeof tokens.tokenType === 'string' &&
    optionalString(tokens.refreshToken) &&
    optionalString(tokens.idToken) &&
    optionalString(tokens.scope) &&
    optionalString(tokens.dpopKey) &&
    (tokens.expiresAt === undefined || Number.isFinite(tokens.expiresAt))
  )
}

/**
 * The session record in `value`, or undefined when it is not one. Version 1 (before 0.2) named
 * the sign-in id `epoch`; such a record is read as version 2 and written as one next time.
 */
export function readSessionRecord(value: unknown): SessionRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const signInId = record.v === 2 ? record.signInId : record.v === 1 ? record.epoch : undefined
  if (
    record.kind !== 'tokenwarden/session' ||
    typeof signInId !== 'string' ||
    typeof record.updatedAt !== 'number' ||
    !Number.isFinite(record.updatedAt) ||
    typeof record.profile !== 'object' ||
    record.profile === null ||
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
  if (typeof value !== 'object' || value === null) return false
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
