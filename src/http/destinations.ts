import { TokenwardenError } from '../errors.js'
import { isAllowedEndpoint } from '../util/index.js'

/**
 * A place the access token may go: an origin, and a path prefix that ends on a segment
 * boundary (`''` for the whole origin).
 */
export interface Destination {
  readonly origin: string
  readonly path: string
}

/**
 * A declared destination, parsed once at `createSession`: an absolute https URL (http only on
 * loopback or with `allowInsecureHttp`), with no credentials, query or fragment. Its path, if
 * any, is a prefix on a segment boundary: `/v1` and `/v1/` both match `/v1/x`, never `/v10`.
 */
export function parseDestination(value: unknown, allowInsecureHttp: boolean): Destination {
  let url: URL | undefined
  try {
    url = new URL(value as string)
  } catch {}
  if (!url || !isAllowedEndpoint(url, allowInsecureHttp) || url.username || url.password || url.search || url.hash) {
    throw new TokenwardenError(
      'invalid-options',
      `\`destinations\` takes https URLs (http only on loopback or with \`allowInsecureHttp\`): an origin or a path prefix, without credentials, query or fragment; got ${JSON.stringify(value)}.`,
    )
  }
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') }
}

/** The app's own origin, when there is one (a page served over http or https). */
export function ownOrigin(): Destination | undefined {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin
  return typeof origin === 'string' && /^https?:\/\//.test(origin) ? { origin, path: '' } : undefined
}

/**
 * The destination `url` falls under, if any. Matching is on the parsed URL: the exact origin
 * (scheme, host and port, never a string or pattern on the host), then the path prefix on a
 * segment boundary.
 */
export function destinationOf(destinations: readonly Destination[], url: string): Destination | undefined {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  return destinations.find(
    ({ origin, path }) => target.origin === origin && (path === '' || target.pathname === path || target.pathname.startsWith(`${path}/`)),
  )
}
