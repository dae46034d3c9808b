/** A request as the fake server saw it (token values included: it is the server). */
export interface SeenRequest {
  method: string
  url: string
  headers: Headers
  body: string
  form: URLSearchParams
  /** The request's redirect mode, as the fetch received it. */
  redirect: RequestRedirect
  /** True for a request the fetch made itself, following a redirect (`redirect: 'follow'`). */
  followed: boolean
  /**
   * The request's `keepalive` flag (it may outlive the page); undefined where the engine's
   * Request has no such flag (happy-dom: use jsdom or Node to check it).
   */
  keepalive: boolean | undefined
  at: number
}

/**
 * How a `redirect: 'manual'` answer looks: `browser` is the Fetch standard's opaque redirect
 * (type `opaqueredirect`, status 0, no headers); `node` is undici's, the 3xx response itself.
 */
export type ManualRedirectShape = 'browser' | 'node'

/** An opaque-redirect response, as a browser's fetch gives for `redirect: 'manual'`. */
export function opaqueRedirect(url: string): Response {
  const response = new Response(null, { status: 200 })
  Object.defineProperties(response, {
    type: { value: 'opaqueredirect' },
    status: { value: 0 },
    ok: { value: false },
    statusText: { value: '' },
    url: { value: url },
  })
  return response
}

/** How the fake server answers: a response, a network failure, or never (until aborted). */
export type Answer = Response | 'network-error' | 'hang' | Promise<Response>

/**
 * A `fetch` seam that records every request and answers through `handler`. `hang` never
 * answers (until the request's signal aborts, as a real fetch would). A 3xx answer with a
 * `Location` is treated as a real fetch treats it, by the request's `redirect` mode:
 * `follow` follows it (301/302 turn a POST into a GET without body, 303 always does, 307/308
 * re-send method and body, the token included), `manual` hands back the redirect (shaped as
 * `manualRedirect` says), `error` rejects with a TypeError.
 */
export function createFakeFetch(
  handler: (request: SeenRequest, index: number) => Answer = () => ok(),
  { manualRedirect = 'browser' }: { manualRedirect?: ManualRedirectShape } = {},
) {
  const requests: SeenRequest[] = []
  const send = async (request: Request, followed: number, keepalive: boolean | undefined): Promise<Response> => {
    const body = await request.text()
    const seen: SeenRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      form: new URLSearchParams(body),
      redirect: request.redirect,
      followed: followed > 0,
      keepalive,
      at: Date.now(),
    }
    requests.push(seen)
    const answer = handler(seen, requests.length - 1)
    if (answer === 'network-error') throw new TypeError('Failed to fetch')
    if (answer === 'hang') {
      return new Promise<Response>((_, reject) => {
        const signal = request.signal
        if (signal.aborted) reject(signal.reason)
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    }
    const response = await answer
    const location = response.headers.get('location')
    if (response.status < 300 || response.status >= 400 || location === null) return response
    const target = new URL(location, request.url).href
    if (request.redirect === 'error') throw new TypeError('Failed to fetch: redirect mode is "error"')
    if (request.redirect === 'manual') return manualRedirect === 'browser' ? opaqueRedirect(request.url) : response
    // Fetch standard: more than 20 redirects is a network error.
    if (followed >= 20) throw new TypeError('Failed to fetch: too many redirects')
    const keepBody = response.status === 307 || response.status === 308
    const next = new Request(target, {
      method: keepBody ? request.method : request.method === 'POST' || response.status === 303 ? 'GET' : request.method,
      headers: redirectHeaders(request, target, keepBody),
      ...(keepBody && body !== '' ? { body } : {}),
      redirect: 'follow',
      signal: request.signal,
    })
    const final = await send(next, followed + 1, keepalive)
    Object.defineProperty(final, 'redirected', { value: true })
    return final
  }
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const keepalive = 'keepalive' in request ? request.keepalive : init?.keepalive
    return send(request, 0, keepalive)
  }
  return { fetch: fetch as typeof globalThis.fetch, requests }
}

/**
 * The headers fetch sends on after a redirect: without the body's headers when it became a
 * GET, and without `Authorization` when it leaves the origin (Fetch standard, HTTP-redirect fetch).
 */
function redirectHeaders(request: Request, target: string, keepBody: boolean): Headers {
  const copy = new Headers(request.headers)
  if (!keepBody) {
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) copy.delete(name)
  }
  if (new URL(target).origin !== new URL(request.url).origin) copy.delete('authorization')
  return copy
}

/** A successful revocation as node-oidc-provider answers it: 200, empty, text/plain. */
export const ok = (): Response => new Response('', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } })

/** An OAuth error answer (RFC 6749 §5.2). */
export const oauthError = (status: number, error: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ error, error_description: `${error} (test)` }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
