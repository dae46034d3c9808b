// The demo SPA (demo/) on Vite's dev server, with `tokenwarden` resolved to this repository's
// sources, so the demo always shows the code under test. `npm run demo` serves it to people;
// the e2e browser suites drive it.
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'
import { sourceAliases } from './sources.js'

const root = fileURLToPath(new URL('../demo/', import.meta.url))

/** Pages with client-side routes (their redirect URIs): anything under them gets their HTML. */
const pages = ['/react/', '/vue/', '/angular/']

export interface DemoServerOptions {
  /** Default 5173. */
  port?: number
  /** The authorization server the pages sign in with. */
  issuer: string
  clientId: string
  /** Sign in with DPoP (the server's client must be the one that uses it). Default false. */
  dpop?: boolean
  /** Renew silently (`prompt=none`) on the demo's silent-callback page (`silentRedirectUri`). Default false. */
  silentRenew?: boolean
  /** The idle limit of the pages' sessions (`idleTimeoutSeconds`); the plain page's switch overrides it. Default none. */
  idleTimeoutSeconds?: number | undefined
}

/** Serves the demo on 127.0.0.1:`port`; the pages read their settings from `__DEMO_CONFIG__` (demo/env.d.ts). */
export async function startDemoServer({
  port = 5173,
  issuer,
  clientId,
  dpop = false,
  silentRenew = false,
  idleTimeoutSeconds,
}: DemoServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'warn',
    clearScreen: false,
    define: { __DEMO_CONFIG__: JSON.stringify({ issuer, clientId, dpop, silentRenew, idleTimeoutSeconds: idleTimeoutSeconds ?? null }) },
    resolve: { alias: sourceAliases },
    // insecure.test: a name the insecure-context e2e test maps to 127.0.0.1 in its browser only,
    // so the page is served on plain http from a host that is not localhost.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null, allowedHosts: ['insecure.test'] },
    plugins: [
      {
        name: 'tokenwarden-demo-pages',
        configureServer(server) {
          server.middlewares.use((req, _res, next) => {
            const path = (req.url ?? '/').split('?')[0] ?? '/'
            const page = pages.find((prefix) => path.startsWith(prefix) && !path.includes('.', prefix.length))
            if (page && path !== page) req.url = page + (req.url?.slice(path.length) ?? '')
            next()
          })
        },
      },
    ],
  })
  await server.listen()
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => server.close(),
  }
}
