import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react'
import { createElement, Profiler, StrictMode, type ReactNode } from 'react'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SessionProvider, useAccessToken, useLogout, useSession, useSessionEvent, useTokenwardenSession } from '../src/react/index.js'
import { isTokenwardenError, type Session } from '../src/index.js'
import { createWorld, describeSnapshot } from './helpers/session.js'
import { tappedChannel } from './helpers/tabs.js'
import { createTestAuthority } from '../src/testing/index.js'

// Tells React this is a test environment where updates are wrapped in act().
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

afterEach(() => cleanup())

/** A status line, a token line and a logout button: what an app puts in its header. */
function Status({ onRender }: { onRender?: () => void }) {
  onRender?.()
  const snapshot = useSession()
  const { logout, pending, result } = useLogout()
  return createElement(
    'div',
    null,
    createElement('p', { 'data-testid': 'status' }, describeSnapshot(snapshot)),
    createElement('p', { 'data-testid': 'pending' }, String(pending)),
    createElement('p', { 'data-testid': 'result' }, result ? `${result.revocation.refresh_token}/${result.revocation.access_token}` : '-'),
    createElement('button', { type: 'button', onClick: () => void logout() }, 'Log out'),
  )
}

function Token() {
  const { token, loading, error } = useAccessToken()
  return createElement('p', { 'data-testid': 'token' }, loading ? 'loading' : (token ?? `none${error ? ` (${error.code})` : ''}`))
}

const withSession = (session: Session, ...children: ReactNode[]) => createElement(SessionProvider, { session }, ...children)

