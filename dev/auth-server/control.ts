// The HTTP control API under /__control (for browser tests and the demo page): fault switches,
// the request log (masked), a per-revocation verdict, introspection. Never logged or faulted.
//
//   GET  /__control/faults           the switches          POST /__control/faults  merge (JSON)
//   POST /__control/reset            switches off, log cleared
//   GET  /__control/requests?since=  the log, token values masked
//   GET  /__control/verdict?since=   revocations and whether each token is still active
//   POST /__control/introspect       { token } as the confidential introspector

import type { Context, Middleware, Next, SetCors } from './koa.js'
import { basicUsername, mask, maskEntry, readRawBody } from './request-log.js'
import type { Faults, IntrospectionResponse, LoggedRequest } from './types.js'

export function controlMiddleware({
  faults,
  log,
  introspect,
  setCors,
}: {
  faults: { set(partial: unknown): void; reset(): void; get(): Faults }
  log: { requests: LoggedRequest[]; clear(): void }
  introspect: (token: string) => Promise<IntrospectionResponse>
  setCors: SetCors
}): Middleware {
  return async (ctx: Context, next: Next) => {
    const { path } = ctx
    if (!path.startsWith('/__control/')) return next()

    setCors(ctx, { methods: 'GET,POST' })
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204
      return
    }
    const readJson = async (): Promise<Record<string, unknown>> => {
      const raw = (await readRawBody(ctx.req)).toString('utf8')
      if (!raw) return {}
      try {
        return JSON.parse(raw)
      } catch {
        ctx.throw(400, 'invalid JSON body')
      }
    }
    ctx.set('Cache-Control', 'no-store')
    const route = `${ctx.method} ${path}`
    switch (route) {
      case 'GET /__control/faults':
        ctx.body = faults.get()
        return
      case 'POST /__control/faults':
        try {
          faults.set(await readJson())
        } catch (err) {
          if (!(err instanceof TypeError)) throw err
          ctx.status = 400
          ctx.body = { error: 'invalid_request', error_description: err.message }
          return
        }
        ctx.body = faults.get()
        return
      case 'POST /__control/reset':
        faults.reset()
        log.clear()
        ctx.body = faults.get()
        return
      case 'GET /__control/requests': {
        const since = Number(ctx.query.since ?? 0) || 0
        ctx.body = log.requests.filter((r) => r.at >= since).map(maskEntry)
        return
      }
      case 'GET /__control/verdict': {
        // For the demo page: the revocation requests since `since`, each with whether its
        // token is still active now (introspected as the confidential client).
        const since = Number(ctx.query.since ?? 0) || 0
        const entries = log.requests.filter((r) => r.endpoint === 'revocation' && r.at >= since)
        const activity = new Map<string, Promise<boolean>>()
        for (const { body } of entries) {
          if (typeof body.token === 'string' && !activity.has(body.token)) {
            activity.set(
              body.token,
              introspect(body.token).then(
                (r) => r.active === true,
                () => false,
              ),
            )
          }
        }
        ctx.body = await Promise.all(
          entries.map(async (r) => ({
            at: r.at,
            hint: r.body.token_type_hint ?? '',
            token: typeof r.body.token === 'string' ? mask(r.body.token) : '',
            clientId: r.body.client_id ?? basicUsername(r.headers.authorization) ?? '',
            status: r.status ?? null,
            active: typeof r.body.token === 'string' ? await activity.get(r.body.token) : false,
          })),
        )
        return
      }
      case 'POST /__control/introspect': {
        const { token } = await readJson()
        if (typeof token !== 'string' || !token) {
          ctx.status = 400
          ctx.body = { error: 'invalid_request', error_description: 'token (string) is required' }
          return
        }
        ctx.body = await introspect(token)
        return
      }
      default:
        ctx.status = 404
        ctx.body = { error: 'not_found' }
    }
  }
}
