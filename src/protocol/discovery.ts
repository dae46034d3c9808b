import { TokenwardenError } from '../errors.js'
import { findInsecureEndpoint } from '../util/index.js'
import type { ProtocolConfig, ProtocolMetadata } from './seam.js'

/** The authorization server's metadata document, as it was served (or given in `oidc.metadata`). */
export type ServerMetadata = Readonly<Record<string, unknown>>

/**
 * oidc-client-ts waits forever by default; a hung request would hold the cross-tab lock.
 * Used for discovery here and for every request of `oidc.ts`, unless `oidc` overrides it.
 */
const requestTimeoutSeconds = 10

/**
 * What discovery settled, handed to the oidc-client-ts steps (`oidc.ts`, a chunk) as values:
 * they fetch and decide none of it again.
 */
export interface Discovery {
  /** The metadata document, checked. */
  readonly metadata: ServerMetadata
  /**
   * Whether an issuer the server names (the callback's `iss`, the ID token's) is the one this
   * session trusts: the metadata's (checked against the authority), else the authority.
   */
  readonly isIssuer: (claimed: string) => boolean
  /** The bound on each request, as discovery applied it to its own. */
  readonly requestTimeoutInSeconds: number | undefined
}

/** The {@link Discovery} of a checked metadata document, for the same settings it was fetched with. */
export function discoveryOf(metadata: ServerMetadata, config: Pick<ProtocolConfig, 'authority' | 'oidc'>): Discovery {
  const issuer = issuerOf(typeof metadata.issuer === 'string' ? metadata.issuer : config.authority)
  return {
    metadata,
    isIssuer: (claimed) => issuerOf(claimed) === issuer,
    requestTimeoutInSeconds: timeoutOf(config.oidc as { requestTimeoutInSeconds?: number }),
  }
}

const timeoutOf = (oidc: { requestTimeoutInSeconds?: number }) =>
  'requestTimeoutInSeconds' in oidc ? oidc.requestTimeoutInSeconds : requestTimeoutSeconds

/**
 * Discovery (OpenID Connect Discovery 1.0 §4, RFC 8414 §3) without oidc-client-ts, so a session
 * can start and log out before (or without) loading the sign-in code. It does what
 * oidc-client-ts's `MetadataService` would with the same `oidc` settings: `metadata` is used as
 * given; otherwise `metadataUrl` (default `${authority}/.well-known/openid-configuration`) is
 * fetched with `extraHeaders`, `fetchRequestCredentials` and `requestTimeoutInSeconds`, and
 * `metadataSeed` is laid over the answer. `oidc.ts` is handed the result, so it never fetches
 * the document again.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function discover(config: DiscoveryConfig): Promise<ServerMetadata> {
  return checkedMetadata(await fetchMetadata(config), config)
}

type DiscoveryConfig = Pick<ProtocolConfig, 'authority' | 'oidc' | 'fetch' | 'allowInsecureHttp'>

/** An issuer identifier without its trailing slashes: `https://id.example.com/` names the same issuer as `https://id.example.com`. */
const issuerOf = (url: string) => url.replace(/\/+$/, '')

/**
 * The server proves who it is: the document's `issuer` must be the authority (OpenID Connect
 * Discovery §4.3: "MUST be identical"; a document given in `oidc.metadata` without one is the
 * app's own word), and no endpoint in it may be plain http (except on loopback, or with
 * `allowInsecureHttp`), whichever input it came from: `metadata`, the fetched document or
 * `metadataSeed`. A document that fails either is refused before sign-in, refresh or logout use it.
 */
