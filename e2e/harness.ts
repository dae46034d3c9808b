// The engine-neutral harness of the browser suites (e2e/browser/): the servers, one engine per
// test file, and what the tests say about a tab (sign in, read the session, log out). Tests
// describe tabs, sign-in, logout, offline and closing a tab; the driver in dev/browsers/ does
// the rest in Chromium, Firefox or WebKit.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest'
import { startAuthServer, type AuthServer, type AuthServerOptions } from '../dev/auth-server/index.js'
import { startDemoServer } from '../dev/demo-server.js'
import { launchEngine, missingEngine, waitInTab, type Engine, type IssuedTokens, type Profile, type Tab } from '../dev/browsers/index.js'
import { onFreePort } from '../dev/ports.js'
import { engineName } from './engine.js'

export { engineName, waitInTab, type IssuedTokens, type Profile, type Tab }

export const artifacts = new URL('./artifacts/', import.meta.url).pathname
mkdirSync(`${artifacts}engines/`, { recursive: true })

/** Screenshot names: Chromium's keep the names the README and docs know, the others say their engine. */
export const screenshotPath = (name: string) => `${artifacts}${engineName === 'chromium' ? '' : `${engineName}-`}${name}.png`

const missing = missingEngine(engineName)
if (missing) {
  // In CI a missing browser is a failure, never a silent skip.
  if (process.env.CI) throw new Error(missing)
  console.warn(`e2e (${engineName}): skipped. ${missing}`)
}

/**
 * The phone-width layout check. MiniBrowser (WebKit) will not make a window narrower than
 * about 447 px, so there the check runs at its narrowest window and says so in the test name.
 */
export const phoneWidthCheck = engineName === 'webkit' ? "at MiniBrowser's narrowest window (it refuses 390 px)" : 'at 390 px'

/** Narrows the tab to phone width (or as close as the engine allows); returns the width it got. */
export async function toPhoneWidth(tab: Tab): Promise<number> {
  await tab.setViewport(390, 844)
  // A window manager resizes asynchronously: wait until the page has seen a narrow width.
  await waitInTab(tab, () => innerWidth < 500, undefined, { what: 'a phone-sized window' })
  const width = await tab.evaluate(() => innerWidth)
  if (engineName !== 'webkit') expect(width).toBe(390)
  return width
}

/** A describe block of a browser suite, named after its engine; skipped with a warning when the engine is missing locally. */
export function describeInEngine(title: string, body: () => void) {
  describe.skipIf(Boolean(missing))(`${title} (${engineName})`, body)
}

export interface Stack {
  auth: AuthServer
  origin: string
  close(): Promise<void>
}

export interface StackOptions extends AuthServerOptions {
  /**
   * The demo page runs with `dpop: true`, as the server's client that must use DPoP
   * (`auth.dpopClientId`); against a server without DPoP (`dpop: false`), as the plain client.
   * Default false: the plain client, bearer tokens.
   */
  appDpop?: boolean | undefined
  /** The demo page signs in as the server's client that gets no refresh token (`auth.noRefreshClientId`). */
  appNoRefreshToken?: boolean | undefined
  /** The demo page renews silently on its silent-callback page (`silentRedirectUri`). */
  appSilentRenew?: boolean | undefined
  /** The demo page's idle limit (`idleTimeoutSeconds`). */
  appIdleTimeoutSeconds?: number | undefined
}

/** The dev authorization server and the demo page, on loopback ports of their own. */
export function startStack({
  appDpop = false,
  appNoRefreshToken = false,
  appSilentRenew = false,
  appIdleTimeoutSeconds,
  ...options
}: StackOptions = {}): Promise<Stack> {
  // The page's origin must be known before either server is built (the authorization server
  // registers it, the page is built with the issuer), so its port is chosen first.
  return onFreePort(async (port) => {
    const origin = `http://127.0.0.1:${port}`
    const auth = await startAuthServer({ spaOrigins: [origin], ...options })
    const clientId = appDpop ? (auth.dpopClientId ?? auth.clientId) : appNoRefreshToken ? auth.noRefreshClientId : auth.clientId
    const demo = await startDemoServer({
      port,
      issuer: auth.issuer,
      clientId,
      dpop: appDpop,
      silentRenew: appSilentRenew,
      idleTimeoutSeconds: appIdleTimeoutSeconds,
    }).catch(async (error: unknown) => {
      await auth.close()
      throw error
    })
    return {
      auth,
      origin,
      close: async () => {
        await Promise.allSettled([demo.close(), auth.close()])
      },
    }
  })
}

