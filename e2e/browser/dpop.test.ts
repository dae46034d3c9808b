// DPoP (RFC 9449) end to end: the demo page with `dpop: true` against node-oidc-provider, as
// the client that must use DPoP, in every engine. Everything is proven through the server (its
// /api/me, its token endpoint, introspection), not through the library's own state.
import { webcrypto } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  engineName,
  logoutIn,
  markDocument,
  openSignedInTab,
  signIn,
  snapshotOf,
  latestIssuedTokens,
  textOf,
  useStack,
  waitForSelector,
  waitForStatus,
  waitInTab,
  type DemoWindow,
  type Tab,
} from '../harness.js'

/** What the page says about its binding (no token values). */
const bindingOf = (tab: Tab) => tab.evaluate(() => (window as unknown as DemoWindow).demo.session.getTokenBinding())

/** The app's own GET /api/me through session.http. */
const callApi = (tab: Tab, issuer: string) =>
  tab.evaluate((url) => (window as unknown as DemoWindow).demo.session.http.get(url).json<Record<string, unknown>>(), `${issuer}/api/me`)

const refreshIn = (tab: Tab) => tab.evaluate(() => (window as unknown as DemoWindow).demo.session.refresh())

/** tokenwarden's DPoP key records in IndexedDB, read in the page: their keys and what kind of CryptoKey they hold. */
function dpopKeyRecords(tab: Tab) {
  return tab.evaluate(
    () =>
      new Promise<Array<{ key: string; privateType: string; extractable: boolean; isCryptoKey: boolean }>>((resolve, reject) => {
        const open = indexedDB.open('tokenwarden')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          if (!db.objectStoreNames.contains('records')) return resolve([])
          const store = db.transaction('records').objectStore('records')
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
            db.close()
          }
          values.onerror = () => reject(values.error)
        }
      }),
  )
}

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64url')

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
    ...(request.accessToken
      ? { ath: b64url(await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(request.accessToken))) }
      : {}),
  }
  const input = `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(Buffer.from(JSON.stringify(payload)))}`
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(input))
  return `${input}.${b64url(signature)}`
}

