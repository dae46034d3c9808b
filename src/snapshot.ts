import type { TokenwardenError } from './errors.js'
import type { Profile } from './protocol.js'
import type { StorageKind } from './storage.js'

/**
 * Why the session is signed out:
 * - `initial`: nothing was stored;
 * - `logout`: `logout()` in this tab;
 * - `other-tab`: another tab logged out (or its session vanished from storage);
 * - `storage-invalid`: the stored record was corrupt or foreign and was discarded;
 * - `expired`: the access token expired and there is no refresh token;
 * - `refresh-failed`: the server refused the refresh token (e.g. `invalid_grant`);
 * - `callback-failed`: the redirect back from sign-in was an error.
 */
export type SignedOutReason =
  | 'initial'
  | 'logout'
  | 'other-tab'
  | 'storage-invalid'
  | 'expired'
  | 'refresh-failed'
  | 'callback-failed'

/**
 * What a UI needs to know about the session. Immutable, and the same object until something
 * changes. It never holds a token: use `getAccessToken()`.
 */
export type SessionSnapshot =
  | { readonly status: 'loading' }
  | {
      readonly status: 'signed-in'
      /** ID token claims. */
      readonly profile: Profile
      /** When the access token expires, in milliseconds since the epoch. */
      readonly expiresAt: number | undefined
      readonly scope: string | undefined
      /** Where the tokens are kept: `memory` when IndexedDB could not be used. */
      readonly storage: StorageKind
    }
  | {
      readonly status: 'signed-out'
      readonly reason: SignedOutReason
      readonly error?: TokenwardenError
      readonly storage: StorageKind
    }

function sameSnapshot(a: SessionSnapshot, b: SessionSnapshot): boolean {
  if (a.status === 'signed-in' && b.status === 'signed-in') {
    return (
      a.expiresAt === b.expiresAt &&
      a.scope === b.scope &&
      a.storage === b.storage &&
      JSON.stringify(a.profile) === JSON.stringify(b.profile)
    )
  }
  if (a.status === 'signed-out' && b.status === 'signed-out') {
    return a.reason === b.reason && a.error === b.error && a.storage === b.storage
  }
  return a.status === b.status
}

/**
 * The snapshot and its listeners: the smallest honest store. `get` hands out the same frozen
 * object until `publish` gets a different one; listeners hear each change once.
 */
export class SnapshotStore {
  #snapshot: SessionSnapshot = Object.freeze({ status: 'loading' })
  readonly #listeners = new Set<() => void>()

  get(): SessionSnapshot {
    return this.#snapshot
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  publish(next: SessionSnapshot): void {
    if (sameSnapshot(this.#snapshot, next)) return
    this.#snapshot = Object.freeze(next)
    for (const listener of [...this.#listeners]) listener()
  }

  clear(): void {
    this.#listeners.clear()
  }
}
