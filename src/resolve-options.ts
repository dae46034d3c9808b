import { defaults, maxTimerMs } from './defaults.js'
import { TokenwardenError } from './errors.js'
import type { ResolvedOptions, RevocationOptions, SessionOptions, SilentRenewMode } from './options.js'
import { ownOrigin, parseDestination } from './http/index.js'
import { checkOidcSettings, oidcSettingOptions } from './protocol/index.js'
import { resolveClientAuthentication } from './revocation/index.js'
import {
  checkBoolean,
  checkFunction,
  checkNumber,
  checkTimers,
  checkUrl,
  isAllowedEndpoint,
  type Logger,
  type NumberRule,
  warnOnce,
} from './util/index.js'

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
  destinations: true,
  revocation: true,
  refreshLeewaySeconds: true,
  autoRefresh: true,
  silentRedirectUri: true,
  silentRenew: true,
  silentRenewTimeoutSeconds: true,
  idleTimeoutSeconds: true,
  idleWarningSeconds: true,
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

function invalid(message: string): TokenwardenError {
  return new TokenwardenError('invalid-options', message)
}

/** A number option: `fallback` when absent, else checked against `rule`. */
const numberOption = (name: string, value: unknown, fallback: number, rule: NumberRule) =>
  value === undefined ? fallback : checkNumber(name, value, rule)

const silentModes: readonly SilentRenewMode[] = ['off', 'fallback', 'on']

/**
 * Silent renewal's options: the mode (`off` without a page to renew on), the page, and its
 * time bound. The page must be of the app's own origin: the frame posts its answer to its
 * parent for that origin only.
 */
function resolveSilentRenew(input: SessionOptions, own: string | undefined) {
  const mode = input.silentRenew ?? defaults.silentRenew
  if (!silentModes.includes(mode)) throw invalid(`\`silentRenew\` must be one of ${silentModes.map((m) => `'${m}'`).join(', ')}.`)
  // Kept as written: the server compares redirect URIs as strings.
  const silentRedirectUri = input.silentRedirectUri
  if (silentRedirectUri !== undefined) checkUrl('silentRedirectUri', silentRedirectUri)
  if (mode === 'on' && !silentRedirectUri) throw invalid('`silentRenew: \'on\'` needs a `silentRedirectUri` (README, "Staying signed in").')
  if (silentRedirectUri && own && new URL(silentRedirectUri).origin !== own) {
    throw invalid(
      `\`silentRedirectUri\` must be on the app's own origin (${own}): the hidden frame answers its parent on that origin only.`,
    )
  }
  if (silentRedirectUri && mode !== 'off' && input.dpop)
    throw invalid('Silent renewal does not work with `dpop: true` yet: leave out `silentRedirectUri`.')
  return {
    silentRenew: silentRedirectUri ? mode : ('off' as const),
    silentRedirectUri,
    silentRenewTimeoutSeconds: numberOption(
      'silentRenewTimeoutSeconds',
      input.silentRenewTimeoutSeconds,
      defaults.silentRenewTimeoutSeconds,
      {
        min: 1,
        max: maxTimerMs / 1000,
      },
    ),
  }
}

