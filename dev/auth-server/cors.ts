// CORS for the routes the dev server adds itself (/__control, /api/me and fault answers). The
// provider's own endpoints use its `clientBasedCORS` with the same origin check.
import type { SetCors } from './koa.js'

export function createCors(spaOrigins: readonly string[]) {
  const isAllowedOrigin = (origin: unknown): origin is string => typeof origin === 'string' && spaOrigins.includes(origin)

  /** Sets the CORS headers for an allowed Origin (and a preflight's extras); false when not allowed. */
  const setCors: SetCors = (ctx, { methods = 'GET,POST', expose } = {}) => {
    ctx.vary('Origin')
    const origin = ctx.get('origin')
    if (!isAllowedOrigin(origin)) return false
    ctx.set('Access-Control-Allow-Origin', origin)
    if (expose) ctx.set('Access-Control-Expose-Headers', expose)
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', methods)
      const requested = ctx.get('access-control-request-headers')
      if (requested) ctx.set('Access-Control-Allow-Headers', requested)
      ctx.set('Access-Control-Max-Age', '600')
    }
    return true
  }

  return { isAllowedOrigin, setCors }
}
