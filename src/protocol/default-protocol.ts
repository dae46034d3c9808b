import { discover, discoveryOf, protocolMetadata } from './discovery.js'
import type { Protocol, ProtocolContext } from './seam.js'
import { loadOnDemand, type QuietGate, retryable, whenQuiet } from '../util/index.js'

/** The default protocol, and a way to fetch its sign-in and refresh code ahead of need. */
export interface DefaultProtocol extends Protocol {
  clearStaleState(): Promise<void>
  /**
   * Loads the oidc-client-ts steps where nothing waits (`whenQuiet`: once the session has been
   * quiet a while and the browser is idle), unless `gate` no longer wants them by then (a
   * failure is left for the call that needs them). Returns what cancels it.
   */
  preload(gate: QuietGate): () => void
}

/**
 * The protocol a session uses unless the `protocol` seam replaces it. Discovery runs here, in
 * the entry (discovery.ts); oidc-client-ts (oidc.ts, about half the bytes tokenwarden would
 * otherwise ship at start) is loaded on first use. Starting a stored session, `getAccessToken`,
 * `session.http` and logout's revocations need only the metadata; sign-in, the callback, the
 * refresh grant and the end-session URL need the network anyway, and load the chunk first.
 */
export function createDefaultProtocol(context: ProtocolContext): DefaultProtocol {
  // A failed discovery, or a lost chunk, is tried again by the next call.
  const discovered = retryable(() => discover(context.options))
  let loading = false
  const load = retryable(async () => {
    loading = true
    const [oidc, metadata] = await Promise.all([loadOnDemand('sign-in and refresh', () => import('./oidc.js')), discovered()])
    return oidc.createOidcSteps(context, discoveryOf(metadata, context.options))
  })
  return {
    metadata: async () => protocolMetadata(await discovered()),
    signInUrl: async (args) => (await load()).signInUrl(args),
    processCallback: async (url, proofKey) => (await load()).processCallback(url, proofKey),
    refresh: async (current, proofKey) => (await load()).refresh(current, proofKey),
    silentRenew: async (current) => (await load()).silentRenew(current),
    // Without an end_session_endpoint there is nothing to build, and nothing to load.
    signOutUrl: async () => (protocolMetadata(await discovered()).endSessionEndpoint ? (await load()).signOutUrl() : undefined),
    // Stale sign-in state exists only where a sign-in began: no state, nothing to load.
    clearStaleState: async () => {
      if (loading || (await context.stateStore.getAllKeys()).length > 0) await (await load()).clearStaleState?.()
    },
    preload: (gate) => whenQuiet(gate, () => void load().catch(() => undefined)),
  }
}
