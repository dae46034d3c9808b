// Where a token may be sent at all: the transport rule every endpoint of ours must pass.

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * True when `url` may receive tokens: https (RFC 7009 §2 asks for TLS), or http on a loopback
 * host, or with the explicit development opt-in.
 */
export function isAllowedEndpoint(url: URL, allowInsecureHttp: boolean): boolean {
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && (allowInsecureHttp || loopbackHosts.has(url.hostname))
}

/**
 * The first of `entries` (a name and a value) whose value is an absolute URL that may not
 * receive tokens, with that URL; undefined when there is none. A value that is no URL names no
 * endpoint and is left alone.
 */
export function findInsecureEndpoint(
  entries: Iterable<readonly [string, unknown]>,
  allowInsecureHttp: boolean,
): [name: string, url: URL] | undefined {
  for (const [name, value] of entries) {
    if (typeof value !== 'string') continue
    let url: URL
    try {
      url = new URL(value)
    } catch {
      continue
    }
    if (!isAllowedEndpoint(url, allowInsecureHttp)) return [name, url]
  }
  return undefined
}
