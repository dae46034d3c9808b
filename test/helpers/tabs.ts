import type { TabChannelFactory, TabMessage } from '../../src/index.js'
// Simulated tabs talk through the test kit's channel hub, as apps' tests do.
export { createChannelHub } from '../../src/testing/index.js'

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
  return {
    channel,
    deliver: (message: TabMessage) => {
      for (const listener of listeners) listener(message)
    },
  }
}
