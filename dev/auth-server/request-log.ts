// The request log: every request to the token, revocation, introspection and userinfo endpoints
// and /api/me, with its parsed body, logged on arrival (so tests see a request in flight) and
// given its status once answered. Also the body helpers the control API shares.
import type { IncomingMessage } from 'node:http'
import type { Context, Middleware, Next } from './koa.js'
import type { IssuedTokenSet, LoggedEndpoint, LoggedRequest } from './types.js'

const LOGGED_PATHS = new Map<string, LoggedEndpoint>([
  ['/token', 'token'],
  ['/token/revocation', 'revocation'],
  ['/token/introspection', 'introspection'],
  ['/me', 'userinfo'],
  ['/api/me', 'api'],
  ['/api-a/me', 'api'],
  ['/api-b/me', 'api'],
  // GET: its query is the body (`prompt=none` tells a silent renewal from a sign-in).
  ['/auth', 'authorization'],
])
const MASKED_FIELDS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'id_token_hint',
  'client_assertion',
])
const MAX_LOG = 5000
const MAX_BODY = 1024 * 1024

/** A GET's query parameters, as a form body would be logged (first value of each). */
function queryOf(ctx: Context): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [name, value] of Object.entries(ctx.query)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') query[name] = first
  }
  return query
}

export function mask<T>(value: T): T | string {
  if (typeof value !== 'string') return value
  return `${value.slice(0, 6)}…${value.length}`
}

/** A log entry with its token values masked (what the HTTP control API hands out). */
export function maskEntry(entry: LoggedRequest): LoggedRequest {
  const body = Object.fromEntries(Object.entries(entry.body).map(([k, v]) => [k, MASKED_FIELDS.has(k) ? mask(v) : v]))
  const headers: Record<string, string> = { ...entry.headers }
  if (headers.authorization) {
    const [scheme = '', ...rest] = headers.authorization.split(' ')
    headers.authorization = rest.length ? `${scheme} ${mask(rest.join(' '))}` : mask(scheme)
  }
  return { ...entry, body, headers }
}

export function basicUsername(authorization: string | undefined) {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  try {
    return decodeURIComponent(colon === -1 ? decoded : decoded.slice(0, colon))
  } catch {
    return undefined
  }
}

export async function readRawBody(req: AsyncIterable<Buffer>) {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) throw Object.assign(new Error('request entity too large'), { status: 413, expose: true })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function parseBody(raw: Buffer, contentType: string | undefined): Record<string, string> {
  const text = raw.toString('utf8')
  if (!text) return {}
  if (contentType?.includes('application/json')) {
    try {
      const parsed = JSON.parse(text)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
      }
    } catch {
      // fall through
    }
    return { _raw: text }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

/**
 * Consumes the request body, then puts a stand-in on ctx.req that replays it, so the provider's
 * own body parser (which reads ctx.req as a stream) still sees it.
 */
async function bufferBody(ctx: Context) {
  const raw = await readRawBody(ctx.req)
  const original = ctx.req
  ctx.req = Object.create(original, {
    readable: { value: true },
    readableEncoding: { value: null },
    iterator: {
      value: () =>
        (async function* replay() {
          if (raw.length) yield raw
        })(),
    },
  }) as IncomingMessage
  return parseBody(raw, ctx.get('content-type'))
}

/** Key under which the log middleware leaves the request's entry for the later middlewares. */
export const LOG_ENTRY = Symbol('requestLogEntry')

export function createRequestLog({ quiet }: { quiet: boolean }) {
  const requests: LoggedRequest[] = []
  /** Every token set the token endpoint handed out; kept apart from the log, which tests clear. */
  const issued: IssuedTokenSet[] = []

  const clear = () => {
    requests.length = 0
  }

  /**
   * Runs first: logs the request on arrival, lets the rest answer it, then records the status.
   * A request nobody answers (the 'hang' fault sets ctx.respond = false) keeps no status.
   */
  const middleware: Middleware = async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/__control')) return next()
    const started = Date.now()
    const endpoint = LOGGED_PATHS.get(ctx.path)
    let entry: LoggedRequest | undefined
    if (endpoint && ctx.method !== 'OPTIONS') {
      const body = ctx.method === 'POST' ? await bufferBody(ctx) : endpoint === 'authorization' ? queryOf(ctx) : {}
      const headers: Record<string, string> = {}
      for (const name of ['authorization', 'dpop', 'origin', 'content-type']) {
        const value = ctx.get(name)
        if (value) headers[name] = value
      }
      entry = { at: started, method: ctx.method, path: ctx.path, endpoint, body, headers }
      requests.push(entry)
      if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG)
      ctx.state[LOG_ENTRY] = entry
    }
    try {
      await next()
    } finally {
      if (ctx.respond !== false) {
        if (entry) entry.status = ctx.status
        // The tokens the token endpoint handed out, so tests learn them from the server, in
        // every engine, whatever the page stores (encrypted at rest) or shows (nothing).
        const body = (entry && ctx.status === 200 && ctx.path === '/token' ? ctx.body : undefined) as Record<string, unknown> | undefined
        if (entry && body && typeof body === 'object' && typeof body.access_token === 'string') {
          entry.issued = {
            access_token: body.access_token,
            ...(typeof body.refresh_token === 'string' ? { refresh_token: body.refresh_token } : {}),
            ...(typeof body.id_token === 'string' ? { id_token: body.id_token } : {}),
          }
          issued.push(entry.issued)
          if (issued.length > MAX_LOG) issued.splice(0, issued.length - MAX_LOG)
        }
        if (!quiet) console.error(`[auth-server] ${ctx.method} ${ctx.path} -> ${ctx.status} (${Date.now() - started} ms)`)
      }
    }
  }

  return {
    requests,
    issued,
    clear,
    revocations: () => requests.filter((r) => r.endpoint === 'revocation'),
    middleware,
  }
}
