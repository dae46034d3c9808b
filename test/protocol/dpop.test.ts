import { describe, expect, it } from 'vitest'
import { DPoP, thumbprintOf } from '../../src/protocol/dpop.js'
import { isTokenwardenError, type ProofKey, type Protocol, type ProtocolFactory } from '../../src/index.js'
import { ok, type SeenRequest } from '../helpers/fake-server.js'
import { issueGrant, issuer, revocationEndpoint } from '../helpers/protocol.js'
import { createWorld } from '../helpers/session.js'
import type { Grant } from '../../src/tokens.js'
import { recordKeys, sessionIdOf, createMemoryStorage, DPoPKeyStore } from '../../src/storage/index.js'

const api = 'https://api.example.test/me'
const sessionId = sessionIdOf(issuer, 'spa')

const decoder = new TextDecoder()
const fromBase64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
const decodePart = (part: string) => JSON.parse(decoder.decode(fromBase64url(part))) as Record<string, unknown>
const sha256 = async (text: string) => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** Checks a DPoP proof the way a resource server does: the signature with the embedded key. */
async function verifyProof(proof: string) {
  const [header, payload, signature] = proof.split('.') as [string, string, string]
  const jwk = decodePart(header).jwk as JsonWebKey
  const publicKey = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])
  const valid = await crypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    publicKey,
    fromBase64url(signature),
    new TextEncoder().encode(`${header}.${payload}`),
  )
  return { valid, header: decodePart(header), payload: decodePart(payload) }
}

/** A protocol seam whose server binds tokens to the key it is shown (or not, with `bind: false`). */
function dpopProtocol(options: { bind?: boolean; algs?: string[] } = {}) {
  const proofKeys: Array<ProofKey | undefined> = []
  const bound = (grant: Grant): Grant => ({ ...grant, tokens: { ...grant.tokens, tokenType: options.bind === false ? 'Bearer' : 'DPoP' } })
  const factory: ProtocolFactory = () => {
    const protocol: Protocol = {
      metadata: async () => ({ revocationEndpoint, dpopSigningAlgValues: options.algs ?? ['ES256', 'RS256'] }),
      signInUrl: async () => `${issuer}/auth`,
      processCallback: async (_url, proofKey) => {
        proofKeys.push(proofKey)
        return bound(issueGrant())
      },
      refresh: async (_current, proofKey) => {
        proofKeys.push(proofKey)
        return bound(issueGrant())
      },
      signOutUrl: async () => undefined,
    }
    return protocol
  }
  return { factory, proofKeys }
}

/** The API: accepts `DPoP <token>` with a valid proof; demands a nonce first when `nonce` is set. */
function dpopApi(nonce?: string) {
  return (request: SeenRequest) => {
    if (!request.url.startsWith(api)) return ok()
    const proof = request.headers.get('dpop') ?? ''
    const { nonce: sent } = proof ? decodePart(proof.split('.')[1]!) : {}
    if (nonce && sent !== nonce) {
      return new Response('', {
        status: 401,
        headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"', 'dpop-nonce': nonce },
      })
    }
    return Response.json({ ok: true })
  }
}

function dpopWorld(options: { nonce?: string; bind?: boolean; algs?: string[] } = {}) {
  const world = createWorld(dpopApi(options.nonce))
  const protocol = dpopProtocol(options)
  const overrides = { dpop: true, protocol: protocol.factory, destinations: [api] }
  return { world, protocol, overrides, apiRequests: () => world.server.requests.filter((r) => r.url.startsWith(api)) }
}

describe('DPoP proofs (RFC 9449)', () => {
  it('a proof is an ES256 JWS over the request that verifies with its embedded key', async () => {
    const dpop = new DPoP(new DPoPKeyStore(createMemoryStorage(), sessionId), () => 1_700_000_000_500)
    const key = await dpop.create()
    const first = await dpop.proof(key, { method: 'post', url: `${api}?q=1#frag`, accessToken: 'at-1' })
    const second = await dpop.proof(key, { method: 'post', url: api, accessToken: 'at-1' })
    const { valid, header, payload } = await verifyProof(first)
    expect(valid).toBe(true)
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } })
    expect(Object.keys(header.jwk as object).sort()).toEqual(['crv', 'kty', 'x', 'y'])
    expect(payload).toMatchObject({ htm: 'POST', htu: api, iat: 1_700_000_000, ath: await sha256('at-1') })
    expect(payload.nonce).toBeUndefined()
    expect(payload.jti).not.toBe(decodePart(second.split('.')[1]!).jti)
  })

  it('the key pair is stored as a non-extractable CryptoKey pair under its record key', async () => {
    const storage = createMemoryStorage()
    const dpop = new DPoP(new DPoPKeyStore(storage, sessionId), Date.now)
    const key = await dpop.create()
    const record = (await storage.get(recordKeys.dpopKey(sessionId, key.id))) as { keys: CryptoKeyPair }
    expect(record.keys.privateKey.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('jwk', record.keys.privateKey)).rejects.toThrow()
    expect((await dpop.info(key)).thumbprint).toBe(await thumbprintOf(record.keys))
  })
})

