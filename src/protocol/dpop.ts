/**
 * DPoP (RFC 9449): the key pair of one sign-in, and the proofs that show the tokens are being
 * used by the browser that holds it. The private key is made non-extractable by WebCrypto and
 * kept in our storage as a `CryptoKey` (IndexedDB stores it by structured clone): no script,
 * ours included, can ever read its bytes, so a copied token is useless without this browser.
 *
 * Token endpoint proofs are made by oidc-client-ts (`oidc.ts`, through {@link ProofKey}); the
 * proofs for `session.http` are made here, because oidc-client-ts exports no proof function
 * outside its `UserManager`.
 */
import { TokenwardenError, toTokenwardenError } from '../errors.js'
import type { ProofKey, Protocol } from './seam.js'
import type { IssuedTokens, TokenSet } from '../tokens.js'
import { DPoPKeyStore, type KeyValueStorage } from '../storage/index.js'

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const
const encoder = new TextEncoder()

/** A sign-in that never came back (its tab closed mid-callback) leaves a key: swept after this. */
const orphanAgeMs = 10 * 60 * 1000

const base64url = (bytes: Uint8Array): string => {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
const encodeJson = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)))
const sha256 = async (text: string) => base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))))

/** `htu` is the URL without query and fragment (RFC 9449 §4.2). */
const htuOf = (url: string): string => {
  const target = new URL(url)
  target.search = ''
  target.hash = ''
  return target.href
}

/** One sign-in's key pair. */
export interface DPoPKey {
  readonly id: string
  readonly keys: CryptoKeyPair
}

/** What a UI may show about the key tokens are bound to. */
export interface DPoPKeyInfo {
  /** JWK SHA-256 thumbprint (RFC 7638): the server's `cnf.jkt` for these tokens. */
  readonly thumbprint: string
  readonly algorithm: 'ES256'
  /** Whether the private key's bytes can be exported: always false for keys tokenwarden makes. */
  readonly extractable: boolean
}

/** How the current tokens are bound (see `Session.getTokenBinding`). */
export interface TokenBinding {
  /** `DPoP` or `Bearer`, as the token endpoint said. */
  readonly tokenType: string
  /** The DPoP key the tokens are bound to; absent for bearer tokens. */
  readonly dpop?: DPoPKeyInfo
}

/**
 * Throws `dpop-unsupported` unless this browser can make a non-extractable ECDSA P-256 key
 * and sign with it (WebCrypto needs a secure context: https or loopback).
 */
export async function assertDPoPSupport(): Promise<void> {
  try {
    const keys = await crypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])
    await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new Uint8Array(1))
  } catch (cause) {
    throw new TokenwardenError(
      'dpop-unsupported',
      '`dpop: true` needs WebCrypto ECDSA P-256 (a secure context), which this browser lacks.',
      {
        cause,
      },
    )
  }
}

/**
 * The last `DPoP-Nonce` each origin sent (RFC 9449 §8, §9): the authorization server's and
 * each API's. In memory: a nonce is short-lived, and a stale one costs one retry.
 */
export class DPoPNonces {
  readonly #byOrigin = new Map<string, string>()

  get(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin)
  }

  set(url: string, nonce: string): void {
    this.#byOrigin.set(new URL(url).origin, nonce)
  }
}

/**
 * A session's DPoP: its keys kept in `records` under the session's names. The key store comes
 * with this chunk: sessions without DPoP never download it.
 */
export function createDPoP(records: KeyValueStorage, sessionId: string, now: () => number): DPoP {
  return new DPoP(new DPoPKeyStore(records, sessionId), now, new DPoPNonces())
}

/** The DPoP keys of one session (kept by storage's `DPoPKeyStore`), and their proofs. */
export class DPoP {
  readonly #keys: DPoPKeyStore
  readonly #now: () => number
  readonly #nonces: DPoPNonces
  /** The key last loaded, so a request does not read IndexedDB each time. */
  #cached: DPoPKey | undefined

  constructor(keys: DPoPKeyStore, now: () => number, nonces = new DPoPNonces()) {
    this.#keys = keys
    this.#now = now
    this.#nonces = nonces
  }

  /** The servers' nonces (RFC 9449 §8, §9), shared by the token endpoint and `session.http`. */
  get nonces(): DPoPNonces {
    return this.#nonces
  }

