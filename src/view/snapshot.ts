import { Listeners } from '../util/index.js'
import type { TokenwardenError } from '../errors.js'
import type { Profile } from '../tokens.js'
import type { AtRest, StorageKind } from '../storage/index.js'

/** How the session's records are kept: a part of every settled snapshot. */
export interface StorageInfo {
  /** Where the tokens are kept: `memory` when IndexedDB could not be used. */
  readonly storage: StorageKind
  /**
   * `encrypted`: tokens are sealed under a non-extractable AES-GCM key; `off`: turned off with
   * `encryptAtRest: false`; `unavailable`: no WebCrypto here (not a secure context), stored in plaintext.
   */
  readonly atRest: AtRest
  /**
   * The browser's answer to `navigator.storage.persist()` (asked after sign-in with
   * `persistStorage: true`) or `persisted()`: undefined when not asked or not supported.
   */
  readonly persisted?: boolean
}

/**
 * Why the session is signed out:
 * - `initial`: nothing was stored;
 * - `logout`: `logout()` in this tab;
 * - `other-tab`: another tab logged out (or the session otherwise ended elsewhere);
 * - `storage-invalid`: the stored record was corrupt, foreign or could not be decrypted, and
 *   was discarded;
 * - `storage-lost`: the session vanished from storage without being ended: the browser
 *   evicted the site's storage (Safari's 7-day rule, storage pressure) or the user cleared it.
 *   Its refresh token went with it and could not be revoked;
 * - `expired`: the access token expired and there is no refresh token;
 * - `refresh-failed`: the server refused the refresh token (e.g. `invalid_grant`);
 * - `callback-failed`: the redirect back from sign-in was an error;
 * - `login-required`: the session could not be renewed silently (`silentRedirectUri`): the
 *   server's own session ended, or the hidden frame was blocked or timed out. Every tab shows it;
 * - `idle`: no user activity in any tab for `idleTimeoutSeconds`. Every tab shows it.
 */
export type SignedOutReason =
  | 'initial'
  | 'logout'
  | 'other-tab'
  | 'storage-invalid'
  | 'storage-lost'
  | 'expired'
  | 'refresh-failed'
  | 'callback-failed'
  | 'login-required'
  | 'idle'

/**
 * What a UI needs to know about the session. Immutable, and the same object until something
 * changes. It never holds a token: use `getAccessToken()`.
 */
export type SessionSnapshot =
  | { readonly status: 'loading' }
  | (StorageInfo & {
      readonly status: 'signed-in'
      /** ID token claims. */
      readonly profile: Profile
      /** When the access token expires, in milliseconds since the epoch. */
      readonly expiresAt: number | undefined
      /**
       * When the server's own session ends, where the server said so (Keycloak's
       * `refresh_expires_in`, a JWT refresh token's `exp`): the refresh token stops working
       * then. Undefined when the server did not say: nothing is guessed. A `session-ending`
       * event comes before it.
       */
      readonly sessionEndsAt?: number
      readonly scope: string | undefined
    })
  | (StorageInfo & {
      readonly status: 'signed-out'
      readonly reason: SignedOutReason
      readonly error?: TokenwardenError
    })

const sameStorage = (a: StorageInfo, b: StorageInfo) => a.storage === b.storage && a.atRest === b.atRest && a.persisted === b.persisted

function sameSnapshot(a: SessionSnapshot, b: SessionSnapshot): boolean {
  if (a.status === 'signed-in' && b.status === 'signed-in') {
    return (
      a.expiresAt === b.expiresAt &&
      a.sessionEndsAt === b.sessionEndsAt &&
      a.scope === b.scope &&
      sameStorage(a, b) &&
      JSON.stringify(a.profile) === JSON.stringify(b.profile)
    )
  }
  if (a.status === 'signed-out' && b.status === 'signed-out') {
    return a.reason === b.reason && a.error === b.error && sameStorage(a, b)
  }
  return a.status === b.status
}

/**
 * The snapshot and its listeners: the smallest honest store. `get` hands out the same frozen
 * object until `publish` gets a different one; listeners hear each change once.
 */
export class SnapshotStore {
  #snapshot: SessionSnapshot = Object.freeze({ status: 'loading' })
  readonly #listeners = new Listeners()

  get(): SessionSnapshot {
    return this.#snapshot
  }

  subscribe(listener: () => void): () => void {
    return this.#listeners.subscribe(listener)
  }

  publish(next: SessionSnapshot): void {
    if (sameSnapshot(this.#snapshot, next)) return
    this.#snapshot = Object.freeze(next)
    this.#listeners.notify()
  }

  clear(): void {
    this.#listeners.clear()
  }
}