describeInEngine('DPoP (RFC 9449) against node-oidc-provider', () => {
  describe('a server that requires DPoP of the demo client', () => {
    const env = useStack({ appDpop: true })
    const apiLog = () => env.stack.auth.requests.filter((r) => r.endpoint === 'api')
    const tokenLog = () => env.stack.auth.requests.filter((r) => r.endpoint === 'token')

    it('sign-in binds the tokens to the page key (token endpoint, introspection); /api/me accepts the app’s DPoP requests; the key is a non-extractable CryptoKey in IndexedDB', async () => {
      const { tab, stack } = env
      await signIn(tab, stack.origin)
      const binding = await bindingOf(tab)
      expect(binding).toMatchObject({ tokenType: 'DPoP', dpop: { algorithm: 'ES256', extractable: false } })
      // The code exchange carried a proof.
      expect(tokenLog().map((r) => ({ grant: r.body.grant_type, proof: Boolean(r.headers.dpop), status: r.status }))).toEqual([
        { grant: 'authorization_code', proof: true, status: 200 },
      ])
      // The server's own view: the token is DPoP and bound to the key thumbprint the page shows.
      const access = await accessTokenOf(tab)
      await expect(stack.auth.introspect(access)).resolves.toMatchObject({
        active: true,
        token_type: 'DPoP',
        cnf: { jkt: binding!.dpop!.thumbprint },
      })

      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user', tokenType: 'DPoP' })
      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
      const calls = apiLog()
      expect(calls.map((r) => r.status)).toEqual([200, 200])
      expect(calls.every((r) => r.headers.authorization?.startsWith('DPoP '))).toBe(true)
      expect(calls[0]!.headers.dpop).not.toBe(calls[1]!.headers.dpop) // a fresh proof per request

      // The key: a non-extractable private CryptoKey in IndexedDB, one for this sign-in.
      expect(await dpopKeyRecords(tab)).toEqual([
        { key: expect.stringMatching(/^dpop:/), privateType: 'private', extractable: false, isCryptoKey: true },
      ])
      // The demo page shows the binding.
      await waitForSelector(tab, '#dpop-extractable')
      expect(await textOf(tab, '#token-type')).toBe('DPoP')
      expect(await textOf(tab, '#dpop-thumbprint')).toBe(binding!.dpop!.thumbprint)
      expect(await textOf(tab, '#dpop-extractable')).toContain('non-extractable')
    })

    it('the same tokens out of the page are refused by /api/me: as bearer, without a proof, with a replayed proof, with another key’s proof', async () => {
      const { tab, stack } = env
      await signIn(tab, stack.origin)
      const access = await accessTokenOf(tab)
      await callApi(tab, stack.auth.issuer)
      const appProof = apiLog().at(-1)!.headers.dpop!
      const api = `${stack.auth.issuer}/api/me`
      const get = (headers: Record<string, string>) => fetch(api, { headers })

      const asBearer = await get({ authorization: `Bearer ${access}` })
      const noProof = await get({ authorization: `DPoP ${access}` })
      const replayed = await get({ authorization: `DPoP ${access}`, dpop: appProof })
      const otherKey = await get({
        authorization: `DPoP ${access}`,
        dpop: await proofFromAnotherKey({ method: 'GET', url: api, accessToken: access }),
      })
      expect([asBearer.status, noProof.status, replayed.status, otherKey.status]).toEqual([401, 401, 401, 401])
      expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/)
      expect(replayed.headers.get('www-authenticate')).toContain('replayed')
      expect(otherKey.headers.get('www-authenticate')).toContain('does not match')

      // The app itself still gets in: the refusals were about the thief, not the token.
      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
    })

    it('a refresh is bound to the same key (introspection); the stolen refresh token is refused without a proof and with another key’s', async () => {
      const { tab, stack } = env
      await signIn(tab, stack.origin)
      const before = await bindingOf(tab)
      const oldAccess = await accessTokenOf(tab)
      await refreshIn(tab)
      const access = await accessTokenOf(tab)
      expect(access).not.toBe(oldAccess)
      expect(await bindingOf(tab)).toEqual(before)
      expect(tokenLog().map((r) => ({ grant: r.body.grant_type, proof: Boolean(r.headers.dpop), status: r.status }))).toEqual([
        { grant: 'authorization_code', proof: true, status: 200 },
        { grant: 'refresh_token', proof: true, status: 200 },
      ])
      await expect(stack.auth.introspect(access)).resolves.toMatchObject({
        active: true,
        token_type: 'DPoP',
        cnf: { jkt: before!.dpop!.thumbprint },
      })
      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user', tokenType: 'DPoP' })

      // The current refresh token, stolen: without a proof, or with another key's, the server refuses it.
      const stolen = latestIssuedTokens(stack.auth).refresh
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
      const { tab, stack } = env
      stack.auth.faults.set({ tokenDpopNonce: true, apiDpopNonce: true })
      await signIn(tab, stack.origin)
      expect(tokenLog().map((r) => r.status)).toEqual([400, 200])
      await refreshIn(tab)
      // The nonce from the code exchange is remembered for the server's origin.
      expect(tokenLog().map((r) => r.status)).toEqual([400, 200, 200])

      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
      expect(apiLog().map((r) => r.status)).toEqual([401, 200])
      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
      expect(apiLog().map((r) => r.status)).toEqual([401, 200, 200])
    })

    it('logout revokes both tokens (no proof needed; introspection says inactive, /api/me refuses) and deletes the key pair from IndexedDB', async () => {
      const { tab, stack } = env
      await signIn(tab, stack.origin)
      const access = await accessTokenOf(tab)
      expect(await dpopKeyRecords(tab)).toHaveLength(1)
      stack.auth.clearLog()
      const result = await logoutIn(tab)
      expect(result.revocation).toEqual({ refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } })
      expect(stack.auth.revocations().map((r) => ({ status: r.status, proof: Boolean(r.headers.dpop) }))).toEqual([
        { status: 200, proof: false },
        { status: 200, proof: false },
      ])
      await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: false })
      expect(await dpopKeyRecords(tab)).toEqual([])
      expect((await fetch(`${stack.auth.issuer}/api/me`, { headers: { authorization: `DPoP ${access}` } })).status).toBe(401)
    })

    // WebKit: the harness's proxy drops every connection, so requests really fail, but the page
    // gets no `online` event when the network is back: the outbox's own backoff timer sends them.
    const outbox =
      engineName === 'webkit'
        ? "the outbox still revokes after the key is gone (revocation needs no proof); network cut at the proxy (WebKit's WebDriver has no offline switch, so no online event): it drains on its backoff timer"
        : 'the outbox still revokes after the key is gone (revocation needs no proof); offline logout, then back online: it drains'
    it(outbox, async () => {
      const { tab, stack, profile } = env
      await signIn(tab, stack.origin)
      const access = await accessTokenOf(tab)
      await profile.setOffline(true)
      const result = await logoutIn(tab)
      expect(result.revocation).toEqual({
        refresh_token: { status: 'queued', code: 'network' },
        access_token: { status: 'queued', code: 'network' },
      })
      expect(await dpopKeyRecords(tab)).toEqual([])
      expect(stack.auth.revocations()).toHaveLength(0)
      await profile.setOffline(false)
      await expect.poll(() => stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 10_000 }).toBe(2)
      await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: false })
    })

    it('a sign-in in another tab gets its own key; the first tab adopts it and the old key is deleted', async () => {
      const { tab, stack, profile } = env
      // A sign-in that replaces a session revokes the old tokens; in one browser both sign-ins
      // share the provider's grant, which revoking would end as a whole (node-oidc-provider
      // revokes every token of a grant when one of them is revoked; the fault switch keeps it to one).
      stack.auth.faults.set({ revokeOnlyPresented: true })
      await signIn(tab, stack.origin)
      const first = await bindingOf(tab)
      // The other tab starts signed in (tabs share IndexedDB); it signs in again from there.
      const other = await openSignedInTab(profile, stack.origin)
      const sameDocument = await markDocument(other)
      await other.evaluate(() => void (window as unknown as DemoWindow).demo.session.login())
      // Away to the server and back through /callback: a new document, back at the start page.
      await expect.poll(() => sameDocument().catch(() => true), { timeout: 10_000 }).toBe(false)
      await waitInTab(other, (start) => location.href === start && document.readyState === 'complete', `${stack.origin}/`, {
        what: 'back at / after the second sign-in',
      })
      await waitForStatus(other, 'signed-in')
      expect(
        tokenLog()
          .filter((r) => r.status === 200)
          .map((r) => r.body.grant_type),
      ).toEqual(['authorization_code', 'authorization_code'])
      const second = await bindingOf(other)
      expect(second?.dpop?.thumbprint).toBeTruthy()
      expect(second?.dpop?.thumbprint).not.toBe(first?.dpop?.thumbprint)
      await expect.poll(async () => (await bindingOf(tab))?.dpop?.thumbprint, { timeout: 10_000 }).toBe(second?.dpop?.thumbprint)
      expect(await dpopKeyRecords(tab)).toHaveLength(1)
      await expect(callApi(tab, stack.auth.issuer)).resolves.toMatchObject({ sub: 'demo-user' })
      const access = await accessTokenOf(tab)
      await expect(stack.auth.introspect(access)).resolves.toMatchObject({ active: true, cnf: { jkt: second!.dpop!.thumbprint } })
    })
  })

  describe('a server without DPoP', () => {
    const env = useStack({ dpop: false, appDpop: true })

    it('login() fails with dpop-unsupported before any redirect: never a silent bearer token', async () => {
      const { tab, stack } = env
      await tab.goto(stack.origin)
      await waitForStatus(tab, 'signed-out')
      const error = await tab.evaluate(() =>
        (window as unknown as DemoWindow).demo.session.login().then(
          () => 'no error',
          (e: { code?: string }) => e.code,
        ),
      )
      expect(error).toBe('dpop-unsupported')
      expect(await tab.url()).toBe(`${stack.origin}/`)
      expect(stack.auth.requests.filter((r) => r.endpoint === 'token')).toEqual([])
      expect(await snapshotOf(tab)).toMatchObject({ status: 'signed-out' })
    })
  })
})
