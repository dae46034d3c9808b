import { describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, type KeyValueStorage } from '../../src/index.js'
import { createFakeServer } from '../helpers/fake-server.js'
import { createWorld } from '../helpers/session.js'

describe('cross-tab', () => {
  it('logout in one tab signs the other out (other-tab) without it revoking anything', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const bServer = createFakeServer()
    const b = world.tab({ fetch: bServer.fetch })
    await b.start()
    expect(b.getSnapshot().status).toBe('signed-in')
    await expect(b.getAccessToken()).resolves.toMatch(/^at-/)

    await a.logout()
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
    await expect(b.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
    expect(bServer.requests).toHaveLength(0)
    expect(world.server.requests).toHaveLength(2)
  })

  it('messages carry no token values', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const token = await a.getAccessToken()
    await a.refresh()
    const refreshed = await a.getAccessToken()
    await a.logout()
    const wire = JSON.stringify(world.hub.log)
    expect(world.hub.log.map((entry) => entry.message.type)).toEqual(['signed-in', 'refreshed', 'signed-out'])
    for (const value of [token, refreshed, token.replace('at-', 'rt-'), refreshed.replace('at-', 'rt-')]) {
      expect(wire).not.toContain(value)
    }
  })

  it('a sign-in in one tab shows up in the other', async () => {
    const world = createWorld()
    const b = world.tab()
    await b.start()
    expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'initial' })
    await world.signedInTab()
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'signed-in', profile: { sub: 'user-1' } }))
  })

  it('a refresh in one tab is adopted by the other without a second refresh', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const b = world.tab()
    await b.start()
    await a.refresh()
    const newest = await a.getAccessToken()
    await vi.waitFor(async () => expect(await b.getAccessToken()).toBe(newest))
    expect(world.protocol.refreshes).toHaveLength(1)
  })

  it('a page restored from the back/forward cache re-reads storage', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    // A tab that missed the logout message (it was frozen): no channel of its own.
    const frozen = world.tab({ channel: () => ({ post: () => {}, subscribe: () => () => {}, close: () => {} }) })
    await frozen.start()
    await a.logout()
    expect(frozen.getSnapshot().status).toBe('signed-in')
    const event = new Event('pageshow') as Event & { persisted: boolean }
    Object.defineProperty(event, 'persisted', { value: true })
    window.dispatchEvent(event)
    await vi.waitFor(() => expect(frozen.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))
  })

  it('a storage read that began before another tab logged out cannot sign this tab in again when it ends late', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    // B's reads take as long as the test says, as IndexedDB reads and decryption take real time.
    const inner = createMemoryStorage(world.records)
    let gate: Promise<void> | undefined
    let release!: () => void
    let readHeld!: () => void
    const held = new Promise<void>((resolve) => (readHeld = resolve))
    let readEnded!: () => void
    const ended = new Promise<void>((resolve) => (readEnded = resolve))
    const slow: KeyValueStorage = {
      ...inner,
      get: async (key) => {
        const value = await inner.get(key)
        if (!gate) return value
        readHeld()
        await gate
        readEnded()
        return value
      },
    }
    const b = world.tab({ storage: slow })
    await b.start()
    expect(b.getSnapshot().status).toBe('signed-in')

    gate = new Promise((resolve) => (release = resolve))
    await a.refresh() // B hears it and re-reads storage: that read sees the refreshed session, and is held
    await held
    await a.logout()
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' }))

    release()
    await ended
    await new Promise((resolve) => setTimeout(resolve, 0)) // the read's continuations are microtasks
    expect(b.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'other-tab' })
    await expect(b.getAccessToken()).rejects.toMatchObject({ code: 'not-signed-in' })
  })

  it('a disposed tab stops listening', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const b = world.tab()
    await b.start()
    b.dispose()
    await a.logout()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(b.getSnapshot().status).toBe('signed-in')
  })
})

describe('storage-event fallback (no BroadcastChannel)', () => {
  it('posts through a localStorage key that is removed at once, and hears other documents through storage events', async () => {
    const { createDefaultChannel } = await import('../../src/tabs/channel.js')
    vi.stubGlobal('BroadcastChannel', undefined)
    try {
      // Spied, not replaced: the value really is written, and must really be removed.
      const setItem = vi.spyOn(Storage.prototype, 'setItem')
      const channel = createDefaultChannel('tokenwarden:test')
      const heard: unknown[] = []
      const unsubscribe = channel.subscribe((message) => heard.push(message))

      channel.post({ type: 'signed-out', signInId: 'e1', tab: 'a' })
      const written = [...setItem.mock.calls]
      expect(written).toHaveLength(1)
      expect(written[0]![0]).toBe('tokenwarden:test')
      expect(JSON.parse(written[0]![1])).toMatchObject({ type: 'signed-out', signInId: 'e1', tab: 'a' })
      expect(localStorage.getItem('tokenwarden:test')).toBeNull()
      setItem.mockRestore()

      // What another document's post looks like here; anything else on that key is ignored.
      const event = (newValue: string | null, key = 'tokenwarden:test') =>
        window.dispatchEvent(new StorageEvent('storage', { key, newValue }))
      event(written[0]![1])
      event('not json')
      event(JSON.stringify({ type: 'steal', signInId: null, tab: 'x' }))
      event(written[0]![1], 'some-other-key')
      event(null)
      expect(heard).toEqual([{ type: 'signed-out', signInId: 'e1', tab: 'a' }])

      unsubscribe()
      event(written[0]![1])
      expect(heard).toHaveLength(1)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
