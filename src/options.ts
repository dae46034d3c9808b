import { defaults, maxTimerMs } from './defaults.js'
import { TokenwardenError } from './errors.js'
import type { ClientAuthentication } from './tokens.js'
import { resolveClientAuthentication } from './revocation/index.js'
import type { SealingCrypto, KeyValueStorage } from './storage/index.js'
import type { TabChannelFactory, TabLockFactory } from './tabs/index.js'
import { type Timers, isAllowedEndpoint } from './util/index.js'
import type { OidcSettings, ProtocolConfig, ProtocolFactory } from './protocol/index.js'

export type { ClientAuthentication }
export { defaults }

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
   * The longest `Retry-After` wait that is honoured; a longer one is cut to this.
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
   * Name of the IndexedDB database tokenwarden keeps its records in.
   * @default 'tokenwarden'
   */
  databaseName?: string
  /**
   * Encrypt the tokens (and profile) in stored records with AES-GCM under a non-extractable
   * key kept in the same database. Protects copies of the disk, backups and synced profile
   * folders; not script running in the page. Where WebCrypto is missing (not a secure
   * context) records are stored in plaintext, the snapshot says `atRest: 'unavailable'` and
   * the logger is told once. `false` stores them in plaintext (`atRest: 'off'`).
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
  /** Seam: the WebCrypto calls that seal records at rest (`generateKey`, `encrypt`, `decrypt`). @default crypto.subtle */
  subtle?: SealingCrypto
  /** Seam: the protocol adapter (replacing it also skips loading oidc-client-ts). @default oidc-client-ts (src/protocol/oidc.ts, loaded on first use) */
  protocol?: ProtocolFactory
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions extends ProtocolConfig {
  allowInsecureHttp: boolean
  revocation: Required<RevocationOptions>
  refreshLeewaySeconds: number
  autoRefresh: boolean
  databaseName: string
  dpop: boolean
  encryptAtRest: boolean
  persistStorage: boolean
  logger: { warn(message: string): void }
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

// Typed as a registry of every key (as ky does): adding an option without listing it here
// fails to compile, so unknown-option checking never drifts from the interface.
const sessionOptionKeys: { [K in keyof SessionOptions]-?: true } = {
  authority: true,
  clientId: true,
  redirectUri: true,
  scope: true,
  postLogoutRedirectUri: true,
  clientSecret: true,
  clientAuthentication: true,
  allowInsecureHttp: true,
  revocation: true,
  refreshLeewaySeconds: true,
  autoRefresh: true,
  databaseName: true,
  dpop: true,
  encryptAtRest: true,
  persistStorage: true,
  oidc: true,
  logger: true,
  fetch: true,
  storage: true,
  channel: true,
  lock: true,
  now: true,
  timers: true,
  navigate: true,
  subtle: true,
  protocol: true,
}
const revocationOptionKeys: { [K in keyof RevocationOptions]-?: true } = {
  timeoutMs: true,
  retryLimit: true,
  maxRetryAfterMs: true,
  keepalive: true,
  outbox: true,
  outboxMaxAgeMs: true,
}
const known = new Set(Object.keys(sessionOptionKeys))
const knownRevocation = new Set(Object.keys(revocationOptionKeys))
const snakeHints: Record<string, string> = {
  client_id: 'clientId',
  redirect_uri: 'redirectUri',
  post_logout_redirect_uri: 'postLogoutRedirectUri',
  client_secret: 'clientSecret',
  client_authentication: 'clientAuthentication',
}

function invalid(message: string): TokenwardenError {
  return new TokenwardenError('invalid-options', message)
}

function parseUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '') throw invalid(`\`${name}\` must be a non-empty URL string.`)
  try {
    return new URL(value)
  } catch (cause) {
    throw new TokenwardenError('invalid-options', `\`${name}\` is not an absolute URL: ${JSON.stringify(value)}.`, { cause })
  }
}

function optionalFunction<T>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw invalid(`\`${name}\` must be a function.`)
  return value as T
}

