/**
 * Why a session ended, when every tab shows the same reason: the server wants the user back
 * (`login-required`), or nobody used any tab for the idle limit (`idle`).
 */
export type EndReason = 'login-required' | 'idle'

export const isEndReason = (value: unknown): value is EndReason => value === 'login-required' || value === 'idle'

/**
 * What one tab tells the others. It never carries a token: a tab that hears `signed-in` or
 * `refreshed` re-reads storage, and one that hears `signed-out` drops what it holds.
 * `activity`: the user did something in that tab (the idle limit starts again everywhere).
 */
export interface TabMessage {
  type: 'signed-in' | 'refreshed' | 'signed-out' | 'activity'
  /** The sign-in the message is about (see SessionRecord.signInId). */
  signInId: string | null
  /** The sending tab's random id, so a tab can ignore its own echo. */
  tab: string
  /** On `signed-out`: why, when every tab shows it (see {@link EndReason}); else the others say `other-tab`. */
  reason?: EndReason
}

/** The channel seam: one named channel between the tabs of an origin. */
export interface TabChannel {
  post(message: TabMessage): void
  subscribe(listener: (message: TabMessage) => void): () => void
  close(): void
}

export type TabChannelFactory = (name: string) => TabChannel

export function isTabMessage(value: unknown): value is TabMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Partial<TabMessage>
  return (
    (message.type === 'signed-in' || message.type === 'refreshed' || message.type === 'signed-out' || message.type === 'activity') &&
    (message.signInId === null || typeof message.signInId === 'string') &&
    typeof message.tab === 'string' &&
    (message.reason === undefined || isEndReason(message.reason))
  )
}

function broadcastChannel(name: string): TabChannel {
  const channel = new BroadcastChannel(name)
  return {
    post: (message) => channel.postMessage(message),
    subscribe: (listener) => {
      const onMessage = (event: MessageEvent) => {
        if (isTabMessage(event.data)) listener(event.data)
      }
      channel.addEventListener('message', onMessage)
      return () => channel.removeEventListener('message', onMessage)
    },
    close: () => channel.close(),
  }
}

/**
 * For browsers without BroadcastChannel (Safari before 15.4): a `storage` event fires in the
 * other documents of the origin when a key changes. The key only ever holds a message,
 * which carries no token, and is removed straight away.
 */
function storageEventChannel(name: string): TabChannel {
  // The channel name is the key: it is already ours (`tokenwarden:<session id>`).
  const key = name
  return {
    post: (message) => {
      try {
        // The nonce makes two equal messages in a row still change the value.
        localStorage.setItem(key, JSON.stringify({ ...message, nonce: Math.random() }))
        localStorage.removeItem(key)
      } catch {
        // Storage full or forbidden: the other tabs find out on their next read of storage.
      }
    },
    subscribe: (listener) => {
      const onStorage = (event: StorageEvent) => {
        if (event.key !== key || !event.newValue) return
        try {
          const { nonce: _, ...message } = JSON.parse(event.newValue) as Record<string, unknown>
          if (isTabMessage(message)) listener(message)
        } catch {
          // Not ours.
        }
      }
      addEventListener('storage', onStorage)
      return () => removeEventListener('storage', onStorage)
    },
    close: () => {},
  }
}

const silentChannel: TabChannel = { post: () => {}, subscribe: () => () => {}, close: () => {} }

/** BroadcastChannel where there is one, else `storage` events, else nothing (plain Node). */
export const createDefaultChannel: TabChannelFactory = (name) => {
  if (typeof BroadcastChannel === 'function') return broadcastChannel(name)
  if (typeof addEventListener === 'function' && typeof localStorage !== 'undefined') return storageEventChannel(name)
  return silentChannel
}
