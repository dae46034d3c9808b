import { commit, type KeyValueStorage } from './key-value.js'
import { isEntryOf, recordKeys, sessionNames } from './keys.js'

/** Where the sign-in state (PKCE verifier, nonce) is kept; the shape of oidc-client-ts's `StateStore`. */
export interface StateStore {
  set(key: string, value: string): Promise<void>
  get(key: string): Promise<string | null>
  remove(key: string): Promise<string | null>
  getAllKeys(): Promise<string[]>
}

/**
 * oidc-client-ts's sign-in state (PKCE verifier, nonce) in our storage, under the session's
 * prefix, instead of sessionStorage, its default.
 */
export function createStateStore(storage: KeyValueStorage, sessionId: string): StateStore {
  const prefix = recordKeys.statePrefix(sessionId)
  const key = (name: string) => prefix + name
  return {
    set: (name, value) => commit(storage, { set: [[key(name), value]] }),
    get: async (name) => {
      const value = await storage.get(key(name))
      return typeof value === 'string' ? value : null
    },
    remove: (name) =>
      storage.transact([key(name)], (current) => {
        const value = current.get(key(name))
        return { changes: { delete: [key(name)] }, result: typeof value === 'string' ? value : null }
      }),
    getAllKeys: async () =>
      (await storage.entries(prefix)).flatMap(([name]) => (isEntryOf(prefix, name) ? [name.slice(prefix.length)] : [])),
  }
}

/**
 * Where the sign-in state goes when IndexedDB could not be opened: memory does not survive the
 * redirect to the server and back, sessionStorage does (per tab, cleared with it). It holds
 * the PKCE verifier and the state, never a token, and oidc-client-ts removes each entry once
 * its callback is processed. Undefined when sessionStorage cannot be used either.
 */
export function createSessionStorageStateStore(sessionId: string): StateStore | undefined {
  let storage: Storage
  try {
    storage = globalThis.sessionStorage
    const probe = `tokenwarden:probe:${sessionId}`
    storage.setItem(probe, '1')
    storage.removeItem(probe)
  } catch {
    return undefined
  }
  const prefix = sessionNames(sessionId).fallbackStatePrefix
  return {
    set: async (name, value) => storage.setItem(prefix + name, value),
    get: async (name) => storage.getItem(prefix + name),
    remove: async (name) => {
      const value = storage.getItem(prefix + name)
      storage.removeItem(prefix + name)
      return value
    },
    getAllKeys: async () =>
      Array.from({ length: storage.length }, (_, index) => storage.key(index) ?? '')
        .filter((key) => isEntryOf(prefix, key))
        .map((key) => key.slice(prefix.length)),
  }
}
