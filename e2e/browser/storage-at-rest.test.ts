// Issue 14: tokens encrypted at rest and eviction noticed, in every engine. Token values are
// learned from the wire (the profile records the token endpoint's answers), never from the
// page's storage, which holds them encrypted.
import { beforeEach, expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  engineName,
  expectBothRevoked,
  logoutIn,
  signIn,
  snapshotOf,
  tokenRecordPrefixes,
  useStack,
  waitForStatus,
  type IssuedTokens,
  type Tab,
} from '../harness.js'

/**
 * Everything in tokenwarden's IndexedDB database as one text, read in the page: every key and
 * string, every byte array decoded as UTF-8 and byte by byte (a token stored as bytes would
 * show), and what each CryptoKey is. The database is never created by reading it, and the
 * connection is closed at once (an open one would block a deletion).
 */
function storedText(tab: Tab): Promise<string> {
  return tab.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const parts: string[] = []
        const visit = (value: unknown): void => {
          if (typeof value === 'string') parts.push(value)
          else if (value instanceof CryptoKey) parts.push(`[CryptoKey ${value.algorithm.name} extractable=${value.extractable}]`)
          else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
            const bytes =
              value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
            parts.push(new TextDecoder().decode(bytes), String.fromCharCode(...bytes))
          } else if (typeof value === 'object' && value !== null) {
            for (const [key, inner] of Object.entries(value)) {
              parts.push(key)
              visit(inner)
            }
          } else parts.push(String(value))
        }
        const open = indexedDB.open('tokenwarden')
        open.onupgradeneeded = () => open.transaction?.abort()
        open.onerror = () => resolve('')
        open.onsuccess = () => {
          const db = open.result
          if (!db.objectStoreNames.contains('records')) {
            db.close()
            return resolve('')
          }
          const store = db.transaction('records').objectStore('records')
          const keys = store.getAllKeys()
          const values = store.getAll()
          values.onsuccess = () => {
            db.close()
            keys.result.forEach((key, i) => {
              parts.push(String(key))
              visit(values.result[i])
            })
            resolve(parts.join('\n'))
          }
          values.onerror = () => {
            db.close()
            reject(values.error)
          }
        }
      }),
  )
}

/** Every token string the server has issued so far. */
const tokenStrings = (issued: readonly IssuedTokens[]) =>
  issued.flatMap((response) =>
    [response.access_token, response.refresh_token, (response as { id_token?: string }).id_token].filter((t): t is string => Boolean(t)),
  )

/** Fails when any issued token string is stored in IndexedDB, sealed bytes included. */
async function expectNoTokenStored(tab: Tab, issued: readonly IssuedTokens[]) {
  const text = await storedText(tab)
  const tokens = tokenStrings(issued)
  expect(tokens.length).toBeGreaterThan(0)
  for (const token of tokens) expect(text.includes(token), `a token (${token.slice(0, 6)}…) is stored in plaintext`).toBe(false)
  return text
}

describeInEngine('tokens encrypted at rest in IndexedDB, and eviction noticed (node-oidc-provider)', () => {
  const env = useStack()
  let page: Tab
  let issued: readonly IssuedTokens[]
  beforeEach(async () => {
    env.stack.auth.faults.reset()
    page = env.tab
    issued = env.profile.issued
    await signIn(page, env.stack.origin)
    await expect.poll(() => issued.length).toBe(1)
    env.stack.auth.clearLog()
  })

  it(`no token string is in any IndexedDB record at any point: sign-in, second tab, reload, refresh, ${engineName === 'webkit' ? 'network cut at the proxy (no online event; the outbox drains on its timer)' : 'offline logout'}, outbox drained`, async () => {
    const [first] = issued
    expect(await accessTokenOf(page)).toBe(first!.access_token)
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-in', storage: 'indexeddb', atRest: 'encrypted' })
    const afterSignIn = await expectNoTokenStored(page, issued)
    // The key is stored as a CryptoKey the page cannot export, never as bytes.
    expect(afterSignIn).toContain('[CryptoKey AES-GCM extractable=false]')

    const other = await env.profile.newTab()
    await other.goto(env.stack.origin)
    await waitForStatus(other, 'signed-in')
    expect(await accessTokenOf(other)).toBe(first!.access_token)

    await page.goto(env.stack.origin) // a reload
    await waitForStatus(page, 'signed-in')
    expect(await accessTokenOf(page)).toBe(first!.access_token)
    await expectNoTokenStored(page, issued)

    await page.evaluate(() => (window as unknown as { demo: { session: { refresh(): Promise<void> } } }).demo.session.refresh())
    await expect.poll(() => issued.length).toBe(2)
    const latest = issued[1]!
    await expect.poll(() => accessTokenOf(other)).toBe(latest.access_token)
    await expectNoTokenStored(page, issued)

    await env.profile.setOffline(true)
    const result = await logoutIn(page)
    expect(result.revocation).toEqual({
      refresh_token: { status: 'queued', code: 'network' },
      access_token: { status: 'queued', code: 'network' },
    })
    expect(await tokenRecordPrefixes(page)).toEqual(['outbox', 'outbox'])
    await expectNoTokenStored(page, issued)
    await waitForStatus(other, 'signed-out')
    expect(await snapshotOf(other)).toMatchObject({ status: 'signed-out', reason: 'other-tab' })

    await env.profile.setOffline(false)
    // WebKit: the network is cut at the proxy and no `online` event fires; the outbox's backoff timer sends them.
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 15_000 }).toBe(2)
    await expect.poll(() => tokenRecordPrefixes(page)).toEqual([])
    await expect(env.stack.auth.introspect(latest.access_token)).resolves.toMatchObject({ active: false })
    await expect(env.stack.auth.introspect(latest.refresh_token!)).resolves.toMatchObject({ active: false })
    await expectNoTokenStored(page, issued)
  })

  it('logout still revokes both tokens, read out of the sealed record; the server says both are dead', async () => {
    const [tokens] = issued
    const result = await logoutIn(page)
    expect(result.revocation).toEqual({ refresh_token: { status: 'revoked' }, access_token: { status: 'revoked' } })
    await expectBothRevoked(env.stack.auth, { access: tokens!.access_token, refresh: tokens!.refresh_token! })
    expect(await tokenRecordPrefixes(page)).toEqual([])
    await expectNoTokenStored(page, issued)
  })

  it('the database deleted under two running tabs: both say storage-lost at once, and the lost refresh token stays live at the server', async () => {
    const [tokens] = issued
    const other = await env.profile.newTab()
    await other.goto(env.stack.origin)
    await waitForStatus(other, 'signed-in')

    // What clearing site data or an eviction does: the database goes, without a logout.
    await other.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase('tokenwarden')
          request.onsuccess = () => resolve()
          request.onerror = () => reject(request.error)
        }),
    )
    await waitForStatus(page, 'signed-out')
    await waitForStatus(other, 'signed-out')
    expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'storage-lost' })
    expect(await snapshotOf(other)).toMatchObject({ status: 'signed-out', reason: 'storage-lost' })
    // Nobody can revoke what vanished: the README says so, and the server confirms it.
    expect(env.stack.auth.revocations()).toHaveLength(0)
    await expect(env.stack.auth.introspect(tokens!.refresh_token!)).resolves.toMatchObject({ active: true })

    // The tabs still work: a new sign-in is stored sealed again and shared.
    await signIn(page, env.stack.origin)
    await waitForStatus(other, 'signed-in')
    await expect.poll(() => issued.length).toBe(2)
    await expectNoTokenStored(page, issued)
  })
})