function checkedMetadata(document: ServerMetadata, config: DiscoveryConfig): ServerMetadata {
  const { issuer } = document
  const given = (config.oidc as { metadata?: unknown }).metadata !== undefined
  if ((issuer !== undefined || !given) && (typeof issuer !== 'string' || issuerOf(issuer) !== issuerOf(config.authority))) {
    throw new TokenwardenError(
      'issuer-mismatch',
      `The authorization server metadata names the issuer ${JSON.stringify(issuer)}, not the authority ${config.authority}: refused (OpenID Connect Discovery §4.3).`,
    )
  }
  const endpoints = Object.entries(document).filter(([name]) => name === 'issuer' || /_(endpoint|uri)$/.test(name))
  const insecure = findInsecureEndpoint(endpoints, config.allowInsecureHttp ?? false)
  if (insecure) {
    throw new TokenwardenError(
      'discovery-failed',
      `The authorization server metadata's \`${insecure[0]}\` is plain http on a host that is not loopback (${insecure[1].origin}): refused.`,
    )
  }
  return document
}

async function fetchMetadata(config: DiscoveryConfig): Promise<ServerMetadata> {
  const oidc = config.oidc as {
    metadata?: ServerMetadata
    metadataUrl?: string
    metadataSeed?: ServerMetadata
    extraHeaders?: Record<string, string | (() => string)>
    fetchRequestCredentials?: RequestCredentials
    requestTimeoutInSeconds?: number
  }
  if (oidc.metadata) return oidc.metadata
  const url = oidc.metadataUrl ?? `${config.authority.replace(/\/?$/, '/')}.well-known/openid-configuration`
  const headers: Record<string, string> = { Accept: 'application/jwk-set+json, application/json' }
  for (const [name, value] of Object.entries(oidc.extraHeaders ?? {})) {
    const content = typeof value === 'function' ? value() : value
    if (content && !/^(accept|content-type)$/i.test(name)) headers[name] = content
  }
  const timeout = timeoutOf(oidc)
  const fail = (message: string, details = {}, code: 'discovery-failed' | 'network' | 'timeout' = 'discovery-failed') =>
    new TokenwardenError(code, `Could not load the authorization server metadata: ${message}.`, details)
  let response: Response
  try {
    response = await (config.fetch ?? globalThis.fetch)(url, {
      headers,
      // A redirect is never followed: the document must come from where the authority says.
      redirect: 'manual',
      ...(oidc.fetchRequestCredentials ? { credentials: oidc.fetchRequestCredentials } : {}),
      ...(timeout ? { signal: AbortSignal.timeout(timeout * 1000) } : {}),
    })
  } catch (cause) {
    throw (cause as Error)?.name === 'TimeoutError'
      ? fail('the server did not answer in time', { cause }, 'timeout')
      : fail('the server could not be reached', { cause }, 'network')
  }
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    throw fail(`${url} answered with a redirect, which is not followed`, { status: response.status })
  }
  const type = response.headers.get('Content-Type')
  if (type && !/^application\/(jwk-set\+)?json/.test(type)) throw fail(`${url} answered ${type}, not JSON`, { status: response.status })
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!response.ok) {
    const error = typeof body?.error === 'string' ? body.error : undefined
    const description = typeof body?.error_description === 'string' ? body.error_description : undefined
    throw fail(error ? `${error}${description ? ` (${description})` : ''}` : `HTTP ${response.status}`, {
      status: response.status,
      ...(error ? { error } : {}),
      ...(description ? { error_description: description } : {}),
    })
  }
  if (!body || typeof body !== 'object') throw fail(`${url} did not answer a JSON object`, { status: response.status })
  return { ...body, ...oidc.metadataSeed }
}

/** The endpoints tokenwarden itself uses, from the metadata document. */
export function protocolMetadata(raw: ServerMetadata): ProtocolMetadata {
  const algs = raw.dpop_signing_alg_values_supported
  return {
    ...(typeof raw.revocation_endpoint === 'string' ? { revocationEndpoint: raw.revocation_endpoint } : {}),
    ...(typeof raw.end_session_endpoint === 'string' ? { endSessionEndpoint: raw.end_session_endpoint } : {}),
    ...(Array.isArray(algs) ? { dpopSigningAlgValues: algs.filter((alg): alg is string => typeof alg === 'string') } : {}),
  }
}
