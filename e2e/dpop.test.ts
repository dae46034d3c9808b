// DPoP (RFC 9449) end to end: the demo page with `dpop: true` against node-oidc-provider, as
// the client that must use DPoP. Everything is proven through the server (its /api/me, its
// token endpoint, introspection), not through the library's own state. Self-contained (its
// own stack), so it can move to the multi-engine harness as it is.
import { webcrypto } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startDemoServer } from '../demo/dev-server.js'
import { startAuthServer, type AuthServer } from '../demo/server/auth-server.js'
import { freePort } from './environment.js'
import { accessTokenOf, chromiumPath, launchBrowser, signIn, snapshotOf, waitForStatus } from './harness.js'

type Demo = { demo: { session: import('../src/index.js').Session } }

interface DpopStack {
  auth: AuthServer
  origin: string
  close(): Promise<void>
}

async function startDpopStack(options: { serverDpop: boolean }): Promise<DpopStack> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const auth = await startAuthServer({ spaOrigins: [origin], dpop: options.serverDpop })
  const clientId = auth.dpopClientId ?? auth.clientId
  const demo = await startDemoServer({ port, issuer: auth.issuer, clientId, dpop: true }).catch(async (error: unknown) => {
    await auth.close()
    throw error
  })
  return { auth, origin, close: async () => void (await Promise.allSettled([demo.close(), auth.close()])) }
}

/** What the page says about its binding (no token values). */
const bindingOf = (page: Page) => page.evaluate(() => (window as unknown as Demo).demo.session.getTokenBinding())

/** The app's own GET /api/me through session.http. */
const callApi = (page: Page, issuer: string) =>
  page.evaluate((url) => (window as unknown as Demo).demo.session.http.get(url).json<Record<string, unknown>>(), `${issuer}/api/me`)

/** tokenwarden's DPoP key records in IndexedDB, read in the page: their keys and what kind of CryptoKey they hold. */
function dpopKeyRecords(page: Page) {
  return page.evaluate(
    () =>
      new Promise<Array<{ key: string; privateType: string; extractable: boolean; isCryptoKey: boolean }>>((resolve, reject) => {
        const open = indexedDB.open('tokenwarden')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const store = open.result.transaction('records').objectStore('records')
          const keys = store.getAllKeys()
          const values = store.getAll()
          values.onsuccess = () => {
            const rows = keys.result.map((key, i) => ({ key: String(key), value: values.result[i] as { keys?: CryptoKeyPair } }))
            resolve(
              rows
                .filter((row) => row.key.startsWith('dpop:'))
                .map(({ key, value }) => ({
                  key,
                  privateType: String(value.keys?.privateKey.type),
                  extractable: Boolean(value.keys?.privateKey.extractable),
                  isCryptoKey: value.keys?.privateKey instanceof CryptoKey,
                })),
            )
            open.result.close()
          }
          values.onerror = () => reject(values.error)
        }
      }),
  )
}

const b64url = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64url')

/** A well-formed DPoP proof from a key of our own here in Node: the key a thief would have. */
async function proofFromAnotherKey(request: { method: string; url: string; accessToken?: string }) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  const { crv, kty, x, y } = await webcrypto.subtle.exportKey('jwk', keys.publicKey)
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: { crv, kty, x, y } }
  const payload = {
    jti: webcrypto.randomUUID(),
    htm: request.method,
    htu: request.url,
    iat: Math.floor(Date.now() / 1000),
    ...(request.accessToken ? { ath: b64url(await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(request.accessToken))) } : {}),
  }
  const input = `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(Buffer.from(JSON.stringify(payload)))}`
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(input))
  return `${input}.${b64url(signature)}`
}

