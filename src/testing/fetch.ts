/** A request as the fake server saw it (token values included: it is the server). */
export interface SeenRequest {
  method: string
  url: string
  headers: Headers
  body: string
  form: URLSearchParams
  /** Real time (`Date.now()`) when it arrived. */
  at: number
}

/** How the fake server answers: a response, a network failure, or never (until aborted). */
export type Answer = Response | 'network-error' | 'hang' | Promise<Response>

/** A `fetch` seam and the requests it received. */
export interface FakeFetch {
  fetch: typeof globalThis.fetch
  requests: SeenRequest[]
}

/**
 * A `fetch` seam that records every request and answers through `handler`. `hang` never
 * answers until the request's signal aborts, as a real fetch would; `network-error` rejects
 * with the `TypeError` a browser gives when it reaches no server.
 */
export function createFakeFetch(handler: (request: SeenRequest, index: number) => Answer = () => ok()): FakeFetch {
  const requests: SeenRequest[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const body = await request.text()
    const seen: SeenRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      form: new URLSearchParams(body),
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
    return answer
  }
  return { fetch: fetch as typeof globalThis.fetch, requests }
}

/** A successful revocation as node-oidc-provider answers it: 200, empty, text/plain. */
export const ok = (): Response => new Response('', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } })

/** An OAuth error answer (RFC 6749 §5.2). */
export const oauthError = (status: number, error: string, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ error, error_description: `${error} (test)` }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