describe('DPoP key records', () => {
  it('sweep deletes keys no session uses once they are older than a sign-in takes; the session’s key and fresh ones stay', async () => {
    let now = 1_000_000_000
    const storage = createMemoryStorage()
    const dpop = new DPoP(new DPoPKeyStore(storage, sessionId), () => now)
    const inUse = await dpop.create()
    const orphan = await dpop.create()
    const { sessionRecord } = await import('../../src/storage/records.js')
    await storage.transact([], () => ({
      changes: {
        set: [
          [
            recordKeys.session(sessionId),
            sessionRecord({ ...issueGrant(), updatedAt: now, tokens: { ...issueGrant().tokens, dpopKey: inUse.id } }),
          ],
        ],
      },
      result: undefined,
    }))
    now += 60_000
    const fresh = await dpop.create()
    now += 10 * 60_000 - 30_000 // the orphan is now older than 10 minutes, `fresh` is not
    await dpop.sweep()
    const left = (await storage.entries(recordKeys.dpopPrefix(sessionId))).map(([key]) => key).sort()
    expect(left).toEqual([recordKeys.dpopKey(sessionId, inUse.id), recordKeys.dpopKey(sessionId, fresh.id)].sort())
    expect(left).not.toContain(recordKeys.dpopKey(sessionId, orphan.id))
  })

  it('a stored key whose private key is extractable is not ours: load() refuses it', async () => {
    const storage = createMemoryStorage()
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
    const { dpopKeyRecord } = await import('../../src/storage/dpop-key.js')
    await storage.transact([], () => ({
      changes: { set: [[recordKeys.dpopKey(sessionId, 'k'), dpopKeyRecord(keys, 0)]] },
      result: undefined,
    }))
    await expect(new DPoP(new DPoPKeyStore(storage, sessionId), Date.now).load('k')).resolves.toBeUndefined()
  })
})