describe.skipIf(!chromiumPath)('DPoP against node-oidc-provider in Chromium', () => {
  let stack: DpopStack
  let browser: Browser
  let context: BrowserContext
  let page: Page
  beforeAll(async () => {
    stack = await startDpopStack({ serverDpop: true })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })
  beforeEach(async () => {
    stack.auth.faults.reset()
    stack.auth.clearLog()
    context = await browser.newContext()
    page = await context.newPage()
  })
  afterEach(async () => {
    await context.close()
  })

  const apiLog = () => stack.auth.requests.filter((r) => r.endpoint === 'api')
  const tokenLog = () => stack.auth.requests.filter((r) => r.endpoint === 'token')

  it('sign-in binds the tokens to the page key (token endpoint, introspection) and /api/me accepts the app’s DPoP requests', async () => {
    await signIn(page, stack.origin)
    const binding = await bindingOf(page)
    expect(binding).toMatchObject({ tokenType: 'DPoP', dpop: { algorithm: 'ES256', extractable: false } })
    // The code exchange carried a proof.
    expect(tokenLog().map((r) => ({ grant: r.body.grant_type, proof: Boolean(r.headers.dpop), status: r.status }))).toEqual([
      { grant: 'authorization_code', proof: true, status: 200 },
    ])
    // The server's own view: the token is DPoP and bound to the key thumbprint the page shows.
    const access = await accessTokenOf(page)
    await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: binding!.dpop!.thumbprint } })

    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user', tokenType: 'DPoP' })
    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
    const calls = apiLog()
    expect(calls.map((r) => r.status)).toEqual([200, 200])
    expect(calls.every((r) => r.headers.authorization?.startsWith('DPoP '))).toBe(true)
    expect(calls[0]!.headers.dpop).not.toBe(calls[1]!.headers.dpop) // a fresh proof per request

    // The key: a non-extractable private CryptoKey in IndexedDB, one for this sign-in.
    const records = await dpopKeyRecords(page)
    expect(records).toEqual([{ key: expect.stringMatching(/^dpop:/), privateType: 'private', extractable: false, isCryptoKey: true }])
    // The demo page shows the binding.
    await page.waitForSelector('#dpop-extractable')
    expect(await page.locator('#token-type').textContent()).toBe('DPoP')
    expect(await page.locator('#dpop-thumbprint').textContent()).toBe(binding!.dpop!.thumbprint)
    expect(await page.locator('#dpop-extractable').textContent()).toContain('non-extractable')
  })

  it('the same tokens out of the page are refused: as bearer, without a proof, with a replayed proof, with another key’s proof', async () => {
    await signIn(page, stack.origin)
    const access = await accessTokenOf(page)
    await callApi(page, stack.auth.issuer)
    const appProof = apiLog().at(-1)!.headers.dpop!
    const api = `${stack.auth.issuer}/api/me`
    const get = (headers: Record<string, string>) => fetch(api, { headers })

    const asBearer = await get({ authorization: `Bearer ${access}` })
    const noProof = await get({ authorization: `DPoP ${access}` })
    const replayed = await get({ authorization: `DPoP ${access}`, dpop: appProof })
    const otherKey = await get({ authorization: `DPoP ${access}`, dpop: await proofFromAnotherKey({ method: 'GET', url: api, accessToken: access }) })
    expect([asBearer.status, noProof.status, replayed.status, otherKey.status]).toEqual([401, 401, 401, 401])
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/)
    expect(replayed.headers.get('www-authenticate')).toContain('replayed')
    expect(otherKey.headers.get('www-authenticate')).toContain('does not match')

    // The app itself still gets in: the refusals were about the thief, not the token.
    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
  })

  it('a refresh is bound to the same key; the refresh token is useless with another key', async () => {
    await signIn(page, stack.origin)
    const before = await bindingOf(page)
    const oldAccess = await accessTokenOf(page)
    await page.evaluate(() => (window as unknown as Demo).demo.session.refresh())
    const access = await accessTokenOf(page)
    expect(access).not.toBe(oldAccess)
    expect(await bindingOf(page)).toEqual(before)
    expect(tokenLog().map((r) => ({ grant: r.body.grant_type, proof: Boolean(r.headers.dpop), status: r.status }))).toEqual([
      { grant: 'authorization_code', proof: true, status: 200 },
      { grant: 'refresh_token', proof: true, status: 200 },
    ])
    await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: before!.dpop!.thumbprint } })
    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user', tokenType: 'DPoP' })

    // The current refresh token, stolen: without a proof, or with another key's, the server refuses it.
    const refresh = tokenLog().at(-1)!
    expect(refresh.status).toBe(200)
    const stolen = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('tokenwarden')
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const store = open.result.transaction('records').objectStore('records')
            const all = store.getAll()
            all.onsuccess = () => {
              const session = (all.result as Array<{ kind?: string; tokens?: { refreshToken: string } }>).find((v) => v.kind === 'tokenwarden/session')
              open.result.close()
              resolve(session!.tokens!.refreshToken)
            }
          }
        }),
    )
    const tokenEndpoint = `${stack.auth.issuer}/token`
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen, client_id: stack.auth.dpopClientId! })
    const withoutProof = await fetch(tokenEndpoint, { method: 'POST', body: form })
    const withOtherKey = await fetch(tokenEndpoint, {
      method: 'POST',
      body: form,
      headers: { dpop: await proofFromAnotherKey({ method: 'POST', url: tokenEndpoint }) },
    })
    expect([withoutProof.status, withOtherKey.status]).toEqual([400, 400])
    expect(((await withOtherKey.json()) as { error: string }).error).toBe('invalid_grant')
  })

  it('use_dpop_nonce: the token endpoint and /api/me demand a nonce; one retry each, then the nonce is remembered', async () => {
    stack.auth.faults.set({ tokenDpopNonce: true, apiDpopNonce: true })
    await signIn(page, stack.origin)
    expect(tokenLog().map((r) => r.status)).toEqual([400, 200])
    await page.evaluate(() => (window as unknown as Demo).demo.session.refresh())
    // The nonce from the code exchange is remembered for the server's origin.
    expect(tokenLog().map((r) => r.status)).toEqual([400, 200, 200])

    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
    expect(apiLog().map((r) => r.status)).toEqual([401, 200])
    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
    expect(apiLog().map((r) => r.status)).toEqual([401, 200, 200])
  })

  it('logout revokes both tokens (no proof needed) and deletes the key pair from IndexedDB', async () => {
    await signIn(page, stack.origin)
    const access = await accessTokenOf(page)
    expect(await dpopKeyRecords(page)).toHaveLength(1)
    stack.auth.clearLog()
    const result = await page.evaluate(async () => (await (window as unknown as Demo).demo.session.logout()).revocation)
    expect(result).toEqual({ refresh_token: 'revoked', access_token: 'revoked' })
    expect(stack.auth.revocations().map((r) => ({ status: r.status, proof: Boolean(r.headers.dpop) }))).toEqual([
      { status: 200, proof: false },
      { status: 200, proof: false },
    ])
    await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: false })
    expect(await dpopKeyRecords(page)).toEqual([])
    expect((await fetch(`${stack.auth.issuer}/api/me`, { headers: { authorization: `DPoP ${access}` } })).status).toBe(401)
  })

  it('the outbox still revokes after the key is gone (revocation needs no proof)', async () => {
    await signIn(page, stack.origin)
    const access = await accessTokenOf(page)
    await context.setOffline(true)
    const result = await page.evaluate(async () => (await (window as unknown as Demo).demo.session.logout()).revocation)
    expect(result).toEqual({ refresh_token: 'queued', access_token: 'queued' })
    expect(await dpopKeyRecords(page)).toEqual([])
    await context.setOffline(false) // `online`: the outbox drains
    await expect.poll(() => stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 10_000 }).toBe(2)
    await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: false })
  })

  it('a sign-in in another tab gets its own key; the first tab adopts it and the old key is deleted', async () => {
    // A sign-in that replaces a session revokes the old tokens; in one browser both sign-ins
    // share the provider's grant, which revoking would end as a whole (see FACTS.md).
    stack.auth.faults.set({ revokeOnlyPresented: true })
    await signIn(page, stack.origin)
    const first = await bindingOf(page)
    // The other tab starts signed in (tabs share IndexedDB); it signs in again from there.
    const other = await context.newPage()
    await other.goto(stack.origin)
    await waitForStatus(other, 'signed-in')
    const callback = other.waitForURL((url) => url.pathname === '/callback')
    await other.evaluate(() => void (window as unknown as Demo).demo.session.login())
    await callback
    await other.waitForURL(`${stack.origin}/`)
    await waitForStatus(other, 'signed-in')
    const second = await bindingOf(other)
    expect(second?.dpop?.thumbprint).not.toBe(first?.dpop?.thumbprint)
    await expect.poll(async () => (await bindingOf(page))?.dpop?.thumbprint).toBe(second?.dpop?.thumbprint)
    expect(await dpopKeyRecords(page)).toHaveLength(1)
    await expect(callApi(page, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
  })
})

describe.skipIf(!chromiumPath)('DPoP asked of a server without it', () => {
  let stack: DpopStack
  let browser: Browser
  beforeAll(async () => {
    stack = await startDpopStack({ serverDpop: false })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('login() fails with dpop-unsupported before any redirect: never a silent bearer token', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      await page.goto(stack.origin)
      await waitForStatus(page, 'signed-out')
      const error = await page.evaluate(async () =>
        (window as unknown as Demo).demo.session.login().then(
          () => 'no error',
          (e: { code?: string }) => e.code,
        ),
      )
      expect(error).toBe('dpop-unsupported')
      expect(page.url()).toBe(`${stack.origin}/`)
      expect(stack.auth.requests.filter((r) => r.endpoint === 'token')).toEqual([])
      expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out' })
    } finally {
      await context.close()
    }
  })
})
