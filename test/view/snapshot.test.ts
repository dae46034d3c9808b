import { describe, expect, it, vi } from 'vitest'
import { createWorld } from '../helpers/session.js'

describe('snapshot', () => {
  it('is the same object until something changes, holds no token, and notifies once per change', async () => {
    const world = createWorld()
    const session = world.tab()
    expect(session.getSnapshot()).toEqual({ status: 'loading' })
    const listener = vi.fn()
    const unsubscribe = session.subscribe(listener)
    await session.start()
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'initial', storage: 'memory' })
    await session.handleCallback('https://app.example.test/callback?code=c&state=s')
    const signedIn = session.getSnapshot()
    expect(signedIn).toMatchObject({ status: 'signed-in', profile: { sub: 'user-1' }, storage: 'memory' })
    expect(session.getSnapshot()).toBe(signedIn)
    expect(Object.isFrozen(signedIn)).toBe(true)
    const token = await session.getAccessToken()
    expect(JSON.stringify(signedIn)).not.toContain(token)
    expect(JSON.stringify(signedIn)).not.toContain(token.replace('at-', 'rt-'))
    expect(listener).toHaveBeenCalledTimes(2)
    unsubscribe()
    await session.logout()
    expect(listener).toHaveBeenCalledTimes(2)
  })

  it('subscribe and getSnapshot are pre-bound', async () => {
    const world = createWorld()
    const session = world.tab()
    const { subscribe, getSnapshot } = session
    const listener = vi.fn()
    subscribe(listener)
    await session.start()
    expect(getSnapshot().status).toBe('signed-out')
    expect(listener).toHaveBeenCalled()
  })
})
