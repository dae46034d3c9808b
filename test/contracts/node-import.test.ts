// @vitest-environment node
import { describe, expect, it } from 'vitest'

describe('plain Node', () => {
  it('imports the core without a window or IndexedDB, and createSession touches no browser global', async () => {
    // The shared setup file installs fake-indexeddb; plain Node has none.
    for (const name of ['indexedDB', 'IDBKeyRange', 'IDBFactory', 'IDBDatabase']) Reflect.deleteProperty(globalThis, name)
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    expect(typeof (globalThis as { indexedDB?: unknown }).indexedDB).toBe('undefined')
    const core = await import('../../src/index.js')
    const session = core.createSession({
      authority: 'https://id.example.test',
      clientId: 'spa',
      redirectUri: 'https://app.example.test/callback',
    })
    expect(session.getSnapshot()).toEqual({ status: 'loading' })
    session.dispose()
  })
})
