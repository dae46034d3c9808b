// Dev authorization server for tokenwarden: node-oidc-provider 9, in-process, on 127.0.0.1.
//
// Tests, benchmarks and the demo import `startAuthServer` / `signInHeadless` from here;
// `npx tsx dev/auth-server/cli.ts [--port 4000]` runs it standalone. Its types are in types.ts.
//
// What it offers, a file per concern beside this one:
// - provider.ts      node-oidc-provider configured: a public SPA client (code + PKCE, rotating
//                    refresh tokens), a confidential introspection client, revocation,
//                    introspection, RP-initiated logout; adapter.ts is its in-memory store;
// - cors.ts          CORS for the SPA origins on the routes added here;
// - request-log.ts   a log of the requests to the token, revocation, introspection and userinfo
//                    endpoints and /api/me;
// - faults.ts        every fault switch (latency, revocation 503/500/hang/unsupported_token_type,
//                    revoke-only-the-presented-token), its default and what it does;
// - control.ts       the same switches and the log over HTTP under /__control;
// - interaction.ts   the auto-approving interaction: /auth signs in 'demo-user', no form;
// - api.ts           a protected resource `GET /api/me` (bearer or DPoP-bound token with its
//                    proof, 401 once it is dead or presented without its key);
// - sign-in-headless.ts  signInHeadless: the same sign-in from Node, no browser;
// - koa.ts           the slice of Koa's request context the added routes use.
//
// This is a test server: it logs token values and trusts the SPA origins with its control API.
// Never expose it beyond loopback.

import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { createMapStore } from './adapter.js'
import { apiMiddleware } from './api.js'
import { controlMiddleware } from './control.js'
import { createCors } from './cors.js'
import { createFaults } from './faults.js'
import { interactionMiddleware } from './interaction.js'
import { createProvider, INTROSPECTOR_ID, type OidcProvider } from './provider.js'
import { createRequestLog } from './request-log.js'
import type { AuthServer, AuthServerOptions, IntrospectionResponse } from './types.js'

export { redirectUrisFor, SCOPES } from './provider.js'
export { signInHeadless } from './sign-in-headless.js'
export type * from './types.js'

/** Starts the dev authorization server. */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const {
    port = 0,
    host = '127.0.0.1',
    spaOrigins = ['http://127.0.0.1:5173'],
    clientId = 'tokenwarden-demo',
    latencyMs = 0,
    accessTokenTtl = 3600,
    refreshTokenTtl = 14 * 24 * 3600,
    quiet = true,
    dpop = true,
  } = options

  // Listen first: with port 0 the issuer needs the port the OS picked.
  let handler = (_req: IncomingMessage, res: ServerResponse) => {
    res.statusCode = 503
    res.end()
  }
  const server = createServer((req, res) => handler(req, res))
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(undefined)
    })
  })
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`

  const { isAllowedOrigin, setCors } = createCors(spaOrigins)
  const faults = createFaults({ latencyMs, setCors })
  const log = createRequestLog({ quiet })
  const store = createMapStore()
  const sweeper = setInterval(store.sweep, 60_000)
  sweeper.unref()
  const introspectorSecret = randomBytes(24).toString('base64url')

  let provider: OidcProvider
  try {
    provider = await createProvider({
      issuer,
      clientId,
      spaOrigins,
      quiet,
      accessTokenTtl,
      refreshTokenTtl,
      introspectorSecret,
      store,
      isAllowedOrigin,
      revokeOnlyPresented: () => faults.current().revokeOnlyPresented,
      dpop,
      requireDpopNonce: () => faults.current().tokenDpopNonce,
    })
  } catch (error) {
    clearInterval(sweeper)
    server.close()
    throw error
  }

  /** POSTs to its own introspection endpoint as the confidential introspector client. */
  const introspect = async (token: string): Promise<IntrospectionResponse> => {
    const basic = Buffer.from(`${encodeURIComponent(INTROSPECTOR_ID)}:${encodeURIComponent(introspectorSecret)}`).toString('base64')
    const res = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: String(token) }),
    })
    if (!res.ok) throw new Error(`introspection failed: ${res.status} ${await res.text()}`)
    return (await res.json()) as IntrospectionResponse
  }

  // Order matters: the log sees a request on arrival, then the faults delay or answer it, then
  // the routes added here, then the provider's own router.
  provider.use(log.middleware)
  provider.use(faults.middleware(provider))
  provider.use(controlMiddleware({ faults: faults.api, log, introspect, setCors }))
  provider.use(interactionMiddleware(provider))
  provider.use(apiMiddleware(provider, { issuer, setCors, requireDpopNonce: () => faults.current().apiDpopNonce }))

  handler = provider.callback()

  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    clearInterval(sweeper)
    faults.close()
    await new Promise((resolve) => {
      server.close(() => resolve(undefined))
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
    })
  }

  return {
    issuer,
    port: actualPort,
    clientId,
    dpopClientId: dpop ? `${clientId}-dpop` : undefined,
    spaOrigins: [...spaOrigins],
    introspectionClient: { clientId: INTROSPECTOR_ID, clientSecret: introspectorSecret },
    introspect,
    requests: log.requests,
    revocations: log.revocations,
    issuedTokens: () => [...log.issued],
    clearLog: log.clear,
    faults: faults.api,
    noRefreshClientId: `${clientId}-norefresh`,
    endSessions: () => {
      let ended = 0
      for (const key of [...store.entries.keys()]) {
        if (key.startsWith('Session:')) {
          store.entries.delete(key)
          ended += 1
        }
      }
      for (const [uid, id] of store.sessionUids) {
        if (!store.entries.has(`Session:${id}`)) store.sessionUids.delete(uid)
      }
      return ended
    },
    provider,
    close,
  }
}
