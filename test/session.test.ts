import { describe, expect, it } from 'vitest'
import { createWorld } from './helpers/session.js'

describe('session', () => {
  it('a disposed session refuses work with a typed error', async () => {
    const world = createWorld()
    const session = world.tab()
    session.dispose()
    expect(() => session.start()).toThrow(expect.objectContaining({ code: 'disposed' }))
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'disposed' })
  })
})
