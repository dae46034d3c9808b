import type { TabChannel, TabChannelFactory, TabMessage } from 'tokenwarden'

/** Channels between simulated tabs, and what was posted on them. */
export interface ChannelHub {
  /** The `channel` seam. */
  factory: TabChannelFactory
  /** Every message posted, in order, with its channel's name. */
  log: Array<{ name: string; message: TabMessage }>
}

/**
 * Channels that behave like BroadcastChannel between simulated tabs: a message reaches every
 * other channel of the same name, asynchronously and as a structured clone, never the sender.
 */
export function createChannelHub(): ChannelHub {
  const channels = new Map<string, Set<(message: TabMessage) => void>>()
  const log: Array<{ name: string; message: TabMessage }> = []
  const factory: TabChannelFactory = (name) => {
    const own = new Set<(message: TabMessage) => void>()
    const peers = channels.get(name) ?? new Set()
    channels.set(name, peers)
    const deliver = (message: TabMessage) => {
      for (const listener of own) listener(structuredClone(message))
    }
    peers.add(deliver)
    const channel: TabChannel = {
      post: (message) => {
        log.push({ name, message: structuredClone(message) })
        for (const peer of peers) if (peer !== deliver) queueMicrotask(() => peer(message))
      },
      subscribe: (listener) => {
        own.add(listener)
        return () => own.delete(listener)
      },
      close: () => {
        peers.delete(deliver)
      },
    }
    return channel
  }
  return { factory, log }
}
