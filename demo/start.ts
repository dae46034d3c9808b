// `npm run demo`: the dev authorization server and the demo page, one command.
//   npm run demo -- [--dpop] [--no-refresh-token] [--access-ttl <s>] [--spa-origin <origin>]...
// --dpop: the plain page signs in with DPoP (RFC 9449), as the DPoP client.
// --no-refresh-token: the pages sign in as the client that gets no refresh token, and stay
//   signed in by silent renewal (prompt=none in a hidden iframe) at every expiry.
// --access-ttl: how long access tokens live, in seconds (default 120; 20 to watch renewals).
// --spa-origin: another app (yours, on its own port) may sign in too; repeatable.
import { parseArgs } from 'node:util'
import { redirectUrisFor, SCOPES, startAuthServer } from '../dev/auth-server/index.js'
import { startDemoServer } from '../dev/demo-server.js'

const demoPort = Number(process.env.DEMO_PORT ?? 5173)
const authPort = Number(process.env.AUTH_PORT ?? 4000)
const spaOrigin = `http://127.0.0.1:${demoPort}`
const { values } = parseArgs({
  options: {
    dpop: { type: 'boolean' },
    'no-refresh-token': { type: 'boolean' },
    'access-ttl': { type: 'string' },
    'spa-origin': { type: 'string', multiple: true },
  },
})
const dpop = values.dpop === true
const noRefreshToken = values['no-refresh-token'] === true && !dpop
const accessTtl = Number(values['access-ttl'] ?? 120)
if (!Number.isInteger(accessTtl) || accessTtl < 5) {
  console.error(`--access-ttl takes whole seconds, at least 5; got ${values['access-ttl']}`)
  process.exit(2)
}
const apps = (values['spa-origin'] ?? []).map((given) => {
  const url = URL.canParse(given) ? new URL(given) : undefined
  if (!url || url.origin !== given.replace(/\/$/, '')) {
    console.error(`--spa-origin takes an origin (scheme, host and port, no path), like http://localhost:3000; got ${given}`)
    process.exit(2)
  }
  return url.origin
})

const auth = await startAuthServer({ port: authPort, spaOrigins: [spaOrigin, ...apps], accessTokenTtl: accessTtl })
const demo = await startDemoServer({
  port: demoPort,
  issuer: auth.issuer,
  clientId: dpop ? (auth.dpopClientId ?? auth.clientId) : noRefreshToken ? auth.noRefreshClientId : auth.clientId,
  dpop,
  // The silent-callback page is served with the demo; not with DPoP (refused there).
  silentRenew: !dpop,
})

console.log(`
  tokenwarden demo
  ─────────────────────────────────────────────
  Demo page:            ${demo.url}
  React page:           ${demo.url}react/
  Vue page:             ${demo.url}vue/
  Angular page:         ${demo.url}angular/
  Authorization server: ${auth.issuer}  (node-oidc-provider, auto-approving login)

  Access tokens live ${accessTtl} s here, so you can watch expiry and refresh (--access-ttl 20: faster).
  DPoP: ${dpop ? `on (client ${auth.dpopClientId})` : 'off (npm run demo -- --dpop turns it on)'}
  Refresh tokens: ${noRefreshToken ? `none (client ${auth.noRefreshClientId}): silent renewal at every expiry` : 'yes; silent renewal is the fallback (npm run demo -- --no-refresh-token: none)'}
  Idle limit: the switch on the plain page; its countdown shows in the Events panel.
${
  apps.length === 0
    ? `
  Your own app against this server: npm run demo -- --spa-origin http://localhost:3000`
    : `
  Your app${apps.length > 1 ? 's' : ''} against this server
    authority:      ${auth.issuer}
    clientId:       ${auth.clientId}
    redirect URIs:  ${apps.flatMap(redirectUrisFor).join('\n                    ')}
    scope:          ${SCOPES.join(' ')}
    API:            ${auth.issuer}/api/me  (declare it: destinations: ['${auth.issuer}/api/'])`
}
  Ctrl+C stops both.
`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await Promise.allSettled([demo.close(), auth.close()])
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