describe('session with dpop: true', () => {
  it('sign-in makes a key, shows it to the token endpoint and keeps the tokens bound to it', async () => {
    const { world, protocol, overrides } = dpopWorld()
    const session = await world.signedInTab(overrides)
    const binding = await session.getTokenBinding()
    expect(binding).toMatchObject({ tokenType: 'DPoP', dpop: { algorithm: 'ES256', extractable: false } })
    const keyRecords = [...world.records.keys()].filter((k) => k.startsWith(recordKeys.dpopPrefix(sessionId)))
    expect(keyRecords).toHaveLength(1)
    expect(await thumbprintOf(protocol.proofKeys[0]!.keys)).toBe(binding?.dpop?.thumbprint)
  })

  it('session.http sends Authorization: DPoP with a fresh proof bound to the token, per request', async () => {
    const { world, overrides, apiRequests } = dpopWorld()
    const session = await world.signedInTab(overrides)
    const token = await session.getAccessToken()
    await session.http.get(`${api}?x=1`).json()
    await session.http.delete(api).json()
    const [get, del] = apiRequests()
    expect(get!.headers.get('authorization')).toBe(`DPoP ${token}`)
    const first = await verifyProof(get!.headers.get('dpop')!)
    const second = await verifyProof(del!.headers.get('dpop')!)
    expect(first.valid && second.valid).toBe(true)
    expect(first.payload).toMatchObject({ htm: 'GET', htu: api, ath: await sha256(token) })
    expect(second.payload).toMatchObject({ htm: 'DELETE', htu: api })
    expect(first.payload.jti).not.toBe(second.payload.jti)
  })

  it('use_dpop_nonce: one retry with the nonce, remembered for that origin, no refresh', async () => {
    const { world, protocol, overrides, apiRequests } = dpopWorld({ nonce: 'n-1' })
    const session = await world.signedInTab(overrides)
    await expect(session.http.get(api).json()).resolves.toEqual({ ok: true })
    await expect(session.http.get(api).json()).resolves.toEqual({ ok: true })
    const nonces = apiRequests().map((r) => decodePart(r.headers.get('dpop')!.split('.')[1]!).nonce)
    expect(nonces).toEqual([undefined, 'n-1', 'n-1'])
    expect(protocol.proofKeys).toHaveLength(1) // the sign-in; no refresh
  })

  it('a server that keeps refusing the nonce gets one retry, not a loop', async () => {
    const world = createWorld((request) =>
      request.url.startsWith(api)
        ? new Response('', {
            status: 401,
            headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': crypto.randomUUID() },
          })
        : ok(),
    )
    const session = await world.signedInTab({ dpop: true, protocol: dpopProtocol().factory, destinations: [api] })
    const error = await session.http.get(api).catch((e: unknown) => e)
    expect((error as { response?: Response }).response?.status).toBe(401)
    // The nonce retry, then the 401 → refresh → retry once: three requests, then the answer.
    expect(world.server.requests.filter((r) => r.url.startsWith(api))).toHaveLength(3)
  })

  it('refresh proves the same key and the new tokens stay bound to it', async () => {
    const { world, protocol, overrides } = dpopWorld()
    const session = await world.signedInTab(overrides)
    const before = await session.getTokenBinding()
    await session.refresh()
    expect(protocol.proofKeys).toHaveLength(2)
    expect(protocol.proofKeys[1]!.keys).toBe(protocol.proofKeys[0]!.keys)
    expect(await session.getTokenBinding()).toEqual(before)
  })

  it('logout deletes the key pair with the session; a new sign-in gets a new key', async () => {
    const { world, overrides } = dpopWorld()
    const session = await world.signedInTab(overrides)
    const first = await session.getTokenBinding()
    await session.logout()
    expect([...world.records.keys()].filter((k) => k.startsWith('dpop:'))).toEqual([])
    await session.handleCallback('https://app.example.test/callback?code=c2&state=s2')
    const second = await session.getTokenBinding()
    expect(second?.dpop?.thumbprint).not.toBe(first?.dpop?.thumbprint)
    expect([...world.records.keys()].filter((k) => k.startsWith('dpop:'))).toHaveLength(1)
  })

  it('a sign-in that replaces another session deletes the old key in the same step', async () => {
    const { world, overrides } = dpopWorld()
    // Plaintext records, so the test can read which key the stored session names.
    await world.signedInTab({ ...overrides, encryptAtRest: false })
    await world.signedInTab({ ...overrides, encryptAtRest: false })
    const stored = world.records.get(recordKeys.session(sessionId)) as { tokens: { dpopKey: string } }
    expect([...world.records.keys()].filter((k) => k.startsWith('dpop:'))).toEqual([recordKeys.dpopKey(sessionId, stored.tokens.dpopKey)])
  })

  it('a server without DPoP: login() fails with dpop-unsupported before any redirect', async () => {
    const { world, overrides } = dpopWorld({ algs: [] })
    const navigations: string[] = []
    const session = world.tab({ ...overrides, navigate: (url) => navigations.push(url) })
    const error = await session.login().catch((e: unknown) => e)
    expect(isTokenwardenError(error, 'dpop-unsupported')).toBe(true)
    expect(navigations).toEqual([])
  })

  it('a bearer token where a bound one was asked for: refused, revoked, no session and no key kept', async () => {
    const { world, overrides } = dpopWorld({ bind: false })
    const session = world.tab(overrides)
    await session.start()
    const error = await session.handleCallback('https://app.example.test/callback?code=c&state=s').catch((e: unknown) => e)
    expect(isTokenwardenError(error, 'dpop-unsupported')).toBe(true)
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out', reason: 'callback-failed' })
    expect([...world.records.keys()].filter((k) => k.startsWith('session:') || k.startsWith('dpop:'))).toEqual([])
    await expect.poll(() => world.server.requests.filter((r) => r.url === revocationEndpoint).length).toBe(2)
  })

  it('no WebCrypto ECDSA: start() fails with dpop-unsupported', async () => {
    const { world, overrides } = dpopWorld()
    const generateKey = crypto.subtle.generateKey
    // The seam here is the platform itself: a browser without ECDSA P-256 rejects generateKey.
    Object.defineProperty(crypto.subtle, 'generateKey', {
      value: () => Promise.reject(new DOMException('no', 'NotSupportedError')),
      configurable: true,
    })
    try {
      const error = await world
        .tab(overrides)
        .start()
        .catch((e: unknown) => e)
      expect(isTokenwardenError(error, 'dpop-unsupported')).toBe(true)
    } finally {
      Object.defineProperty(crypto.subtle, 'generateKey', { value: generateKey, configurable: true })
    }
  })
})

describe('the dpop option', () => {
  it('must be a boolean, and oidc-client-ts settings may not smuggle their own dpop in', async () => {
    const { resolveOptions } = await import('../../src/resolve-options.js')
    const base = { authority: issuer, clientId: 'spa', redirectUri: 'https://app.example.test/callback' }
    expect(resolveOptions(base).dpop).toBe(false)
    expect(() => resolveOptions({ ...base, dpop: 'yes' as unknown as boolean })).toThrow(/`dpop` must be a boolean/)
    expect(() => resolveOptions({ ...base, oidc: { dpop: undefined } })).toThrow(/set `dpop: true`/)
  })
})