/** Validates `createSession` options and applies the defaults, once. Throws `invalid-options`. */
export function resolveOptions(input: SessionOptions): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw invalid('createSession expects an options object.')
  for (const key of Object.keys(input)) {
    if (known.has(key)) continue
    const hint = oidcSettingOptions[key]
    throw invalid(`Unknown option \`${key}\`${hint ? `: did you mean \`${hint}\`?` : '.'}`)
  }
  const authority = checkUrl('authority', input.authority)
  const allowInsecureHttp = checkBoolean('allowInsecureHttp', input.allowInsecureHttp, defaults.allowInsecureHttp)
  if (!isAllowedEndpoint(authority, allowInsecureHttp)) {
    throw invalid(
      `\`authority\` must use https (RFC 7009 §2): ${authority.origin} is plain http on a host that is not loopback. ` +
        'Set `allowInsecureHttp: true` only for development.',
    )
  }
  if (typeof input.clientId !== 'string' || input.clientId.trim() === '') throw invalid('`clientId` must be a non-empty string.')
  checkUrl('redirectUri', input.redirectUri)
  if (input.postLogoutRedirectUri !== undefined) checkUrl('postLogoutRedirectUri', input.postLogoutRedirectUri)
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
  const fallback = defaults.revocation
  const revocation: Required<RevocationOptions> = {
    timeoutMs: numberOption('revocation.timeoutMs', revocationInput.timeoutMs, fallback.timeoutMs, { min: 1, max: maxTimerMs }),
    retryLimit: numberOption('revocation.retryLimit', revocationInput.retryLimit, fallback.retryLimit, { min: 0, integer: true }),
    maxRetryAfterMs: numberOption('revocation.maxRetryAfterMs', revocationInput.maxRetryAfterMs, fallback.maxRetryAfterMs, { min: 0 }),
    keepalive: checkBoolean('revocation.keepalive', revocationInput.keepalive, fallback.keepalive),
    outbox: checkBoolean('revocation.outbox', revocationInput.outbox, fallback.outbox),
    outboxMaxAgeMs: numberOption('revocation.outboxMaxAgeMs', revocationInput.outboxMaxAgeMs, fallback.outboxMaxAgeMs, { min: 1 }),
  }

  if (input.destinations !== undefined && !Array.isArray(input.destinations)) {
    throw invalid('`destinations` must be an array of URLs (origins or path prefixes).')
  }
  const own = ownOrigin()
  const destinations = [...(own ? [own] : []), ...(input.destinations ?? []).map((value) => parseDestination(value, allowInsecureHttp))]
  // One token per resource: the destinations that share it must ask for the same scope.
  for (const { resource, scope } of destinations) {
    if (destinations.some((other) => other.resource === resource && other.scope !== scope))
      throw invalid(`Resource ${resource}: two scopes.`)
  }

  const silent = resolveSilentRenew(input, own?.origin)

  const databaseName = input.databaseName ?? defaults.databaseName
  if (typeof databaseName !== 'string' || databaseName === '') throw invalid('`databaseName` must be a non-empty string.')
  if (input.oidc !== undefined && (typeof input.oidc !== 'object' || input.oidc === null)) {
    throw invalid('`oidc` must be an object of oidc-client-ts settings.')
  }
  if (input.oidc) checkOidcSettings(input.oidc as Record<string, unknown>, allowInsecureHttp)
  const logger: Logger = input.logger ?? console
  if (typeof logger.warn !== 'function') throw invalid('`logger` must have a `warn` method.')
  if (input.storage !== undefined && (typeof input.storage !== 'object' || input.storage === null)) {
    throw invalid('`storage` must be a KeyValueStorage object.')
  }
  if (clientSecret) {
    warnOnce(
      logger,
      'tokenwarden: a clientSecret is configured. Code running in a browser cannot keep a secret; prefer a public client (no secret) with PKCE.',
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
    destinations,
    revocation,
    refreshLeewaySeconds: numberOption('refreshLeewaySeconds', input.refreshLeewaySeconds, defaults.refreshLeewaySeconds, { min: 0 }),
    autoRefresh: checkBoolean('autoRefresh', input.autoRefresh, defaults.autoRefresh),
    ...silent,
    idleTimeoutSeconds:
      input.idleTimeoutSeconds === undefined
        ? undefined
        : checkNumber('idleTimeoutSeconds', input.idleTimeoutSeconds, { min: 1, max: maxTimerMs / 1000 }),
    idleWarningSeconds: numberOption('idleWarningSeconds', input.idleWarningSeconds, defaults.idleWarningSeconds, {
      min: 0,
      max: maxTimerMs / 1000,
    }),
    databaseName,
    dpop: checkBoolean('dpop', input.dpop, defaults.dpop),
    encryptAtRest: checkBoolean('encryptAtRest', input.encryptAtRest, defaults.encryptAtRest),
    persistStorage: checkBoolean('persistStorage', input.persistStorage, defaults.persistStorage),
    oidc: input.oidc ?? {},
    logger,
    fetch: checkFunction('fetch', input.fetch),
    storage: input.storage,
    channel: checkFunction('channel', input.channel),
    lock: checkFunction('lock', input.lock),
    now: checkFunction('now', input.now) ?? Date.now,
    timers: checkTimers(input.timers),
    navigate: checkFunction('navigate', input.navigate),
    subtle: input.subtle,
    protocol: checkFunction('protocol', input.protocol),
  }
}
