import { describe, expect, it, vi } from 'vitest'
import { createWorld } from './helpers/session.js'

describe('sign-in', () => {
  it('a new sign-in over an existing session revokes the tokens it replaces', async () => {
    const world = createWorld()
    const a = await world.signedInTab()
    const old = await a.getAccessToken()
    await world.signedInTab()
    await vi.waitFor(() =>
      expect(world.server.requests.map((r) => r.form.get('token')).sort()).toEqual([old, old.replace('at-', 'rt-')].sort()),
    )
    expect(a.getSnapshot().status).toBe('signed-in')
    await vi.waitFor(async () => expect(await a.getAccessToken()).not.toBe(old))
  })

})