describe('React binding', () => {
  it('renders the signed-in state, and a logout from the component revokes both tokens and clears it', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    render(withSession(session, createElement(Status)))
    expect(screen.getByTestId('status').textContent).toBe('signed-in as Test User')

    await act(async () => screen.getByRole('button', { name: 'Log out' }).click())
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('signed-out (logout)'))
    // Signed out on screen before the server answers; the result follows.
    await waitFor(() => expect(screen.getByTestId('pending').textContent).toBe('false'))
    expect(screen.getByTestId('result').textContent).toBe('revoked/revoked')
    expect(world.server.requests.map((r) => r.form.get('token_type_hint')).sort()).toEqual(['access_token', 'refresh_token'])
  })

  it('shows loading before start(), then the restored state', async () => {
    const world = createWorld()
    await world.signedInTab()
    const session = world.tab()
    render(withSession(session, createElement(Status)))
    expect(screen.getByTestId('status').textContent).toBe('loading')
    await act(() => session.start())
    expect(screen.getByTestId('status').textContent).toBe('signed-in as Test User')
  })

  it('re-renders to signed-out when another tab logs out', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const other = world.tab()
    await other.start()
    render(withSession(session, createElement(Status)))
    expect(screen.getByTestId('status').textContent).toBe('signed-in as Test User')

    await act(() => other.logout().then(() => undefined))
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('signed-out (other-tab)'))
    // Only the tab that logged out revoked anything.
    expect(world.server.requests).toHaveLength(2)
  })

  it('does not re-render when nothing changed', async () => {
    const world = createWorld()
    const tap = tappedChannel(world.hub.factory)
    const session = await world.signedInTab({ channel: tap.channel })
    const subscribe = vi.spyOn(session, 'subscribe')
    let renders = 0
    let commits = 0
    render(
      createElement(
        Profiler,
        { id: 'status', onRender: () => (commits += 1) },
        withSession(session, createElement(Status, { onRender: () => (renders += 1) })),
      ),
    )
    const [rendersBefore, commitsBefore] = [renders, commits]
    const snapshot = session.getSnapshot()

    // Another tab says it refreshed, but storage holds what this tab already has: the
    // session re-reads it and derives an equal snapshot.
    await act(async () => {
      tap.deliver({ type: 'refreshed', signInId: null, tab: 'another-tab' })
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    expect(session.getSnapshot()).toBe(snapshot)
    // And a listener call with no change at all (what a spurious notification would do).
    await act(async () => {
      for (const call of subscribe.mock.calls) call[0]()
    })
    expect(subscribe).toHaveBeenCalled()
    expect(renders).toBe(rendersBefore)
    expect(commits).toBe(commitsBefore)
  })

  it('unsubscribes on unmount', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const original = session.subscribe
    const unsubscribes: Array<ReturnType<typeof vi.fn>> = []
    vi.spyOn(session, 'subscribe').mockImplementation((listener) => {
      const unsubscribe = vi.fn(original(listener))
      unsubscribes.push(unsubscribe)
      return unsubscribe
    })
    let renders = 0
    const view = render(withSession(session, createElement(Status, { onRender: () => (renders += 1) })))
    expect(unsubscribes.length).toBeGreaterThan(0)
    view.unmount()
    for (const unsubscribe of unsubscribes) expect(unsubscribe).toHaveBeenCalled()

    const rendersAtUnmount = renders
    await session.logout()
    expect(session.getSnapshot().status).toBe('signed-out')
    expect(renders).toBe(rendersAtUnmount)
  })

  it('useAccessToken shows the token and updates after refresh()', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    render(withSession(session, createElement(Token)))
    const first = await act(() => session.getAccessToken())
    await waitFor(() => expect(screen.getByTestId('token').textContent).toBe(first))

    await act(() => session.refresh())
    const second = await session.getAccessToken()
    expect(second).not.toBe(first)
    await waitFor(() => expect(screen.getByTestId('token').textContent).toBe(second))

    await act(() => session.logout().then(() => undefined))
    await waitFor(() => expect(screen.getByTestId('token').textContent).toBe('none'))
  })

  it('useAccessToken ignores an answer that comes after the snapshot moved on (a logout while the token was being fetched)', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const real = session.getAccessToken.bind(session)
    const getAccessToken = vi.spyOn(session, 'getAccessToken').mockImplementation(async () => {
      await held
      return real()
    })
    const { result, unmount } = renderHook(() => useAccessToken(), { wrapper: ({ children }) => withSession(session, children) })
    expect(result.current).toEqual({ token: undefined, loading: true, error: undefined })
    await act(() => session.logout().then(() => undefined))
    expect(result.current).toEqual({ token: undefined, loading: false, error: undefined })
    // The answer to the signed-in snapshot arrives now (a signed-out error): it is stale.
    await act(async () => {
      release()
      await new Promise((resolve) => setTimeout(resolve, 10))
    })
    expect(result.current).toEqual({ token: undefined, loading: false, error: undefined })
    expect(getAccessToken).toHaveBeenCalledTimes(1)
    unmount()
  })

  it('useLogout hands out the same logout function on every render', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const { result, rerender } = renderHook(() => useLogout(), { wrapper: ({ children }) => withSession(session, children) })
    const first = result.current.logout
    rerender()
    expect(result.current.logout).toBe(first)
    let settled: Awaited<ReturnType<typeof first>> | undefined
    await act(async () => {
      const pending = first()
      settled = await pending
    })
    expect(result.current.result).toBe(settled)
    expect(result.current.logout).toBe(first)
  })

  it('useTokenwardenSession gives the provided session', () => {
    const session = createWorld().tab()
    const { result } = renderHook(() => useTokenwardenSession(), { wrapper: ({ children }) => withSession(session, children) })
    expect(result.current).toBe(session)
  })

  it('works under StrictMode (effects run twice)', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    render(createElement(StrictMode, null, withSession(session, createElement(Status), createElement(Token))))
    await waitFor(() => expect(screen.getByTestId('token').textContent).toMatch(/^at-/))
    await act(async () => screen.getByRole('button', { name: 'Log out' }).click())
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('signed-out (logout)'))
    await waitFor(() => expect(world.server.requests).toHaveLength(2))
  })

  it('useSessionEvent hands the component every event while it is mounted, through its latest listener', async () => {
    const authority = createTestAuthority()
    const session = authority.session()
    await session.start()
    const heard: string[] = []
    // biome-ignore lint/correctness/noComponentHookFactories: a component per test, closing over what it heard
    function Log({ prefix }: { prefix: string }) {
      useSessionEvent((event) => heard.push(`${prefix}${event.type}`))
      return null
    }
    const view = render(withSession(session, createElement(Log, { prefix: 'a:' })))
    await act(() => authority.signIn(session))
    view.rerender(withSession(session, createElement(Log, { prefix: 'b:' })))
    await act(async () => void (await session.logout()))
    expect(heard).toContain('a:signed-in')
    expect(heard).toContain('b:logout-finished')
    expect(heard.filter((type) => type.startsWith('a:')).some((type) => type.includes('logout'))).toBe(false)
    const count = heard.length
    view.unmount()
    await authority.signIn(session)
    expect(heard).toHaveLength(count)
    authority.dispose()
  })

  it('renders on the server as loading', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const html = renderToString(withSession(session, createElement(Status)))
    expect(html).toContain('loading')
  })

  it.each<[string, () => unknown]>([
    ['useSession', () => useSession()],
    ['useAccessToken', () => useAccessToken()],
    ['useLogout', () => useLogout()],
    ['useTokenwardenSession', () => useTokenwardenSession()],
    ['useSessionEvent', () => useSessionEvent(() => {})],
  ])('%s outside <SessionProvider> throws a TokenwardenError that names the fix', (name, hook) => {
    // React logs the error it rethrows; keep the output clean.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    let thrown: unknown
    try {
      renderHook(hook)
    } catch (error) {
      thrown = error
    } finally {
      quiet.mockRestore()
    }
    expect(isTokenwardenError(thrown, 'invalid-request')).toBe(true)
    expect((thrown as Error).message).toBe(`${name}() must be used inside <SessionProvider session={...}>: wrap your app in it.`)
  })
})
