import { describe, expect, it, vi } from 'vitest'
import { observeAccessToken, type AccessTokenSource, type SessionSnapshot } from '../../src/index.js'
import { deferred } from '../helpers/fake-server.js'
import { createWorld } from '../helpers/session.js'

/** A session stand-in whose snapshot and token answers the test controls. */
function source(first: SessionSnapshot) {
  let snapshot = first
  const listeners = new Set<() => void>()
  const answers: Array<ReturnType<typeof deferred<string>>> = []
  const session: AccessTokenSource = {
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    getSnapshot: () => snapshot,
    getAccessToken: () => {
      const answer = deferred<string>()
      answers.push(answer)
      return answer.promise
    },
  }
  const move = (next: SessionSnapshot) => {
    snapshot = next
    for (const listener of [...listeners]) listener()
  }
  return { session, answers, listeners, move }
}

const signedIn = (name: string): SessionSnapshot =>
  Object.freeze({ status: 'signed-in', profile: { name }, expiresAt: undefined, scope: undefined, storage: 'memory', atRest: 'encrypted' })

describe('access token observer (core of useAccessToken in both bindings)', () => {
  it('follows a real session: the token, then the new one after refresh(), then nothing after logout', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const observer = observeAccessToken(session)
    const stop = observer.subscribe(() => {})
    await vi.waitFor(() => expect(observer.getState()).toEqual({ token: expect.stringMatching(/^at-/), loading: false, error: undefined }))
    const first = observer.getState().token
    await session.refresh()
    await vi.waitFor(() => expect(observer.getState().token).not.toBe(first))
    await session.logout()
    expect(observer.getState()).toEqual({ token: undefined, loading: false, error: undefined })
    stop()
  })

  it('turns away an answer that belongs to an earlier snapshot', async () => {
    const { session, answers, move } = source(signedIn('a'))
    const observer = observeAccessToken(session)
    observer.subscribe(() => {})
    move(signedIn('b'))
    answers[1]!.resolve('new')
    await vi.waitFor(() => expect(observer.getState().token).toBe('new'))
    answers[0]!.resolve('old')
    await Promise.resolve()
    expect(observer.getState().token).toBe('new')
  })

  it('an error that is not a TokenwardenError is reported as unexpected, with the original as cause', async () => {
    const { session, answers } = source(signedIn('a'))
    const observer = observeAccessToken(session)
    observer.subscribe(() => {})
    const odd = new RangeError('seam bug')
    answers[0]!.resolve(Promise.reject(odd) as unknown as string)
    await vi.waitFor(() => expect(observer.getState().error).toMatchObject({ code: 'unexpected', cause: odd }))
    expect(observer.getState().error?.code).not.toBe('invalid-request')
  })

  it('listens to the session only while someone listens to it, and drops answers after the last one left', async () => {
    const { session, answers, listeners } = source(signedIn('a'))
    const observer = observeAccessToken(session)
    const heard = vi.fn()
    const stop = observer.subscribe(heard)
    expect(listeners.size).toBe(1)
    stop()
    expect(listeners.size).toBe(0)
    heard.mockClear()
    answers[0]!.resolve('late')
    await Promise.resolve()
    expect(heard).not.toHaveBeenCalled()
    expect(observer.getState().token).toBeUndefined()
  })
})
