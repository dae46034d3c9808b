// `npm run demo`: the dev authorization server and the demo page, one command.
import { startAuthServer } from '../dev/auth-server/index.js'
import { startDemoServer } from '../dev/demo-server.js'

const demoPort = Number(process.env.DEMO_PORT ?? 5173)
const authPort = Number(process.env.AUTH_PORT ?? 4000)
const spaOrigin = `http://127.0.0.1:${demoPort}`
// `npm run demo -- --dpop`: the plain page signs in with DPoP (RFC 9449), as the DPoP client.
const dpop = process.argv.includes('--dpop')

const auth = await startAuthServer({ port: authPort, spaOrigins: [spaOrigin], accessTokenTtl: 120 })
const demo = await startDemoServer({
  port: demoPort,
  issuer: auth.issuer,
  clientId: dpop ? (auth.dpopClientId ?? auth.clientId) : auth.clientId,
  dpop,
})

console.log(`
  tokenwarden demo
  ─────────────────────────────────────────────
  Demo page:            ${demo.url}
  React page:           ${demo.url}react/
  Vue page:             ${demo.url}vue/
  Authorization server: ${auth.issuer}  (node-oidc-provider, auto-approving login)

  Access tokens live 120 s here, so you can watch expiry and refresh.
  DPoP: ${dpop ? `on (client ${auth.dpopClientId})` : 'off (npm run demo -- --dpop turns it on)'}
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
