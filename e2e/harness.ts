import { mkdirSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { startAuthServer, type AuthServer, type AuthServerOptions } from '../demo/server/auth-server.js'
import { startDemoServer } from '../demo/dev-server.js'
import { chromiumArgs, findChromium, freePort } from './environment.js'

export const artifacts = new URL('./artifacts/', import.meta.url).pathname
mkdirSync(artifacts, { recursive: true })

export const chromiumPath = findChromium()
if (!chromiumPath) {
  const help = 'No Chromium found: install one with `apt-get install chromium`, or set CHROMIUM_PATH.'
  // In CI a missing browser is a failure, never a silent skip.
  if (process.env.CI) throw new Error(help)
  console.warn(`e2e: skipped. ${help}`)
}

export function launchBrowser(options: { ignoreDefaultArgs?: string[] } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath!, args: [...chromiumArgs], ...options })
}

export interface Stack {
  auth: AuthServer
  origin: string
  close(): Promise<void>
}

/** The dev authorization server and the demo page, on loopback ports of their own. */
export async function startStack(options: AuthServerOptions = {}): Promise<Stack> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const auth = await startAuthServer({ spaOrigins: [origin], ...options })
  const demo = await startDemoServer({ port, issuer: auth.issuer, clientId: auth.clientId }).catch(async (error: unknown) => {
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
}

/**
 * The stack and a browser for one test file: started before its tests, stopped after them.
 * Read `stack` and `browser` inside hooks and tests (they exist from `beforeAll` on).
 */
export function useStack(options: AuthServerOptions = {}): { readonly stack: Stack; readonly browser: Browser } {
  let stack: Stack | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    stack = await startStack(options)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })
  return {
    get stack() {
      return stack!
    },
    get browser() {
      return browser!
    },
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

/** The demo page's session snapshot, read in the page. */
export function snapshotOf(page: Page) {
  return page.evaluate(() => (window as unknown as { demo: { session: { getSnapshot(): { status: Status; reason?: string } } } }).demo.session.getSnapshot())
}

export async function waitForStatus(page: Page, status: Status, timeout = 10_000) {
  await page.waitForFunction(
    (expected) => (window as unknown as { demo?: { session: { getSnapshot(): { status: string } } } }).demo?.session.getSnapshot().status === expected,
    status,
    { timeout },
  )
}

/** Signs in through the real server: the demo's button, the redirect, the callback. */
export async function signIn(page: Page, origin: string, path = '/') {
  await page.goto(`${origin}${path}`)
  await waitForStatus(page, 'signed-out')
  await Promise.all([page.waitForURL(`${origin}${path}`, { waitUntil: 'load' }), page.click('#login')])
  await waitForStatus(page, 'signed-in')
}

/** The demo's current access token, asked of the session in the page. */
export function accessTokenOf(page: Page) {
  return page.evaluate(() => (window as unknown as { demo: { session: { getAccessToken(): Promise<string> } } }).demo.session.getAccessToken())
}

/** Every record in tokenwarden's IndexedDB database, read in the page. */
export function indexedDbRecords(page: Page): Promise<Array<{ key: string; value: unknown }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
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
 * ended session's marker and the sealing key hold none.
 */
export async function tokenRecordPrefixes(page: Page): Promise<string[]> {
  const holdsToken = (value: unknown) => {
    const kind = (value as { kind?: unknown } | null)?.kind
    return kind === 'tokenwarden/session' || kind === 'tokenwarden/revocation'
  }
  return (await indexedDbRecords(page))
    .filter((record) => holdsToken(record.value))
    .map((record) => record.key.split(':')[0]!)
    .sort()
}

/** A token response of the server's token endpoint. */
export interface IssuedTokens {
  access_token: string
  refresh_token?: string
  id_token?: string
}

/**
 * Every token response the authorization server sent to the pages of `context`, read off the
 * wire: the tokens are stored encrypted, so IndexedDB cannot tell the tests what they are.
 * Call before signing in; responses arrive asynchronously (poll).
 */
export function captureIssuedTokens(context: BrowserContext): IssuedTokens[] {
  const issued: IssuedTokens[] = []
  context.on('response', (response) => {
    if (response.request().method() !== 'POST' || new URL(response.url()).pathname !== '/token' || !response.ok()) return
    response.json().then(
      (body: IssuedTokens) => issued.push(body),
      () => undefined,
    )
  })
  return issued
}

/** Everything Web Storage and cookies hold for the SPA origin, as one string to search. */
export async function webStorageDump(context: BrowserContext, page: Page): Promise<string> {
  const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }))
  const cookies = await context.cookies(page.url())
  return storage + JSON.stringify(cookies)
}

export interface PageLogoutResult {
  ms: number
  cleared: boolean
  revocation: Record<'refresh_token' | 'access_token', { status: string; code?: string }>
}

/** Calls `session.logout()` in the page and reports how long it took and what it said. */
export function logoutIn(page: Page): Promise<PageLogoutResult> {
  return page.evaluate(async () => {
    const { session } = (window as unknown as { demo: { session: import('../src/index.js').Session } }).demo
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
