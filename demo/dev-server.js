// The demo SPA on Vite's dev server, with `tokenwarden` resolved to this repository's
// sources, so the demo always shows the code under test.
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const src = fileURLToPath(new URL('../src/', import.meta.url))

/** Pages with client-side routes (their redirect URIs): anything under them gets their HTML. */
const pages = ['/react/', '/vue/']

/**
 * @param {{ port?: number, issuer: string, clientId: string, dpop?: boolean }} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startDemoServer({ port = 5173, issuer, clientId, dpop = false }) {
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'warn',
    clearScreen: false,
    define: { __DEMO_CONFIG__: JSON.stringify({ issuer, clientId, dpop }) },
    resolve: {
      alias: [
        { find: /^tokenwarden\/react$/, replacement: `${src}react/index.ts` },
        { find: /^tokenwarden\/vue$/, replacement: `${src}vue/index.ts` },
        { find: /^tokenwarden$/, replacement: `${src}index.ts` },
      ],
    },
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
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
