import type { StateStore } from './protocol.js'
import { recordKeys } from './records.js'
import { commit, type KeyValueStorage } from './storage.js'

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
    getAllKeys: async () => (await storage.entries(prefix)).map(([name]) => name.slice(prefix.length)),
  }
}
