import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, effectScope, h, isReadonly, nextTick, provide, type Component } from 'vue'
import {
  createSessionPlugin,
  sessionKey,
  useAccessToken,
  useLogout,
  useSession,
  useSessionEvent,
  useTokenwardenSession,
} from '../src/vue/index.js'
import { isTokenwardenError, type Session } from '../src/index.js'
import { createWorld, describeSnapshot } from './helpers/session.js'
import { tappedChannel } from './helpers/tabs.js'
import { createTestAuthority } from '../src/testing/index.js'

/** A status line and a logout button, counting its renders. */
function statusComponent(counter = { renders: 0 }) {
  return defineComponent({
    setup() {
      const snapshot = useSession()
      const { logout, pending, result } = useLogout()
      return () => {
        counter.renders += 1
        return h('div', [
          h('p', { 'data-testid': 'status' }, describeSnapshot(snapshot.value)),
          h('p', { 'data-testid': 'pending' }, String(pending.value)),
          h(
            'p',
            { 'data-testid': 'result' },
            result.value ? `${result.value.revocation.refresh_token}/${result.value.revocation.access_token}` : '-',
          ),
          h('button', { onClick: () => void logout() }, 'Log out'),
        ])
      }
    },
  })
}

const Token = defineComponent({
  setup() {
    const { token, loading, error } = useAccessToken()
    return () =>
      h('p', { 'data-testid': 'token' }, loading.value ? 'loading' : (token.value ?? `none${error.value ? ` (${error.value.code})` : ''}`))
  },
})

const mounted: Array<{ unmount(): void }> = []
afterEach(() => {
  for (const wrapper of mounted.splice(0)) wrapper.unmount()
})

function mountWith(session: Session, component: Component) {
  const wrapper = mount(component, { global: { plugins: [createSessionPlugin(session)] } })
  mounted.push(wrapper)
  return wrapper
}

const text = (wrapper: ReturnType<typeof mount>, id: string) => wrapper.get(`[data-testid="${id}"]`).text()

/** What a composable throws when it is called in `run`. */
function thrownBy(run: () => void): unknown {
  const quiet = vi.spyOn(console, 'warn').mockImplementation(() => {})
  try {
    run()
  } catch (error) {
    return error
  } finally {
    quiet.mockRestore()
  }
  return undefined
}

