import { TokenwardenError } from '../errors.js'
import { isAllowedEndpoint } from '../util/index.js'

/**
 * A place the access token may go: an origin, and a path prefix that ends on a segment
 * boundary (`''` for the whole origin); with a `resource`, the place gets that resource's own
 * access token instead of the session's.
 */
export interface Destination {
  readonly origin: string
  readonly path: string
  readonly resource?: string
  readonly scope?: string
}

/**
 * A destination that gets an access token of its own (RFC 8707 resource indicators): the
 * session asks for it with its refresh token, naming `resource` and `scope`, and sends it only
 * here. Several destinations may name the same resource (with the same `scope`): they share
 * its token.
 */
export interface DestinationOptions {
  /** An origin or a path prefix, as in the string form. */
  url: string
  /**
   * The resource indicator (RFC 8707 §2): an absolute URI without a fragment, usually the
   * API's base URL or the audience the server knows it by. Without it the destination gets
   * the session's access token.
   */
  resource?: string
  /**
   * The scopes (space-separated) this resource's token needs, fewer than the session's
   * (the token is asked for with just these). Only with `resource`; without it, the server
   * decides (usually every scope granted for that resource).
   */
  scope?: string
}

/**
 * A declared destination, parsed once at `createSession`: an absolute https URL (http only on
 * loopback or with `allowInsecureHttp`), with no credentials, query or fragment. Its path, if
 * any, is a prefix on a segment boundary: `/v1` and `/v1/` both match `/v1/x`, never `/v10`.
 * The object form may add a resource indicator (an absolute URI without a fragment) and its
 * scope.
 */
export function parseDestination(value: unknown, allowInsecureHttp: boolean): Destination {
  const { url: raw, resource, scope }: Partial<DestinationOptions> = typeof value === 'object' && value ? value : { url: value as string }
  let url: URL | undefined
  let indicator: URL | undefined
  try {
    url = new URL(raw!)
    // RFC 8707 §2: an absolute URI (the parse checks that), without a fragment.
    indicator = new URL(resource ?? 'x:')
  } catch {}
  if (
    !url ||
    !isAllowedEndpoint(url, allowInsecureHttp) ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    indicator?.hash !== '' ||
    (scope !== undefined && (!resource || typeof scope !== 'string'))
  ) {
    throw new TokenwardenError(
      'invalid-options',
      `\`destinations\` takes https URLs (http only on loopback or with \`allowInsecureHttp\`): an origin or a path prefix, without credentials, query or fragment; or { url, resource, scope } with an absolute URI as resource; got ${JSON.stringify(value)}.`,
    )
  }
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, ''), ...(resource && { resource, ...(scope && { scope }) }) }
}

/** The app's own origin, when there is one (a page served over http or https). */
export function ownOrigin(): Destination | undefined {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin
  return typeof origin === 'string' && /^https?:\/\//.test(origin) ? { origin, path: '' } : undefined
}

/**
 * The destination `url` (relative: to the page) falls under, if any. Matching is on the parsed URL: the exact origin
 * (scheme, host and port, never a string or pattern on the host), then the path prefix on a
 * segment boundary.
 */
export function destinationOf(destinations: readonly Destination[], url: string | URL): Destination | undefined {
  const target = pageUrl(url)
  if (!target) return undefined
  return destinations.find(
    ({ origin, path }) => target.origin === origin && (path === '' || target.pathname === path || target.pathname.startsWith(`${path}/`)),
  )
}

/** `url` resolved against the page, as fetch resolves it; undefined when it is no URL (or relative without a page). */
export function pageUrl(url: string | URL): URL | undefined {
  try {
    return new URL(url, globalThis.location?.href)
  } catch {
    return undefined
  }
}

/** The error for a token asked to go where no destination is declared: nothing was sent. */
export function destinationRefused(origin: string): TokenwardenError {
  return new TokenwardenError(
    'destination-refused',
    `The access token goes only to declared destinations, and ${origin} is not one: add it to the \`destinations\` option if it should receive the token.`,
  )
}
