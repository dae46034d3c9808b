import type { TabChannel, TabChannelFactory, TabMessage } from '../../src/index.js'

/**
 * Channels that behave like BroadcastChannel between simulated tabs: a message reaches every
 * other channel of the same name, asynchronously, never the sender.
 */
export function createChannelHub() {
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

/** A channel factory that lets the test deliver a message as if another tab had posted it. */
export function tappedChannel(factory: TabChannelFactory) {
  const listeners: Array<(message: TabMessage) => void> = []
  const channel: TabChannelFactory = (name) => {
    const inner = factory(name)
    return {
      ...inner,
      subscribe: (listener) => {
        listeners.push(listener)
        return inner.subscribe(listener)
      },
    }
  }
  return { channel, deliver: (message: TabMessage) => listeners.forEach((listener) => listener(message)) }
}
