import { defaults } from './defaults.js'
import type { Destination, DestinationOptions } from './http/index.js'
import type { OidcSettings, ProtocolConfig, ProtocolFactory } from './protocol/index.js'
import type { KeyValueStorage, SealingCrypto } from './storage/index.js'
import type { TabChannelFactory, TabLockFactory } from './tabs/index.js'
import type { ClientAuthentication } from './tokens.js'
import type { Logger, Timers } from './util/index.js'
import type { SilentRenewMode } from './silent-renew.js'

export type { SilentRenewMode }

export type { ClientAuthentication }
export { defaults }

/** Options of {@link createSession}. */
export interface SessionOptions {
  /**
   * The issuer. Its metadata is discovered at `${authority}/.well-known/openid-configuration`.
   * Must be https, except on loopback hosts (127.0.0.1, ::1, localhost).
   */
  authority: string
  /** The client's `client_id`. */
  clientId: string
  /** Where the authorization server sends the browser back after sign-in. */
  redirectUri: string
  /**
   * Scopes asked for at sign-in. `offline_access` asks for a refresh token.
   * @default 'openid profile offline_access'
   */
  scope?: string
  /** Where the authorization server sends the browser after `logout({ redirect: true })`. */
  postLogoutRedirectUri?: string
  /**
   * A client secret. A browser cannot keep a secret: set this only for a confidential client
   * you understand the risk of. tokenwarden warns once when it is set.
   */
  clientSecret?: string
  /**
   * How the client authenticates when revoking.
   * @default 'none' without a secret, 'client_secret_basic' with one
   */
  clientAuthentication?: ClientAuthentication
  /**
   * Allow plain `http:` for the authority on a host that is not loopback. RFC 7009 §2 asks
   * for TLS; loopback hosts (127.0.0.1, ::1, localhost) are always allowed.
   * @default false
   */
  allowInsecureHttp?: boolean
  /**
   * Where `session.http` may send the access token (and a DPoP proof), besides the app's own
   * origin: origins (`https://api.example.com`) or path prefixes on a segment boundary
   * (`https://api.example.com/v1/` matches `/v1/users`, never `/v10`). Matched on the parsed
   * URL: the exact scheme, host and port. A request anywhere else is refused before it is sent
   * (`destination-refused`), and a 401 from anywhere else never spends a refresh. https only,
   * but on loopback or with `allowInsecureHttp`. An entry may be an object
   * (`{ url, resource, scope }`, see {@link DestinationOptions}) that gets an access token of
   * its own for `resource` (RFC 8707), with just `scope`: that token goes only there.
   * @default [] (the app's own origin only)
   */
  destinations?: readonly (string | DestinationOptions)[]
  /** Revocation settings used by `logout()`. */
  revocation?: RevocationOptions
  /**
   * Refresh the access token when it expires within this many seconds (at the latest at half
   * its lifetime, for tokens that live shorter than that).
   * @default 60
   */
  refreshLeewaySeconds?: number
  /**
   * Refresh before the access token expires, without waiting for `getAccessToken()`. Every
   * tab schedules it; the cross-tab lock lets one of them refresh and the others adopt.
   * @default true
   */
  autoRefresh?: boolean
  /**
   * The silent-callback page: a page of the app's origin, registered at the server as a
   * redirect URI, that only posts its URL to the frame's parent (README, "Staying signed in").
   * With it, the session renews with `prompt=none` in a hidden iframe while the server's own
   * session lives (see `silentRenew`). Without it, there is no silent renewal.
   */
  silentRedirectUri?: string
  /**
   * When the session renews silently (needs `silentRedirectUri`): `'fallback'` only when the
   * refresh grant cannot serve (no refresh token, or the server refused it); `'on'` at every
   * renewal, refresh token or not; `'off'` never.
   * @default 'fallback'
   */
  silentRenew?: SilentRenewMode
  /**
   * How long the silent-callback page may take to answer before the session ends with
   * `login-required` (a frame blocked by X-Frame-Options or frame-ancestors never answers).
   * @default 10
   */
  silentRenewTimeoutSeconds?: number
  /**
   * The idle limit (README, "Idle limit"): the longest time, in seconds, without the user's
   * activity (a pointer, a key, a tab shown) in any tab of the app. At the limit the session
   * logs out in every tab, revocations included, with reason `idle`; while the user is idle
   * there is no proactive refresh. Off when absent.
   * @default undefined (off)
   */
  idleTimeoutSeconds?: number
  /**
   * With `idleTimeoutSeconds`: how long before the end the `idle-warning` countdown starts
   * (an event every second with the seconds left), so the app can offer "stay signed in"
   * (`session.stayActive()`). At most the limit itself.
   * @default 60
   */
  idleWarningSeconds?: number
  /**
   * Name of the IndexedDB database tokenwarden keeps its records in.
   * @default 'tokenwarden'
   */
  databaseName?: string
  /**
   * Encrypt the tokens (and profile) in stored records with AES-GCM under a non-extractable
   * key kept in the same database. Protects copies of the disk, backups and synced profile
   * folders; not script running in the page. `false` stores them in plaintext (`atRest: 'off'`).
   * Outside a browser, where `crypto.subtle` may be missing, records are stored in plaintext,
   * the snapshot says `atRest: 'unavailable'` and the logger is told once.
   * @default true
   */
  encryptAtRest?: boolean
  /**
   * After sign-in, ask the browser to keep the site's storage (`navigator.storage.persist()`)
   * so it is not evicted under pressure; the answer is the snapshot's `persisted`. Browsers
   * decide by their own policy (README, "What is stored where").
   * @default false
   */
  persistStorage?: boolean
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): a non-extractable ES256 key pair per sign-in,
   * kept in IndexedDB; the token endpoint binds the tokens to it, and `session.http` sends
   * `Authorization: DPoP` with a fresh proof per request (retrying once with a server's
   * `DPoP-Nonce`). A copied token is then useless without this browser's key. Sign-in fails
   * with `dpop-unsupported` when the server does not offer DPoP, and the session fails to
   * start with it when the browser has no WebCrypto ECDSA.
   * @default false
   */
  dpop?: boolean
  /**
   * Settings passed through to oidc-client-ts's `OidcClient`, under their own names (e.g.
   * `metadata`, `extraQueryParams`). Refused with `invalid-options`: the settings tokenwarden
   * sets itself, `disablePKCE`, a `response_type` other than `code`, a `response_mode` other
   * than `query`, and plain-http URLs in `metadata` (on hosts that are not loopback).
   * @default {}
   */
  oidc?: OidcSettings
  /** Where warnings go (a client secret in a browser, a discarded record). @default console */
  logger?: { warn(message: string): void }

  /** Seam: the `fetch` used for revocation and `session.http`. @default globalThis.fetch */
  fetch?: typeof fetch
  /** Seam: where records are kept. @default IndexedDB, falling back to memory */
  storage?: KeyValueStorage
  /** Seam: the cross-tab channel. @default BroadcastChannel, falling back to `storage` events */
  channel?: TabChannelFactory
  /** Seam: the cross-tab lock. @default navigator.locks, falling back to an in-tab lock */
  lock?: TabLockFactory
  /** Seam: the clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number
  /** Seam: the timers behind the proactive refresh and the outbox retry. @default setTimeout */
  timers?: Timers
  /** Seam: how the browser is sent to the authorization server. @default location.assign */
  navigate?: (url: string) => void
  /**
   * Seam: the WebCrypto calls that seal records at rest (`generateKey`, `encrypt`, `decrypt`);
   * the test kit passes a counted one so that `settle()` can wait for them. DPoP does not go
   * through it: oidc-client-ts signs the token endpoint's proofs with the page's own WebCrypto,
   * so a seam for DPoP's ECDSA keys would cover only half of its calls.
   * @default crypto.subtle
   */
  subtle?: SealingCrypto
  /** Seam: the protocol adapter (replacing it also skips loading oidc-client-ts). @default oidc-client-ts (src/protocol/oidc.ts, loaded on first use) */
  protocol?: ProtocolFactory
}