/**
 * The stack and one browser for a test file (started before its tests, stopped after them,
 * failures included), and a fresh profile with one tab for every test. Read the getters inside
 * hooks and tests.
 */
export function useStack(options: StackOptions = {}): {
  readonly stack: Stack
  readonly engine: Engine
  readonly profile: Profile
  readonly tab: Tab
} {
  let stack: Stack | undefined
  let engine: Engine | undefined
  let current: { profile: Profile; tab: Tab } | undefined
  beforeAll(async () => {
    stack = await startStack(options)
    engine = await launchEngine(engineName)
    // For the README's browser table (e2e/browser-table.ts): which version this run drove.
    writeFileSync(`${artifacts}engines/${engine.name}.json`, `${JSON.stringify({ name: engine.name, version: engine.version })}\n`)
  })
  afterAll(async () => {
    await current?.profile.close().catch(() => undefined)
    await engine?.close()
    await stack?.close()
  })
  beforeEach(async () => {
    stack!.auth.faults.reset()
    stack!.auth.clearLog()
    current = await engine!.newProfile()
  })
  afterEach(async () => {
    await current?.profile.close()
    current = undefined
  })
  return {
    get stack() {
      return stack!
    },
    get engine() {
      return engine!
    },
    get profile() {
      return current!.profile
    },
    get tab() {
      return current!.tab
    },
  }
}

/**
 * A third party for the suite, on another loopback port: it records the headers of whatever
 * reaches it and answers every origin (CORS), so a request that is not sent is the library's
 * doing, not the browser's. Started before the suite's tests, stopped after them.
 */
export function useThirdParty(): { readonly origin: string; readonly requests: IncomingHttpHeaders[] } {
  const requests: IncomingHttpHeaders[] = []
  let server: Server | undefined
  let origin = ''
  beforeAll(async () => {
    origin = await onFreePort(
      (port) =>
        new Promise<string>((resolve, reject) => {
          const started = createServer((request, response) => {
            requests.push(request.headers)
            response.writeHead(200, {
              'access-control-allow-origin': '*',
              'access-control-allow-headers': 'authorization, dpop',
              'content-type': 'application/json',
            })
            response.end('{}')
          })
          started.once('error', reject)
          started.listen(port, '127.0.0.1', () => {
            server = started
            resolve(`http://127.0.0.1:${port}`)
          })
        }),
    )
  })
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))
  return {
    get origin() {
      return origin
    },
    requests,
  }
}

/**
 * What proves a logout at the server: it received exactly two revocations, the refresh token
 * and the access token, each with its hint and the client's id, and both were answered 200;
 * and introspection now says both are inactive. Returns the two logged requests.
 */
export async function expectBothRevoked(auth: AuthServer, tokens: { access: string; refresh: string }) {
  const received = auth.revocations()
  expect(received.map((r) => ({ token: r.body.token, hint: r.body.token_type_hint, client: r.body.client_id, status: r.status }))).toEqual(
    expect.arrayContaining([
      { token: tokens.refresh, hint: 'refresh_token', client: auth.clientId, status: 200 },
      { token: tokens.access, hint: 'access_token', client: auth.clientId, status: 200 },
    ]),
  )
  expect(received).toHaveLength(2)
  await expect(auth.introspect(tokens.access)).resolves.toMatchObject({ active: false })
  await expect(auth.introspect(tokens.refresh)).resolves.toMatchObject({ active: false })
  return received
}

type Status = 'loading' | 'signed-in' | 'signed-out'
export type DemoWindow = { demo: { session: import('../src/index.js').Session } }

/** The demo page's session snapshot, read in the page. */
export function snapshotOf(tab: Tab) {
  return tab.evaluate(
    () => (window as unknown as DemoWindow).demo.session.getSnapshot() as { status: Status; reason?: string; expiresAt?: number },
  )
}

export function waitForStatus(tab: Tab, status: Status, timeout = 10_000) {
  return waitInTab(tab, (expected) => (window as unknown as Partial<DemoWindow>).demo?.session.getSnapshot().status === expected, status, {
    timeout,
    what: `status ${status}`,
  })
}

/** Waits until `selector` matches an element in the tab. */
export function waitForSelector(tab: Tab, selector: string, timeout = 10_000) {
  return waitInTab(tab, (s) => document.querySelector(s) !== null, selector, { timeout, what: selector })
}

/** The text of the first element matching `selector`, or null. */
export function textOf(tab: Tab, selector: string) {
  return tab.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector)
}