  /** A new key pair for a sign-in, stored before it is used. */
  async create(): Promise<DPoPKey> {
    const keys = await crypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])
    const key = { id: crypto.randomUUID(), keys }
    await this.#keys.save(key.id, keys, this.#now())
    this.#cached = key
    return key
  }

  /** The stored key `id`, or undefined once it was deleted (its session ended). */
  async load(id: string): Promise<DPoPKey | undefined> {
    if (this.#cached?.id === id) return this.#cached
    const keys = await this.#keys.load(id)
    if (!keys) return undefined
    this.#cached = { id, keys }
    return this.#cached
  }

  async discard(id: string): Promise<void> {
    if (this.#cached?.id === id) this.#cached = undefined
    await this.#keys.discard(id)
  }

  /**
   * Deletes keys that belong to no session: not the stored session's, and older than a
   * sign-in takes (another tab's callback may be under way with a key it just made).
   */
  sweep(): Promise<void> {
    return this.#keys.sweep(this.#now() - orphanAgeMs)
  }

  /** `key` for oidc-client-ts: token endpoint proofs, with the nonces kept here. */
  proofKey(key: DPoPKey): ProofKey {
    return { keys: key.keys, nonce: (url) => this.#nonces.get(url), rememberNonce: (url, nonce) => this.#nonces.set(url, nonce) }
  }

  /**
   * A DPoP proof JWT (RFC 9449 §4.2) for one request: a fresh `jti`, `htm`, `htu` without
   * query and fragment, `iat`, the hash of the access token it goes with (`ath`, §4.3), and
   * the nonce the target's origin asked for last, if any.
   */
  async proof(key: DPoPKey, request: { method: string; url: string; accessToken?: string }): Promise<string> {
    const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: await publicJwk(key.keys) }
    const nonce = this.#nonces.get(request.url)
    const payload = {
      jti: crypto.randomUUID(),
      htm: request.method.toUpperCase(),
      htu: htuOf(request.url),
      iat: Math.floor(this.#now() / 1000),
      ...(request.accessToken ? { ath: await sha256(request.accessToken) } : {}),
      ...(nonce ? { nonce } : {}),
    }
    const input = `${encodeJson(header)}.${encodeJson(payload)}`
    // WebCrypto's ECDSA signature is r || s, 64 bytes: the JWS ES256 form as it is (RFC 7518 §3.4).
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.keys.privateKey, encoder.encode(input))
    return `${input}.${base64url(new Uint8Array(signature))}`
  }

  async info(key: DPoPKey): Promise<DPoPKeyInfo> {
    return { thumbprint: await thumbprintOf(key.keys), algorithm: 'ES256', extractable: key.keys.privateKey.extractable }
  }
}

/** The public key as a JWK with only its required members, in RFC 7638's order. */
async function publicJwk(keys: CryptoKeyPair): Promise<{ crv: string; kty: string; x: string; y: string }> {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey)
  return { crv: crv!, kty: kty!, x: x!, y: y! }
}

/** RFC 7638 JWK thumbprint, SHA-256: what the server puts in `cnf.jkt`. */
export async function thumbprintOf(keys: CryptoKeyPair): Promise<string> {
  return sha256(JSON.stringify(await publicJwk(keys)))
}

const isBound = (tokens: TokenSet) => tokens.tokenType.toLowerCase() === 'dpop'

/**
 * The protocol with DPoP: sign-in only against a server that offers ES256 proofs; a new key
 * per sign-in, made before the code exchange and kept if the tokens come back bound to it;
 * refreshes prove the same key. Tokens that come back unbound are refused (never a silent
 * bearer token) and handed to `discard` to be revoked.
 */
export function withDPoP(protocol: Protocol, dpop: DPoP, discard: (tokens: TokenSet) => void): Protocol {
  const unbound = (what: string, issued: IssuedTokens) => {
    discard(issued.tokens)
    return new TokenwardenError(
      'dpop-unsupported',
      `The authorization server answered the ${what} with a ${issued.tokens.tokenType} token, not a DPoP-bound one; it was revoked.`,
    )
  }
  return {
    metadata: () => protocol.metadata(),
    signOutUrl: () => protocol.signOutUrl(),
    async signInUrl(args) {
      const { dpopSigningAlgValues } = await protocol.metadata()
      if (!dpopSigningAlgValues?.includes('ES256')) {
        throw new TokenwardenError(
          'dpop-unsupported',
          '`dpop: true`, but the authorization server does not offer DPoP with ES256 (dpop_signing_alg_values_supported).',
        )
      }
      return protocol.signInUrl(args)
    },
    async processCallback(url) {
      const key = await dpop.create()
      try {
        const issued = await protocol.processCallback(url, dpop.proofKey(key))
        if (!isBound(issued.tokens)) throw unbound('code exchange', issued)
        return { tokens: { ...issued.tokens, dpopKey: key.id }, profile: issued.profile }
      } catch (error) {
        await dpop.discard(key.id).catch(() => undefined)
        throw error
      }
    },
    async refresh(current) {
      const id = current.tokens.dpopKey
      // A session from before DPoP was turned on: it stays a bearer session until it ends.
      if (!id) return protocol.refresh(current)
      const key = await dpop.load(id).catch((error: unknown) => {
        throw toTokenwardenError(error, 'refresh-failed', 'The DPoP key could not be read.')
      })
      if (!key) {
        // The refresh token is bound to a key that is gone: it can never be used again.
        throw new TokenwardenError('refresh-failed', 'The DPoP key of this session is gone.', { error: 'invalid_grant' })
      }
      const issued = await protocol.refresh(current, dpop.proofKey(key))
      if (!isBound(issued.tokens)) throw unbound('refresh', issued)
      return { tokens: { ...issued.tokens, dpopKey: id }, profile: issued.profile }
    },
  }
}