function optionalTimers(value: unknown): Timers | undefined {
  if (value === undefined) return undefined
  const timers = value as Partial<Timers> | null
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    throw invalid('`timers` must have `setTimeout` and `clearTimeout` methods.')
  }
  return timers as Timers
}

function positiveNumber(name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(`\`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} finite number.`)
  }
  return value
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalid(`\`${name}\` must be a boolean.`)
  return value
}

/** oidc-client-ts settings tokenwarden sets itself: given through `oidc` they would fight ours. */
const ownedOidcSettings: Record<string, string> = {
  authority: '`authority`',
  client_id: '`clientId`',
  redirect_uri: '`redirectUri`',
  scope: '`scope`',
  post_logout_redirect_uri: '`postLogoutRedirectUri`',
  client_secret: '`clientSecret`',
  client_authentication: '`clientAuthentication`',
  stateStore: "nothing: sign-in state is kept in tokenwarden's storage",
  dpop: 'nothing: set `dpop: true` instead',
}

/**
 * The pass-through may not switch security off: PKCE stays on, only the code flow with the
 * answer in the query (a fragment would keep `#code=…` in the URL and history), and every
 * endpoint given in `oidc.metadata` must pass the same https rule as the authority.
 */
function checkOidcSettings(oidc: Record<string, unknown>, allowInsecureHttp: boolean): void {
  for (const [key, instead] of Object.entries(ownedOidcSettings)) {
    if (key in oidc) throw invalid(`\`oidc.${key}\` is not passed through: use ${instead}.`)
  }
  if (oidc.disablePKCE) throw invalid('`oidc.disablePKCE` is refused: PKCE (RFC 7636) protects the authorization code of a browser app.')
  if (oidc.response_type !== undefined && oidc.response_type !== 'code') {
    throw invalid('`oidc.response_type` must be "code": tokenwarden uses the authorization code flow with PKCE.')
  }
  if (oidc.response_mode !== undefined && oidc.response_mode !== 'query') {
    throw invalid('`oidc.response_mode` must be "query": a fragment keeps the code in the URL where history and extensions can read it.')
  }
  const metadata = oidc.metadata
  if (metadata && typeof metadata === 'object') {
    for (const [name, value] of Object.entries(metadata as Record<string, unknown>)) {
      if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(value)) continue
      let url: URL
      try {
        url = new URL(value)
      } catch {
        continue
      }
      if (!isAllowedEndpoint(url, allowInsecureHttp)) {
        throw invalid(`\`oidc.metadata.${name}\` must use https: ${url.origin} is plain http on a host that is not loopback.`)
      }
    }
  }
}

// Once per logger, so an app that creates many sessions is told once, and tests can see it.
const warnedLoggers = new WeakSet<object>()