/** Signs in through the real server: the demo's button, the redirect, the callback. */
export async function signIn(tab: Tab, origin: string, path = '/') {
  await tab.goto(`${origin}${path}`)
  await waitForStatus(tab, 'signed-out')
  await tab.click('#login')
  await waitInTab(tab, (expected) => location.href === expected && document.readyState === 'complete', `${origin}${path}`, {
    what: `back at ${path}`,
  })
  await waitForStatus(tab, 'signed-in')
}

/** Opens another tab of the profile on the demo page, already signed in through storage. */
export async function openSignedInTab(profile: Profile, origin: string, path = '/') {
  const tab = await profile.newTab()
  await tab.goto(`${origin}${path}`)
  await waitForStatus(tab, 'signed-in')
  return tab
}

/** The demo's current access token, asked of the session in the page. */
export function accessTokenOf(tab: Tab) {
  return tab.evaluate(() => (window as unknown as DemoWindow).demo.session.getAccessToken())
}

/** Every record in tokenwarden's IndexedDB database, read in the page. */
export function indexedDbRecords(tab: Tab): Promise<Array<{ key: string; value: unknown }>> {
  return tab.evaluate(
    () =>
      new Promise<Array<{ key: string; value: unknown }>>((resolve, reject) => {
        const open = indexedDB.open('tokenwarden')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          if (!db.objectStoreNames.contains('records')) return resolve([])
          const store = db.transaction('records').objectStore('records')
          const keys = store.getAllKeys()
          const values = store.getAll()
          // Closed at once: an open connection would block a deletion of the database.
          values.onsuccess = () => {
            db.close()
            resolve(keys.result.map((key, i) => ({ key: String(key), value: values.result[i] })))
          }
          values.onerror = () => {
            db.close()
            reject(values.error)
          }
        }
      }),
  )
}

/**
 * The key prefixes (`session`, `outbox`) of the records that hold a token, sealed or not: an
 * ended session's marker, the sealing key and a DPoP key hold none.
 */
export async function tokenRecordPrefixes(tab: Tab): Promise<string[]> {
  const holdsToken = (value: unknown) => {
    const kind = (value as { kind?: unknown } | null)?.kind
    return kind === 'tokenwarden/session' || kind === 'tokenwarden/revocation'
  }
  return (await indexedDbRecords(tab))
    .filter((record) => holdsToken(record.value))
    .map((record) => record.key.split(':')[0]!)
    .sort()
}

/**
 * The tokens the server handed out last (a sign-in or a refresh), as the server logged them:
 * tests learn token values from the server, never from the page's storage (which may hold
 * them encrypted) or its UI (which never shows them).
 */
export function latestIssuedTokens(auth: AuthServer) {
  const last = auth.issuedTokens().at(-1)
  if (!last?.refresh_token) throw new Error('the server has issued no token set with a refresh token yet')
  return { access: last.access_token, refresh: last.refresh_token }
}

/** Everything script-visible Web Storage and cookies hold for the SPA origin, as one string to search. */
export function webStorageDump(tab: Tab): Promise<string> {
  return tab.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }))
}

/**
 * Marks the tab's current document; `sameDocument` later says whether it is still there, i.e.
 * the tab was not reloaded or navigated in between. Works alike in every engine.
 */
export async function markDocument(tab: Tab) {
  const mark = Math.random().toString(36).slice(2)
  await tab.evaluate((m) => {
    ;(window as unknown as { e2eMark?: string }).e2eMark = m
  }, mark)
  return () => tab.evaluate((m) => (window as unknown as { e2eMark?: string }).e2eMark === m, mark)
}

export interface PageLogoutResult {
  ms: number
  cleared: boolean
  revocation: Record<'refresh_token' | 'access_token', { status: string; code?: string }>
}

/** Calls `session.logout()` in the page and reports how long it took and what it said. */
export function logoutIn(tab: Tab): Promise<PageLogoutResult> {
  return tab.evaluate(async () => {
    const { session } = (window as unknown as DemoWindow).demo
    const started = performance.now()
    const result = await session.logout()
    const ms = performance.now() - started
    const one = (name: 'refresh_token' | 'access_token') => ({
      status: result.revocation[name],
      ...(result.errors[name] ? { code: result.errors[name].code } : {}),
    })
    return {
      ms,
      cleared: result.cleared,
      revocation: { refresh_token: one('refresh_token'), access_token: one('access_token') },
    }
  })
}