/** Revocation settings for `logout()`. */
export interface RevocationOptions {
  /**
   * Upper bound for revoking both tokens, retries included. `logout()` settles within this
   * plus a small margin even when the server never answers.
   * @default 5000
   */
  timeoutMs?: number
  /**
   * How often a 503 answer is retried (RFC 7009 §2.2.1), honouring `Retry-After`.
   * @default 2
   */
  retryLimit?: number
  /**
   * The longest `Retry-After` waited for before a retry; a server that asks for longer is not sent to again now (the outbox keeps its time).
   * @default 2000
   */
  maxRetryAfterMs?: number
  /**
   * Send revocations with `fetch`'s `keepalive`, so a logout followed by navigation still
   * reaches the server.
   * @default true
   */
  keepalive?: boolean
  /**
   * Keep a revocation that failed for a retryable reason (offline, timeout, 5xx) in IndexedDB
   * and retry it: when the browser is back online, on the next start, and with backoff
   * while a tab is open. The token then stays on the device until it is revoked or expires.
   * `false` forgets it instead.
   * @default true
   */
  outbox?: boolean
  /**
   * How long a queued refresh token is kept when its expiry is unknown.
   * @default 604800000 (7 days)
   */
  outboxMaxAgeMs?: number
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions extends ProtocolConfig {
  allowInsecureHttp: boolean
  /** The app's own origin (when it has one) and the declared destinations, parsed. */
  destinations: readonly Destination[]
  revocation: Required<RevocationOptions>
  refreshLeewaySeconds: number
  autoRefresh: boolean
  /** `off` without a `silentRedirectUri`. */
  silentRenew: SilentRenewMode
  silentRedirectUri: string | undefined
  silentRenewTimeoutSeconds: number
  idleTimeoutSeconds: number | undefined
  idleWarningSeconds: number
  databaseName: string
  dpop: boolean
  encryptAtRest: boolean
  persistStorage: boolean
  logger: Logger
  fetch: typeof fetch | undefined
  storage: KeyValueStorage | undefined
  channel: TabChannelFactory | undefined
  lock: TabLockFactory | undefined
  now: () => number
  timers: Timers | undefined
  navigate: ((url: string) => void) | undefined
  subtle: SealingCrypto | undefined
  protocol: ProtocolFactory | undefined
}
