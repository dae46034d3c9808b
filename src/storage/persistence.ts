/**
 * Persistent storage (https://storage.spec.whatwg.org/#persistence): a site's storage is
 * "best-effort" until the browser grants persistence, and best-effort storage may be evicted
 * under pressure. Each browser decides by its own policy (README, "What is stored where").
 */
export type PersistenceManager = Pick<StorageManager, 'persist' | 'persisted'>

/** `navigator.storage` where it has the persistence methods (secure contexts, modern browsers). */
export function defaultPersistence(): PersistenceManager | undefined {
  const manager = globalThis.navigator?.storage
  return typeof manager?.persist === 'function' && typeof manager.persisted === 'function' ? manager : undefined
}

/**
 * The browser's answer: `ask` requests persistence (Firefox may prompt the user), otherwise
 * only the current state is read. Undefined when the browser has no answer to give.
 */
export async function persistence(manager: PersistenceManager | undefined, ask: boolean): Promise<boolean | undefined> {
  if (!manager) return undefined
  try {
    return await (ask ? manager.persist() : manager.persisted())
  } catch {
    return undefined
  }
}
