// The bench page: tokenwarden, oidc-client-ts and @axa-fr/oidc-client in one page, driven from
// bench/run.ts. Everything timed is timed here, in the page, with performance.now(); Node only
// sets up (signs in, seeds storage, sets the server's latency and faults) and collects the numbers.
//
// Each library sits behind the same adapter (adapters/); the measures (measure.ts) are the same
// for all of them. Node calls what `window.bench` offers, naming the library.

import type { BenchConfig, BenchTokens, Library, LibraryAdapter } from './adapters/adapter.js'
import { axaAdapter } from './adapters/axa.js'
import { oidcClientTsAdapter } from './adapters/oidc-client-ts.js'
import { tokenwardenAdapter } from './adapters/tokenwarden.js'
import { bareRevocations, bareRevocationsOf, durableRevocations, seedDurable } from './floors.js'
import { measureLogout, otherTabWatch } from './measure.js'

export type { BenchConfig, BenchTokens, Library }
export type { FloorMeasure } from './floors.js'
export type { LogoutMeasure } from './measure.js'

const adapters: Record<Library, LibraryAdapter> = {
  tokenwarden: tokenwardenAdapter(),
  'oidc-client-ts': oidcClientTsAdapter(),
  axa: axaAdapter(),
}

/** The adapter's optional step `step`, or a clear error when the library has none in the bench. */
function step<K extends 'coldStart' | 'startAt' | 'currentToken'>(library: Library, name: K): NonNullable<LibraryAdapter[K]> {
  const found = adapters[library][name]
  if (!found) throw new Error(`bench: ${library} has no ${name} in the bench`)
  return found.bind(adapters[library]) as NonNullable<LibraryAdapter[K]>
}

const otherTab = otherTabWatch()

const bench = {
  seed: (library: Library, config: BenchConfig, tokens: BenchTokens, expiresAt: number) =>
    adapters[library].seed(config, tokens, expiresAt),
  restore: (library: Library, config: BenchConfig) => adapters[library].restore(config),
  logout: (library: Library, capMs: number, profile = false) => measureLogout(adapters[library], capMs, profile),
  watchOtherTab: (library: Library) => otherTab.watch(adapters[library]),
  otherTabSignedOutAt: (timeoutMs: number) => otherTab.signedOutAt(timeoutMs),
  coldStart: (library: Library, config: BenchConfig) => step(library, 'coldStart')(config),
  startAt: (library: Library, config: BenchConfig, at: number) => step(library, 'startAt')(config, at),
  currentToken: (library: Library) => step(library, 'currentToken')(),
  bareRevocations,
  bareRevocationsOf,
  seedDurable,
  durableRevocations,
}

export type Bench = typeof bench

declare global {
  interface Window {
    bench?: Bench
  }
}

window.bench = bench
