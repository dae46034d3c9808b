import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PersistenceManager } from '../../src/storage/persistence.js'
import { resolveOptions } from '../../src/resolve-options.js'
import type { SessionEvent } from '../../src/index.js'
import { createWorld } from '../helpers/session.js'
import { persistence } from '../../src/storage/index.js'

function manager(granted: boolean) {
  const calls: string[] = []
  const fake: PersistenceManager = {
    persist: async () => {
      calls.push('persist')
      return granted
    },
    persisted: async () => {
      calls.push('persisted')
      return false
    },
  }
  return { fake, calls }
}

describe('persistent storage (navigator.storage)', () => {
  it('asking calls persist() and returns the browser answer; not asking only reads persisted()', async () => {
    const granted = manager(true)
    await expect(persistence(granted.fake, true)).resolves.toBe(true)
    expect(granted.calls).toEqual(['persist'])
    const refused = manager(false)
    await expect(persistence(refused.fake, false)).resolves.toBe(false)
    expect(refused.calls).toEqual(['persisted'])
  })

  it('no manager, or one that throws, gives no answer rather than an error', async () => {
    await expect(persistence(undefined, true)).resolves.toBeUndefined()
    const failing: PersistenceManager = { persist: () => Promise.reject(new Error('no')), persisted: () => Promise.reject(new Error('no')) }
    await expect(persistence(failing, true)).resolves.toBeUndefined()
  })

  it('encryptAtRest defaults to on and persistStorage to off; both must be booleans', () => {
    const base = { authority: 'https://id.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/cb' }
    expect(resolveOptions(base)).toMatchObject({ encryptAtRest: true, persistStorage: false })
    expect(() => resolveOptions({ ...base, encryptAtRest: 'yes' as never })).toThrow('`encryptAtRest` must be a boolean.')
    expect(() => resolveOptions({ ...base, persistStorage: 1 as never })).toThrow('`persistStorage` must be a boolean.')
  })
})

describe('persistStorage in a session', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  /** happy-dom has no navigator.storage: a browser's, answering `granted`, stands in. */
  function browserStorage(granted: boolean) {
    const { fake, calls } = manager(granted)
    vi.stubGlobal('navigator', Object.assign(Object.create(navigator) as Navigator, { storage: fake }))
    return calls
  }

  it('asks after sign-in and shows the answer in the snapshot; on start it only reads the state', async () => {
    const calls = browserStorage(true)
    const world = createWorld()
    const session = await world.signedInTab({ persistStorage: true })
    await vi.waitFor(() => expect(session.getSnapshot()).toMatchObject({ status: 'signed-in', persisted: true }))
    expect(calls).toEqual(['persisted', 'persist'])
  })

  it('each answer is a storage event too: read at start, asked after sign-in; none without the option', async () => {
    browserStorage(true)
    const world = createWorld()
    const first = world.tab({ persistStorage: true })
    const events: SessionEvent[] = []
    first.on((event) => void events.push(event))
    await first.start()
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'storage')).toHaveLength(1))
    await first.handleCallback('https://app.example.test/callback?code=c&state=s')
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'storage')).toHaveLength(2))
    expect(events.filter((e) => e.type === 'storage')).toEqual([
      // Not persistent until asked: the fake browser grants it only when persist() is called.
      expect.objectContaining({ type: 'storage', kind: 'persistence', storage: 'memory', persisted: false, asked: false }),
      expect.objectContaining({ type: 'storage', kind: 'persistence', storage: 'memory', persisted: true, asked: true }),
    ])
    const quiet = world.tab()
    const none: SessionEvent[] = []
    quiet.on((event) => void none.push(event))
    await quiet.start()
    expect(none.filter((e) => e.type === 'storage')).toEqual([])
  })

  it('a refusal is shown too, and without the option nothing is asked', async () => {
    const refused = browserStorage(false)
    const world = createWorld()
    const session = await world.signedInTab({ persistStorage: true })
    await vi.waitFor(() => expect(refused).toContain('persist'))
    await vi.waitFor(() => expect(session.getSnapshot()).toMatchObject({ persisted: false }))
    const untouched = browserStorage(true)
    const quiet = await world.signedInTab()
    expect(untouched).toEqual([])
    expect(quiet.getSnapshot()).not.toHaveProperty('persisted')
  })
})
