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
