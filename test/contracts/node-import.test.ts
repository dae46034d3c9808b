// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest'

/** Browser globals a session may use once started, never at import or creation. */
const browserGlobals = [
  'window',
  'document',
  'navigator',
  'location',
  'history',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'BroadcastChannel',
  'addEventListener',
  'removeEventListener',
]

const installed: string[] = []
afterEach(() => {
  for (const name of installed.splice(0)) Reflect.deleteProperty(globalThis, name)
})

describe('plain Node', () => {
  it('imports the core without a window or IndexedDB, and createSession touches no browser global', async () => {
    // The shared setup file installs fake-indexeddb; plain Node has none.
    for (const name of ['indexedDB', 'IDBKeyRange', 'IDBFactory', 'IDBDatabase']) Reflect.deleteProperty(globalThis, name)
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    expect(typeof (globalThis as { indexedDB?: unknown }).indexedDB).toBe('undefined')
    // Every read of one of them is seen, also one that would not throw (`typeof x`, `globalThis.x`).
    const touched: string[] = []
    for (const name of browserGlobals) {
      if (Object.hasOwn(globalThis, name)) continue
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get: () => {
          touched.push(name)
          return undefined
        },
      })
      installed.push(name)
    }
    expect(installed.length).toBeGreaterThan(5)
    const core = await import('../../src/index.js')
    const session = core.createSession({
      authority: 'https://id.example.test',
      clientId: 'spa',
      redirectUri: 'https://app.example.test/callback',
    })
    expect(session.getSnapshot()).toEqual({ status: 'loading' })
    session.dispose()
    // `location` only for the app's own origin, `session.http`'s default destination, read
    // guarded (`globalThis.location?.origin`): absent in Node, it means "no own origin".
    expect(touched.filter((name) => name !== 'location')).toEqual([])
  })
})