describe('Vue binding', () => {
  it('renders the signed-in state, and a logout from the component revokes both tokens and clears it', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const wrapper = mountWith(session, statusComponent())
    expect(text(wrapper, 'status')).toBe('signed-in as Test User')

    await wrapper.get('button').trigger('click')
    await vi.waitFor(() => expect(text(wrapper, 'status')).toBe('signed-out (logout)'))
    // Signed out on screen before the server answers; the result follows.
    await vi.waitFor(async () => {
      await flushPromises()
      expect(text(wrapper, 'pending')).toBe('false')
    })
    expect(text(wrapper, 'result')).toBe('revoked/revoked')
    expect(world.server.requests.map((r) => r.form.get('token_type_hint')).sort()).toEqual(['access_token', 'refresh_token'])
  })

  it('shows loading before start(), then the restored state', async () => {
    const world = createWorld()
    await world.signedInTab()
    const session = world.tab()
    const wrapper = mountWith(session, statusComponent())
    expect(text(wrapper, 'status')).toBe('loading')
    await session.start()
    await nextTick()
    expect(text(wrapper, 'status')).toBe('signed-in as Test User')
  })

  it('re-renders to signed-out when another tab logs out', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const other = world.tab()
    await other.start()
    const wrapper = mountWith(session, statusComponent())
    expect(text(wrapper, 'status')).toBe('signed-in as Test User')

    await other.logout()
    await vi.waitFor(() => expect(text(wrapper, 'status')).toBe('signed-out (other-tab)'))
    // Only the tab that logged out revoked anything.
    expect(world.server.requests).toHaveLength(2)
  })

  it('does not re-render when nothing changed', async () => {
    const world = createWorld()
    const tap = tappedChannel(world.hub.factory)
    const session = await world.signedInTab({ channel: tap.channel })
    const subscribe = vi.spyOn(session, 'subscribe')
    const counter = { renders: 0 }
    const wrapper = mountWith(session, statusComponent(counter))
    const before = counter.renders
    const snapshot = session.getSnapshot()

    // Another tab says it refreshed, but storage holds what this tab already has: the
    // session re-reads it and derives an equal snapshot.
    tap.deliver({ type: 'refreshed', signInId: null, tab: 'another-tab' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(session.getSnapshot()).toBe(snapshot)
    // And a listener call with no change at all (what a spurious notification would do).
    for (const call of subscribe.mock.calls) call[0]()
    await nextTick()
    expect(subscribe).toHaveBeenCalled()
    expect(counter.renders).toBe(before)
    expect(text(wrapper, 'status')).toBe('signed-in as Test User')
  })

  it('unsubscribes when the component unmounts', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const original = session.subscribe
    const unsubscribes: Array<ReturnType<typeof vi.fn>> = []
    vi.spyOn(session, 'subscribe').mockImplementation((listener) => {
      const unsubscribe = vi.fn(original(listener))
      unsubscribes.push(unsubscribe)
      return unsubscribe
    })
    const counter = { renders: 0 }
    const wrapper = mount(defineComponent({ setup: () => () => h('div', [h(statusComponent(counter)), h(Token)]) }), {
      global: { plugins: [createSessionPlugin(session)] },
    })
    await flushPromises()
    expect(unsubscribes).toHaveLength(2)
    wrapper.unmount()
    for (const unsubscribe of unsubscribes) expect(unsubscribe).toHaveBeenCalledTimes(1)

    const rendersAtUnmount = counter.renders
    await session.logout()
    await nextTick()
    expect(session.getSnapshot().status).toBe('signed-out')
    expect(counter.renders).toBe(rendersAtUnmount)
  })

  it('useAccessToken shows the token and updates after refresh()', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const wrapper = mountWith(session, Token)
    const first = await session.getAccessToken()
    await vi.waitFor(() => expect(text(wrapper, 'token')).toBe(first))

    await session.refresh()
    const second = await session.getAccessToken()
    expect(second).not.toBe(first)
    await vi.waitFor(() => expect(text(wrapper, 'token')).toBe(second))

    await session.logout()
    await vi.waitFor(() => expect(text(wrapper, 'token')).toBe('none'))
  })

  it('useAccessToken ignores an answer that comes after the snapshot moved on', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const real = session.getAccessToken.bind(session)
    const getAccessToken = vi.spyOn(session, 'getAccessToken').mockImplementation(async () => {
      await held
      return real()
    })
    const scope = effectScope()
    const refs = createApp({})
      .use(createSessionPlugin(session))
      .runWithContext(() => scope.run(() => useAccessToken())!)
    expect([refs.token.value, refs.loading.value, refs.error.value]).toEqual([undefined, true, undefined])
    await session.logout()
    expect([refs.token.value, refs.loading.value, refs.error.value]).toEqual([undefined, false, undefined])
    // The answer to the signed-in snapshot arrives now (a signed-out error): it is stale.
    release()
    await flushPromises()
    expect([refs.token.value, refs.loading.value, refs.error.value]).toEqual([undefined, false, undefined])
    expect(getAccessToken).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('returns readonly refs', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    const scope = effectScope()
    const app = createApp({}).use(createSessionPlugin(session))
    const { snapshot, token, logout } = app.runWithContext(
      () => scope.run(() => ({ snapshot: useSession(), token: useAccessToken(), logout: useLogout() }))!,
    )
    for (const ref of [snapshot, token.token, token.loading, token.error, logout.pending, logout.result]) expect(isReadonly(ref)).toBe(true)
    // The snapshot is the core's own object, not a copy or a proxy.
    expect(snapshot.value).toBe(session.getSnapshot())
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    ;(snapshot as { value: unknown }).value = { status: 'loading' }
    warn.mockRestore()
    expect(snapshot.value).toBe(session.getSnapshot())

    const settled = await logout.logout()
    expect(logout.result.value).toBe(settled)
    expect(logout.pending.value).toBe(false)
    expect(snapshot.value).toMatchObject({ status: 'signed-out', reason: 'logout' })
    scope.stop()
  })

  it('provide(sessionKey, ...) gives a subtree its own session; useTokenwardenSession returns it', async () => {
    const world = createWorld()
    const session = await world.signedInTab()
    let seen: Session | undefined
    const Child = defineComponent({
      setup() {
        seen = useTokenwardenSession()
        const snapshot = useSession()
        return () => h('p', { 'data-testid': 'status' }, describeSnapshot(snapshot.value))
      },
    })
    const wrapper = mount(
      defineComponent({
        setup() {
          provide(sessionKey, session)
          return () => h(Child)
        },
      }),
    )
    mounted.push(wrapper)
    expect(seen).toBe(session)
    expect(text(wrapper, 'status')).toBe('signed-in as Test User')
  })

  it.each<[string, () => unknown]>([
    ['useSession', () => useSession()],
    ['useAccessToken', () => useAccessToken()],
    ['useLogout', () => useLogout()],
    ['useTokenwardenSession', () => useTokenwardenSession()],
    ['useSessionEvent', () => useSessionEvent(() => {})],
  ])('%s without the plugin, or outside setup, throws a TokenwardenError that names the fix', (name, composable) => {
    // In a component of an app without the plugin.
    const withoutPlugin = thrownBy(() =>
      mount(
        defineComponent({
          setup: () => {
            composable()
            return () => h('p')
          },
        }),
      ),
    )
    expect(isTokenwardenError(withoutPlugin, 'invalid-request')).toBe(true)
    expect((withoutPlugin as Error).message).toBe(
      `${name}() found no tokenwarden session: install it with app.use(createSessionPlugin(session)).`,
    )

    // Outside any setup (an event handler, a module's top level).
    const outside = thrownBy(composable)
    expect(isTokenwardenError(outside, 'invalid-request')).toBe(true)
    expect((outside as Error).message).toMatch(new RegExp(`^${name}\\(\\) must be called in a component's setup\\(\\)`))
  })

  it('useSessionEvent hands the component every event until it unmounts', async () => {
    const authority = createTestAuthority()
    const session = authority.session()
    await session.start()
    const heard: string[] = []
    const Log = defineComponent({
      setup() {
        useSessionEvent((event) => heard.push(event.type))
        return () => h('p')
      },
    })
    const wrapper = mount(Log, { global: { plugins: [createSessionPlugin(session)] } })
    await authority.signIn(session)
    await session.logout()
    expect(heard).toEqual(expect.arrayContaining(['signed-in', 'logout-started', 'logout-finished', 'signed-out']))
    wrapper.unmount()
    const count = heard.length
    await authority.signIn(session)
    expect(heard).toHaveLength(count)
    authority.dispose()
  })

  it('refuses to subscribe where nothing would ever unsubscribe (injection context, no scope)', () => {
    const session = createWorld().tab()
    const subscribe = vi.spyOn(session, 'subscribe')
    const app = createApp({}).use(createSessionPlugin(session))
    const error = thrownBy(() => app.runWithContext(() => useSession()))
    expect(isTokenwardenError(error, 'invalid-request')).toBe(true)
    expect((error as Error).message).toContain('effectScope()')
    expect(subscribe).not.toHaveBeenCalled()
  })
})
