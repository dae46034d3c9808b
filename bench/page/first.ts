// The first-logout page: tokenwarden alone, as an app that uses only tokenwarden ships it. The
// main bench page also holds oidc-client-ts (for its own adapter), which would leave little for
// tokenwarden's prefetch of its sign-in and refresh chunk to load; here that chunk, with
// oidc-client-ts in it, is loaded only when tokenwarden asks for it.

import type { BenchConfig, BenchTokens } from './adapters/adapter.js'
import { tokenwardenAdapter } from './adapters/tokenwarden.js'
import { durableRevocations, seedDurable } from './floors.js'
import { measureLogout, otherTabWatch } from './measure.js'

const adapter = tokenwardenAdapter()
const otherTab = otherTabWatch()

/** Scripts fetched since the last logout began (measureLogout clears Resource Timing at the call). */
const scriptsSinceCall = () =>
  performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).origin === location.origin && entry.name.endsWith('.js'))
    .length

const benchFirst = {
  seed: adapter.seed,
  restore: (config: BenchConfig) => adapter.restore(config),
  watchOtherTab: () => otherTab.watch(adapter),
  otherTabSignedOutAt: (timeoutMs: number) => otherTab.signedOutAt(timeoutMs),
  /**
   * `start()`, and the logout the moment it settled: the idle prefetch that start() schedules
   * would run now, while the logout waits on storage and the network.
   */
  async startThenLogout(config: BenchConfig, capMs: number) {
    if (!(await adapter.restore(config))) throw new Error('bench: tokenwarden did not restore the seeded session')
    const measure = await measureLogout(adapter, capMs)
    return { ...measure, scriptsLoaded: scriptsSinceCall() }
  },
  /**
   * The durable floor's first and later run in a fresh page, the way the first logout runs:
   * the server's metadata fetched first (start's discovery, which opens a connection), then
   * the session seeded (`seedDurable`) before each.
   */
  async durableFirstThenLater(discoveryUrl: string, endpoint: string, clientId: string, tokens: [BenchTokens, BenchTokens]) {
    await (await fetch(discoveryUrl)).arrayBuffer()
    const runs = []
    for (const each of tokens) {
      await seedDurable(each)
      runs.push(await durableRevocations(endpoint, clientId, each))
    }
    return runs
  },
}

export type BenchFirst = typeof benchFirst

declare global {
  interface Window {
    benchFirst?: BenchFirst
  }
}

window.benchFirst = benchFirst
