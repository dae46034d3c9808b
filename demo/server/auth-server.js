// Dev authorization server for tokenwarden: node-oidc-provider 9, in-process, on 127.0.0.1.
//
// Plain ESM JavaScript (no build step): `node demo/server/auth-server.js [--port 4000]` runs it
// standalone; tests, benchmarks and the demo import `startAuthServer` / `signInHeadless` from
// here. Types live next to it in auth-server.d.ts.
//
// What it offers, a file per concern beside this one:
// - provider.js      node-oidc-provider configured: a public SPA client (code + PKCE, rotating
//                    refresh tokens), a confidential introspection client, revocation,
//                    introspection, RP-initiated logout; adapter.js is its in-memory store;
// - cors.js          CORS for the SPA origins on the routes added here;
// - request-log.js   a log of the requests to the token, revocation, introspection and userinfo
//                    endpoints and /api/me;
// - faults.js        every fault switch (latency, revocation 503/500/hang/unsupported_token_type,
//                    revoke-only-the-presented-token), its default and what it does;
// - control.js       the same switches and the log over HTTP under /__control;
// - interaction.js   the auto-approving interaction: /auth signs in 'demo-user', no form;
// - api.js           a protected resource `GET /api/me` (bearer or DPoP-bound token with its
//                    proof, 401 once it is dead or presented without its key);
// - sign-in-headless.js  signInHeadless: the same sign-in from Node, no browser.
//
// This is a test server: it logs token values and trusts the SPA origins with its control API.
// Never expose it beyond loopback.

import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { createMapStore } from './adapter.js'
import { apiMiddleware } from './api.js'
import { controlMiddleware } from './control.js'
import { createCors } from './cors.js'
import { createFaults } from './faults.js'
import { interactionMiddleware } from './interaction.js'
import { createProvider, INTROSPECTOR_ID } from './provider.js'
import { createRequestLog } from './request-log.js'

export { signInHeadless } from './sign-in-headless.js'

/**
 * Starts the dev authorization server. See auth-server.d.ts for the types.
 * @param {import('./auth-server.js').AuthServerOptions} [options]
 * @returns {Promise<import('./auth-server.js').AuthServer>}
 */
export async function startAuthServer(options = {}) {
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
  /** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void} */
  let handler = (_req, res) => {
    res.statusCode = 503
    res.end()
  }
  const server = createServer((req, res) => handler(req, res))
  const sockets = new Set()
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

  let provider
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
  const introspect = async (token) => {
    const basic = Buffer.from(`${encodeURIComponent(INTROSPECTOR_ID)}:${encodeURIComponent(introspectorSecret)}`).toString('base64')
    const res = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: String(token) }),
    })
    if (!res.ok) throw new Error(`introspection failed: ${res.status} ${await res.text()}`)
    return res.json()
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
    provider,
    close,
  }
}

// ---------------------------------------------------------------------------------------------
// CLI: node demo/server/auth-server.js [--port 4000 (default; 0 = ephemeral)] [--host 127.0.0.1] [--spa-origin URL]...
//      [--client-id ID] [--latency MS] [--quiet]

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2)
  const options = { port: 4000, quiet: false }
  const origins = []
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = () => inline ?? args[++i]
    switch (flag) {
      case '--port':
        options.port = Number(value())
        break
      case '--host':
        options.host = value()
        break
      case '--spa-origin':
        origins.push(value())
        break
      case '--client-id':
        options.clientId = value()
        break
      case '--latency':
        options.latencyMs = Number(value())
        break
      case '--quiet':
        options.quiet = true
        break
      case '--help':
        console.log(
          'usage: node demo/server/auth-server.js [--port 4000] [--host 127.0.0.1] [--spa-origin http://127.0.0.1:5173]... [--client-id ID] [--latency MS] [--quiet]',
        )
        process.exit(0)
        break
      default:
        console.error(`unknown argument ${arg}`)
        process.exit(2)
    }
  }
  if (origins.length) options.spaOrigins = origins
  const server = await startAuthServer(options)
  console.log(server.issuer)
  console.error(`[auth-server] issuer ${server.issuer}, client ${server.clientId}, SPA origins ${server.spaOrigins.join(', ')}`)
  const stop = async () => {
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
