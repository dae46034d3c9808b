// Server rendering, in plain Node (no window, no document, no IndexedDB): each binding renders
// its loading state to a string, and neither the session nor the binding opens storage, joins
// a channel, sends a request or leaves a timer behind.
import '@angular/compiler' // JIT: the test component's template is compiled here, at run time.
import { Component } from '@angular/core'
import { bootstrapApplication, type BootstrapContext } from '@angular/platform-browser'
import { provideServerRendering, renderApplication } from '@angular/platform-server'
import { renderToString } from 'react-dom/server'
import { createSession, type Session } from 'tokenwarden'
import { injectAccessToken, injectSession, provideTokenwarden } from 'tokenwarden/angular'
import { SessionProvider, useAccessToken, useSession } from 'tokenwarden/react'
import { createSessionPlugin, useAccessToken as useVueAccessToken, useSession as useVueSession } from 'tokenwarden/vue'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString as renderVueToString } from 'vue/server-renderer'

/**
 * What a started session reaches for: storage and the tabs' channel. On the server none may be
 * touched. (Reading `window` or `location` to find there is none is how code tells it runs in
 * Node: React, Vue and `createSession` do, and find nothing.)
 */
const browserApis = ['indexedDB', 'localStorage', 'sessionStorage', 'BroadcastChannel', 'caches'] as const

let touched: string[]
let requests: string[]
let restore: Array<() => void>

beforeEach(() => {
  touched = []
  requests = []
  restore = []
  for (const name of browserApis) {
    const own = Object.getOwnPropertyDescriptor(globalThis, name)
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name)
        return own?.get ? own.get.call(globalThis) : own?.value
      },
    })
    restore.push(() => (own ? Object.defineProperty(globalThis, name, own) : delete (globalThis as Record<string, unknown>)[name]))
  }
  watchTimers()
})
afterEach(() => {
  for (const undo of restore) undo()
})

/** A session as an app creates it at module level: real defaults, and a fetch that records. */
function appSession(): Session {
  return createSession({
    authority: 'https://id.example.test',
    clientId: 'spa',
    redirectUri: 'https://app.example.test/callback',
    fetch: async (input) => {
      requests.push(String(input instanceof Request ? input.url : input))
      return new Response('{}')
    },
  })
}

/**
 * The timers set since `beforeEach` that have neither fired nor been cleared: what a render
 * (or a session) would leave running.
 */
let live: Set<unknown>
function watchTimers() {
  live = new Set()
  const { setTimeout: set, clearTimeout: clear, setInterval: every, clearInterval: stop } = globalThis
  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle: unknown = set(
      (...given: unknown[]) => {
        live.delete(handle)
        callback(...given)
      },
      ms,
      ...args,
    )
    live.add(handle)
    return handle
  }) as typeof setTimeout
  globalThis.setInterval = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = every(callback, ms, ...args)
    live.add(handle)
    return handle
  }) as typeof setInterval
  globalThis.clearTimeout = ((handle: Parameters<typeof clearTimeout>[0]) => {
    live.delete(handle)
    clear(handle)
  }) as typeof clearTimeout
  globalThis.clearInterval = ((handle: Parameters<typeof clearInterval>[0]) => {
    live.delete(handle)
    stop(handle)
  }) as typeof clearInterval
  restore.push(() => Object.assign(globalThis, { setTimeout: set, clearTimeout: clear, setInterval: every, clearInterval: stop }))
}
const timers = () => live.size

/** Lets anything a render scheduled run out, so a leftover timer would be counted. */
const drain = () => new Promise((resolve) => setImmediate(resolve))

async function expectNothingLeft(session: Session) {
  await drain()
  expect(session.getSnapshot()).toEqual({ status: 'loading' }) // never started
  session.dispose()
  await drain()
  expect(timers()).toBe(0)
  expect(requests).toEqual([])
  expect(touched).toEqual([])
}

describe('server rendering: loading, and nothing of the browser touched', () => {
  it('runs where there is no browser at all', () => {
    expect([typeof window, typeof document, typeof indexedDB, typeof localStorage]).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'undefined',
    ])
  })

  it('React: renderToString with SessionProvider, useSession and useAccessToken', async () => {
    const session = appSession()
    function Status() {
      const snapshot = useSession()
      const { loading } = useAccessToken()
      return (
        <p>
          {snapshot.status} {String(loading)}
        </p>
      )
    }
    const html = renderToString(
      <SessionProvider session={session}>
        <Status />
      </SessionProvider>,
    )
    expect(html).toBe('<p>loading<!-- --> <!-- -->true</p>')
    await expectNothingLeft(session)
  })

  it('Vue: renderToString of an SSR app with the plugin, useSession and useAccessToken', async () => {
    const session = appSession()
    const app = createSSRApp({
      setup() {
        const snapshot = useVueSession()
        const { loading } = useVueAccessToken()
        return () => h('p', `${snapshot.value.status} ${loading.value}`)
      },
    }).use(createSessionPlugin(session))
    expect(await renderVueToString(app)).toBe('<p>loading true</p>')
    await expectNothingLeft(session)
  })

  it("Angular: platform-server's renderApplication with provideTokenwarden, injectSession and injectAccessToken", async () => {
    const session = appSession()
    const Status = Component({
      selector: 'app-root',
      template: '<p>{{ snapshot().status }} {{ token().loading }}</p>',
    })(
      class {
        readonly snapshot = injectSession()
        readonly token = injectAccessToken()
      },
    )
    const html = await renderApplication(
      (context: BootstrapContext) =>
        bootstrapApplication(Status, { providers: [provideServerRendering(), provideTokenwarden(session)] }, context),
      {
        document: '<html><head></head><body><app-root></app-root></body></html>',
        url: 'https://app.example.test/',
        allowedHosts: ['app.example.test'],
      },
    )
    expect(html).toContain('<p>loading true</p>')
    await expectNothingLeft(session)
  })
})
