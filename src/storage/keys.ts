/**
 * Every name derived from a session id, in one place: the keys of its records in storage, and
 * the names of its channel and locks between tabs. A session id is one authority and client
 * (`authority|clientId`); tabs with the same id share the session.
 *
 * Keys, for a session id `<id>`:
 * - `session:<id>`: the session record;
 * - `outbox:<id>:<uuid>`: a revocation not yet confirmed;
 * - `oidc-state:<id>:<name>`: oidc-client-ts's sign-in state (PKCE verifier, nonce);
 * - `dpop:<id>:<keyId>`: the DPoP key pair of one sign-in;
 * - `sealing-key:<id>`: the key token-bearing records are sealed under.
 */

/** The id of a session: one authority and client. */
export const sessionIdOf = (authority: string, clientId: string): string => `${authority}|${clientId}`

export const recordKeys = {
  session: (sessionId: string) => `session:${sessionId}`,
  outboxPrefix: (sessionId: string) => `outbox:${sessionId}:`,
  outboxEntry: (sessionId: string) => `outbox:${sessionId}:${crypto.randomUUID()}`,
  statePrefix: (sessionId: string) => `oidc-state:${sessionId}:`,
  dpopKey: (sessionId: string, keyId: string) => `dpop:${sessionId}:${keyId}`,
  dpopPrefix: (sessionId: string) => `dpop:${sessionId}:`,
  sealingKey: (sessionId: string) => `sealing-key:${sessionId}`,
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
