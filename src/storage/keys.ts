/**
 * Every name derived from a session id, in one place: the keys of its records in storage, and
 * the names of its channel and locks between tabs. A session id is one authority and client;
 * tabs with the same id share the session.
 *
 * Keys, for a session id `<id>`:
 * - `session:<id>`: the session record;
 * - `outbox:<id>:<uuid>`: a revocation not yet confirmed;
 * - `oidc-state:<id>:<name>`: oidc-client-ts's sign-in state (PKCE verifier, nonce);
 * - `dpop:<id>:<keyId>`: the DPoP key pair of one sign-in;
 * - `sealing-key:<id>`: the key token-bearing records are sealed under.
 *
 * Several clients of one origin share the database, the channels and the locks, and client ids
 * may share a prefix (`spa`, `spa:admin`; URN- and URL-shaped ids). So each segment is escaped
 * so that it cannot contain its terminator: the authority ends at the first `|`, the client id at
 * the first `:`. A session's prefix thus matches no other session's key or name, and an entry's
 * own name (after the prefix) never holds a `:` either, which {@link isEntryOf} checks.
 */

/** `%` and each of `chars` as `%XX`: the segment can then hold none of them, and decodes back. */
const percentEncode = (text: string, chars: string) =>
  text.replace(new RegExp(`[%${chars}]`, 'g'), (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)

/**
 * The id of a session: one authority and client. Unchanged from the unescaped form for the
 * usual ids (an authority without `%` or `|`, a client id without `%`, `|` or `:`).
 */
export const sessionIdOf = (authority: string, clientId: string): string =>
  `${percentEncode(authority, '|')}|${percentEncode(clientId, '|:')}`

export const recordKeys = {
  session: (sessionId: string) => `session:${sessionId}`,
  outboxPrefix: (sessionId: string) => `outbox:${sessionId}:`,
  outboxEntry: (sessionId: string) => `outbox:${sessionId}:${crypto.randomUUID()}`,
  statePrefix: (sessionId: string) => `oidc-state:${sessionId}:`,
  dpopKey: (sessionId: string, keyId: string) => `dpop:${sessionId}:${keyId}`,
  dpopPrefix: (sessionId: string) => `dpop:${sessionId}:`,
  sealingKey: (sessionId: string) => `sealing-key:${sessionId}`,
}

/**
 * Whether `key` is an entry directly under `prefix` (an outbox, DPoP or sign-in state prefix):
 * its own name holds no `:`. Escaped ids never put another session's keys under this prefix;
 * the check keeps a key that is not an entry (a name holding a `:`) from being claimed anyway.
 */
export const isEntryOf = (prefix: string, key: string): boolean => key.startsWith(prefix) && !key.includes(':', prefix.length)

/** Whether `key` is one of this session's records (see {@link recordKeys}). */
export function isRecordOf(sessionId: string, key: string): boolean {
  return (
    key === recordKeys.session(sessionId) ||
    key === recordKeys.sealingKey(sessionId) ||
    [recordKeys.outboxPrefix(sessionId), recordKeys.dpopPrefix(sessionId), recordKeys.statePrefix(sessionId)].some((prefix) =>
      isEntryOf(prefix, key),
    )
  )
}

/** The names a session uses outside its database: its channel, its locks, sessionStorage's sign-in state. */
export const sessionNames = (sessionId: string) => ({
  /** The channel between the tabs (BroadcastChannel's name, or the `storage` event key). */
  channel: `tokenwarden:${sessionId}`,
  /** Taken by refresh and sign-in, in every tab. */
  lock: `tokenwarden:${sessionId}`,
  /** Taken while sending queued revocations, so two tabs do not send the same ones. */
  outboxLock: `tokenwarden:${sessionId}:outbox`,
  /** The sign-in state's prefix in sessionStorage, when IndexedDB could not be used. */
  fallbackStatePrefix: `tokenwarden:${recordKeys.statePrefix(sessionId)}`,
})
