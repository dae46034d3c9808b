// What every bench scenario runs on: the dev authorization server with a latency switch, the
// bench page (bench/page, built with Vite and served by its preview server) and Debian's
// Chromium launched the way the e2e tests launch it (dev/browsers/).
//
// Scenarios get the stack and only ever time a step inside the page (performance.now());
// set-up (headless sign-in, seeding storage, starting sessions) runs with the latency off.

import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { build, preview } from 'vite'
import { type Faults, type SignInHeadlessOptions, signInHeadless, startAuthServer } from '../dev/auth-server/index.js'
import { launchChromium, missingEngine } from '../dev/browsers/index.js'
import { onFreePort } from '../dev/ports.js'
import { sourceAliases } from '../dev/sources.js'
import type { Bench, BenchConfig, BenchTokens } from './page/main.js'

const here = fileURLToPath(new URL('.', import.meta.url))
export const root = join(here, '..')
const pageRoot = join(here, 'page')
export const pageOut = join(here, '.tmp', 'page')

/**
 * Builds a bench page (`tokenwarden` resolved to src/, minified as an app would ship it) and
 * serves it on 127.0.0.1:`port`. Returns the function that stops the server.
 */
export async function servePage({ from, to, port, sourcemap = false }: { from: string; to: string; port: number; sourcemap?: boolean }) {
  await build({
    configFile: false,
    root: from,
    logLevel: 'warn',
    resolve: { alias: sourceAliases },
    build: {
      outDir: to,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      sourcemap,
      reportCompressedSize: false,
      // Every page of `from` (the logout scenarios' first-logout page beside the main one).
      rollupOptions: { input: Object.fromEntries(pagesOf(from).map((name) => [name, join(from, `${name}.html`)])) },
    },
  })
  const server = await preview({
    configFile: false,
    root: from,
    logLevel: 'warn',
    build: { outDir: to },
    preview: { host: '127.0.0.1', port, strictPort: true },
  })
  return () => server.close()
}

/** The HTML pages of a page folder, by name (`index`, …). */
function pagesOf(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.html'))
    .map((name) => name.slice(0, -'.html'.length))
}

export const log = (line: string) => process.stderr.write(`${line}\n`)
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The installed version of a package (node_modules/<name>/package.json). */
export async function versionOf(name: string): Promise<string> {
  return (JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}

function claimsOf(idToken: string): BenchTokens['claims'] {
  return JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

/** What a scenario stops when it is done, or when a later step failed. */
export type Cleanup = () => Promise<unknown>

export type Stack = Awaited<ReturnType<typeof startStack>>

/**
 * Starts the server, the page and the browser. Everything started is pushed onto `cleanups`
 * as soon as it runs, so the caller can stop it even when a later step fails.
 */
export async function startStack({ latencyMs, cleanups }: { latencyMs: number; cleanups: Cleanup[] }) {
  const missing = missingEngine('chromium')
  if (missing) throw new Error(`bench: ${missing}`)
  log(
    `bench: building the bench page (tokenwarden from src/, oidc-client-ts ${await versionOf('oidc-client-ts')}, @axa-fr/oidc-client ${await versionOf('@axa-fr/oidc-client')})`,
  )
  // The page's origin is registered with the server before the page is served: chosen first,
  // and chosen again if something takes the port in between.
  const { origin, auth } = await onFreePort(async (port) => {
    const origin = `http://127.0.0.1:${port}`
    const auth = await startAuthServer({ spaOrigins: [origin], latencyMs })
    try {
      cleanups.push(await servePage({ from: pageRoot, to: pageOut, port, sourcemap: true }))
    } catch (error) {
      await auth.close()
      throw error
    }
    cleanups.push(() => auth.close())
    return { origin, auth }
  })

  const browser = await launchChromium()
  cleanups.push(() => browser.close())

  const config: BenchConfig = {
    authority: auth.issuer,
    clientId: auth.clientId,
    redirectUri: `${origin}/callback`,
    scope: 'openid profile email offline_access',
  }

  /** The faults the measured steps run under; `measureWith` changes them for a scenario. */
  let measured: Pick<Faults, 'latencyMs' | 'revocation'> = { latencyMs, revocation: 'ok' }
  function measureWith(faults: Partial<typeof measured>) {
    measured = { ...measured, ...faults }
    auth.faults.set(measured)
  }

  /** Set-up runs with no added latency, so only the measured step pays it. */
  async function setup<T>(step: () => Promise<T>): Promise<T> {
    auth.faults.set({ latencyMs: 0 })
    try {
      return await step()
    } finally {
      auth.faults.set({ latencyMs: measured.latencyMs })
    }
  }

  /** A fresh sign-in (authorization code + PKCE from Node) and its ID token's claims; `options` for its scope and resources. */
  async function freshTokensWith(options: SignInHeadlessOptions): Promise<BenchTokens> {
    const tokens = await signInHeadless(auth, options)
    return { ...tokens, claims: claimsOf(tokens.id_token) }
  }
  const freshTokens = () => freshTokensWith({})

  async function openPage(context: BrowserContext) {
    const page = await context.newPage()
    page.on('pageerror', (error) => log(`bench: page error: ${error.message}`))
    await page.goto(`${origin}/`)
    await page.waitForFunction(() => window.bench !== undefined)
    return page
  }

  /** Calls `window.bench[name](...args)` in the page (bench/page/main.ts). */
  const call = <K extends keyof Bench>(page: Page, name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> =>
    page.evaluate(([name, args]) => (window.bench![name] as (...args: unknown[]) => unknown)(...args), [name, args] as const) as Promise<
      Awaited<ReturnType<Bench[K]>>
    >

  const isActive = async (token: string | undefined) => (token ? (await auth.introspect(token)).active === true : false)

  return { auth, origin, browser, config, latencyMs, measureWith, setup, freshTokens, freshTokensWith, openPage, call, isActive }
}
