/** A recorded request, as the fake server saw it. */
export interface SeenRequest {
  method: string
  url: string
  headers: Headers
  body: string
  form: URLSearchParams
  at: number
}

export type Answer = Response | 'network-error' | 'hang' | Promise<Response>

/**
 * A `fetch` seam that records every request and answers through `handler`. `hang` never
 * answers (until the request's signal aborts, as a real fetch would).
 */
export function createFakeServer(handler: (request: SeenRequest, index: number) => Answer = () => ok()) {
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

/** node-oidc-provider's answer to a successful revocation: 200, empty, text/plain. */
export const ok = () => new Response('', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } })

export const oauthError = (status: number, error: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error, error_description: `${error} (test)` }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

/** A promise and its resolver, to hold an answer back until the test releases it. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** A server whose behaviour can be switched while the test runs. */
export function switchable(initial: (request: SeenRequest) => Answer) {
  let current = initial
  return {
    handler: (request: SeenRequest) => current(request),
    set(next: (request: SeenRequest) => Answer) {
      current = next
    },
  }
}
