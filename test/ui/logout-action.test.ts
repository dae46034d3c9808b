import { describe, expect, it } from 'vitest'
import { createLogoutAction } from '../../src/index.js'
import { deferred, ok } from '../helpers/fake-server.js'
import { createWorld } from '../helpers/session.js'

describe('logout action (core of useLogout in both bindings)', () => {
  it('is pending from the call until the result is in, then holds the result', async () => {
    const gate = deferred<void>()
    const world = createWorld(() => gate.promise.then(ok))
    const session = await world.signedInTab()
    const action = createLogoutAction(session)
    const states: Array<{ pending: boolean; result: unknown }> = []
    action.subscribe(() => states.push(action.getState()))
    const running = action.run()
    expect(action.getState()).toEqual({ pending: true, result: undefined })
    gate.resolve()
    const result = await running
    expect(action.getState()).toEqual({ pending: false, result })
    expect(result.revocation).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    expect(states.map((state) => state.pending)).toEqual([true, false])
  })

  it('a logout that throws (a disposed session) ends pending and rethrows', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    session.dispose()
    const action = createLogoutAction(session)
    await expect(action.run()).rejects.toMatchObject({ code: 'disposed' })
    expect(action.getState()).toEqual({ pending: false, result: undefined })
  })
})
