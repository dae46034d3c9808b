// tokenwarden/testing/jest-setup: what Jest's jsdom environment lacks and a session needs,
// for `setupFiles` in an app's Jest config. jsdom's window is the global there, without
// Node's fetch family, structuredClone, text codecs, streams or WebCrypto's `subtle`; Vitest's
// jsdom and happy-dom environments keep Node's, so only Jest needs this file. IndexedDB comes
// from fake-indexeddb (an optional peer: install it beside Jest).
import 'fake-indexeddb/auto'

/**
 * Node's own global object. Jest runs tests in a separate realm whose global is jsdom's
 * window; `runInThisContext` evaluates in Node's main realm, where the implementations live.
 * `process.getBuiltinModule` (Node 20.16+) keeps this file free of imports Jest would resolve.
 */
const { process } = globalThis as unknown as { process: { getBuiltinModule(id: string): { runInThisContext(code: string): unknown } } }
const vm = process.getBuiltinModule('node:vm')
const node = vm.runInThisContext('globalThis') as typeof globalThis

// One realm for the whole fetch family: a Request of one realm and a Headers of another do not
// mix, so these replace jsdom's Headers too.
const fetchFamily = ['fetch', 'Request', 'Response', 'Headers'] as const
const whenMissing = ['structuredClone', 'TextEncoder', 'TextDecoder', 'ReadableStream', 'WritableStream', 'TransformStream'] as const
// Not Node's MessageChannel or BroadcastChannel: an open port keeps Jest's process alive (React's
// scheduler opens one when MessageChannel exists), and the kit gives sessions their own channel.

const target = globalThis as unknown as Record<string, unknown>
for (const name of fetchFamily) target[name] = node[name]
for (const name of whenMissing) if (target[name] === undefined) target[name] = node[name]
// jsdom's crypto has getRandomValues and randomUUID; sealing at rest needs AES-GCM keys.
if (globalThis.crypto && !globalThis.crypto.subtle) Object.defineProperty(globalThis.crypto, 'subtle', { value: node.crypto.subtle })
else if (!globalThis.crypto) target.crypto = node.crypto