/** Validates `createSession` options and applies the defaults. Throws `invalid-options`. */
export function resolveOptions(input: SessionOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw invalid('createSession expects an options object.')
  for (const key of Object.keys(input)) {
    if (known.has(key)) continue
    const hint = snakeHints[key]
    throw invalid(`Unknown option \`${key}\`${hint ? `: did you mean \`${hint}\`?` : '.'}`)
  }
  const authority = parseUrl('authority', input.authority)
  const allowInsecureHttp = booleanOption('allowInsecureHttp', input.allowInsecureHttp, defaults.allowInsecureHttp)
  if (!isAllowedEndpoint(authority, allowInsecureHttp)) {
    throw invalid(
      `\`authority\` must use https (RFC 7009 §2): ${authority.origin} is plain http on a host that is not loopback. ` +
        'Set `allowInsecureHttp: true` only for development.',
    )
  }
  if (typeof input.clientId !== 'string' || input.clientId.trim() === '') throw invalid('`clientId` must be a non-empty string.')
  parseUrl('redirectUri', input.redirectUri)
  if (input.postLogoutRedirectUri !== undefined) parseUrl('postLogoutRedirectUri', input.postLogoutRedirectUri)
  const scope = input.scope ?? defaults.scope
  if (typeof scope !== 'string' || scope.trim() === '') throw invalid('`scope` must be a non-empty string.')

  const clientSecret = input.clientSecret
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === '')) {
    throw invalid('`clientSecret` must be a non-empty string when set.')
  }
  const clientAuthentication = resolveClientAuthentication(input.clientAuthentication, Boolean(clientSecret), 'clientSecret')

  const revocationInput = input.revocation ?? {}
  if (typeof revocationInput !== 'object' || revocationInput === null) throw invalid('`revocation` must be an object.')
  for (const key of Object.keys(revocationInput)) {
    if (!knownRevocation.has(key)) throw invalid(`Unknown option \`revocation.${key}\`.`)
  }
  const revocation: Required<RevocationOptions> = {
    timeoutMs: positiveNumber('revocation.timeoutMs', revocationInput.timeoutMs, defaults.revocation.timeoutMs),
    retryLimit: positiveNumber('revocation.retryLimit', revocationInput.retryLimit, defaults.revocation.retryLimit, true),
    maxRetryAfterMs: positiveNumber(
      'revocation.maxRetryAfterMs',
      revocationInput.maxRetryAfterMs,
      defaults.revocation.maxRetryAfterMs,
      true,
    ),
    keepalive: booleanOption('revocation.keepalive', revocationInput.keepalive, defaults.revocation.keepalive),
    outbox: booleanOption('revocation.outbox', revocationInput.outbox, defaults.revocation.outbox),
    outboxMaxAgeMs: positiveNumber('revocation.outboxMaxAgeMs', revocationInput.outboxMaxAgeMs, defaults.revocation.outboxMaxAgeMs),
  }
  if (revocation.timeoutMs > maxTimerMs) throw invalid('`revocation.timeoutMs` is too large.')
  if (!Number.isInteger(revocation.retryLimit)) throw invalid('`revocation.retryLimit` must be a whole number.')

  const databaseName = input.databaseName ?? defaults.databaseName
  if (typeof databaseName !== 'string' || databaseName === '') throw invalid('`databaseName` must be a non-empty string.')
  if (input.oidc !== undefined && (typeof input.oidc !== 'object' || input.oidc === null)) {
    throw invalid('`oidc` must be an object of oidc-client-ts settings.')
  }
  if (input.oidc) checkOidcSettings(input.oidc as Record<string, unknown>, allowInsecureHttp)
  const logger = input.logger ?? console
  if (typeof logger.warn !== 'function') throw invalid('`logger` must have a `warn` method.')
  if (input.storage !== undefined && (typeof input.storage !== 'object' || input.storage === null)) {
    throw invalid('`storage` must be a KeyValueStorage object.')
  }

  if (clientSecret && !warnedLoggers.has(logger)) {
    warnedLoggers.add(logger)
    logger.warn(
      'tokenwarden: a clientSecret is configured. Code running in a browser cannot keep a secret; ' +
        'prefer a public client (no secret) with PKCE.',
    )
  }

  return {
    authority: input.authority,
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    scope,
    postLogoutRedirectUri: input.postLogoutRedirectUri,
    clientSecret,
    clientAuthentication,
    allowInsecureHttp,
    revocation,
    refreshLeewaySeconds: positiveNumber('refreshLeewaySeconds', input.refreshLeewaySeconds, defaults.refreshLeewaySeconds, true),
    autoRefresh: booleanOption('autoRefresh', input.autoRefresh, defaults.autoRefresh),
    databaseName,
    dpop: booleanOption('dpop', input.dpop, defaults.dpop),
    encryptAtRest: booleanOption('encryptAtRest', input.encryptAtRest, defaults.encryptAtRest),
    persistStorage: booleanOption('persistStorage', input.persistStorage, defaults.persistStorage),
    oidc: input.oidc ?? {},
    logger,
    fetch: optionalFunction('fetch', input.fetch),
    storage: input.storage,
    channel: optionalFunction('channel', input.channel),
    lock: optionalFunction('lock', input.lock),
    now: optionalFunction('now', input.now) ?? Date.now,
    timers: optionalTimers(input.timers),
    navigate: optionalFunction('navigate', input.navigate),
    subtle: input.subtle,
    protocol: optionalFunction('protocol', input.protocol),
  }
}
