// In-memory adapter for node-oidc-provider: a plain Map per server (the built-in one is an LRU
// capped at 1000 entries and prints a warning). Expired entries are dropped lazily and by a
// periodic sweep (startAuthServer runs `store.sweep` every minute).

/** What the provider stores under a model and id: its own fields, opaque here but for the few read below. */
export type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; consumed?: number }

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
])

export type MapStore = ReturnType<typeof createMapStore>

export function createMapStore() {
  const entries = new Map<string, { payload: Payload; expiresAt: number }>()
  /** grantId → keys */
  const grants = new Map<string, Set<string>>()
  const sessionUids = new Map<string, string>()
  const userCodes = new Map<string, string>()

  const get = (key: string) => {
    const entry = entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return entry.payload
  }
  const sweep = () => {
    const now = Date.now()
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key)
  }
  return { entries, grants, sessionUids, userCodes, get, sweep }
}

/**
 * @param shouldKeepGrantSiblings true while the 'revokeOnlyPresented' fault applies
 */
export function createAdapterClass(store: MapStore, shouldKeepGrantSiblings: () => boolean) {
  return class MapAdapter {
    readonly model: string

    constructor(model: string) {
      this.model = model
    }

    key(id: string) {
      return `${this.model}:${id}`
    }

    async upsert(id: string, payload: Payload, expiresIn: number | undefined) {
      const key = this.key(id)
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY
      store.entries.set(key, { payload, expiresAt })
      if (this.model === 'Session' && payload.uid) store.sessionUids.set(payload.uid, id)
      if (payload.userCode) store.userCodes.set(payload.userCode, id)
      if (GRANTABLE.has(this.model) && payload.grantId) {
        let keys = store.grants.get(payload.grantId)
        if (!keys) {
          keys = new Set()
          store.grants.set(payload.grantId, keys)
        }
        keys.add(key)
      }
    }

    async find(id: string) {
      return store.get(this.key(id))
    }

    async findByUid(uid: string) {
      const id = store.sessionUids.get(uid)
      return id === undefined ? undefined : this.find(id)
    }

    async findByUserCode(userCode: string) {
      const id = store.userCodes.get(userCode)
      return id === undefined ? undefined : this.find(id)
    }

    async consume(id: string) {
      const payload = store.get(this.key(id))
      if (payload) payload.consumed = Math.floor(Date.now() / 1000)
    }

    async destroy(id: string) {
      const key = this.key(id)
      const payload = store.entries.get(key)?.payload
      store.entries.delete(key)
      if (payload?.grantId) store.grants.get(payload.grantId)?.delete(key)
      if (payload?.uid && store.sessionUids.get(payload.uid) === id) store.sessionUids.delete(payload.uid)
      if (payload?.userCode && store.userCodes.get(payload.userCode) === id) store.userCodes.delete(payload.userCode)
    }

    async revokeByGrantId(grantId: string) {
      // The 'revokeOnlyPresented' fault: at the revocation endpoint, the provider destroys the
      // presented token and then revokes its grant through here; skipping this leaves the
      // sibling tokens alive.
      if (shouldKeepGrantSiblings()) return
      const keys = store.grants.get(grantId)
      if (!keys) return
      for (const key of keys) {
        if (key.startsWith(`${this.model}:`)) {
          store.entries.delete(key)
          keys.delete(key)
        }
      }
      if (keys.size === 0) store.grants.delete(grantId)
    }
  }
}
