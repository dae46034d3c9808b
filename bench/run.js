// `npm run bench`: tokenwarden side by side with oidc-client-ts, in Debian's Chromium, against
// the dev authorization server with a fixed latency added to every request.
//
//   node bench/run.js [--latency 100] [--runs 20] [--cross-tab-runs 50] [--cold-runs 20]
//   [--out bench/.tmp]   (or BENCH_LATENCY_MS, BENCH_RUNS, BENCH_CROSS_TAB_RUNS, BENCH_COLD_RUNS)
//
// Writes bench/results.md and bench/results.json and prints the table; `npm run bench` then
// runs bench/update-readme.js, which copies results.md into README.md between its markers.
//
// What is timed is timed in the page (bench/page/main.ts) with performance.now(). Node does
// the set-up with the server's latency switched off (headless sign-in, seeding storage,
// starting sessions), switches it on, and asks the page to run one measured step.

import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { build, preview } from 'vite'
import { signInHeadless, startAuthServer } from '../demo/server/auth-server.js'
import { chromiumArgs, findChromium, freePort } from '../e2e/environment.js'
import { measureSizes, sizeTable } from './size.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
const pageRoot = join(here, 'page')
const pageOut = join(here, '.tmp', 'page')

// ---- options ---------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    latency: { type: 'string' },
    runs: { type: 'string' },
    'cross-tab-runs': { type: 'string' },
    'cold-runs': { type: 'string' },
    out: { type: 'string' },
  },
})
/** Where results.md and results.json go (default bench/; `--out bench/.tmp` for a trial run). */
const outDir = flags.out ? join(process.cwd(), flags.out) : here

function count(name, flag, env, fallback, min) {
  const raw = flag ?? process.env[env]
  const value = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`bench: ${name} must be an integer ≥ ${min}, got ${raw}`)
  return value
}

const latencyMs = count('--latency', flags.latency, 'BENCH_LATENCY_MS', 100, 0)
const logoutRuns = count('--runs', flags.runs, 'BENCH_RUNS', 20, 1)
const crossTabRuns = count('--cross-tab-runs', flags['cross-tab-runs'], 'BENCH_CROSS_TAB_RUNS', 50, 1)
const coldRuns = count('--cold-runs', flags['cold-runs'], 'BENCH_COLD_RUNS', 20, 1)
const stormTabs = [1, 5, 10]
/** How long after the tabs start the storm is counted (oidc-client-ts's timers fire after ~1 s). */
const stormSettleMs = 2500 + 6 * latencyMs

const chromiumPath = findChromium()

// ---- small helpers ---------------------------------------------------------------------------

const log = (line) => process.stderr.write(`${line}\n`)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Percentile by linear interpolation between the closest ranks (numpy's default). */
function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low)
}

function summary(samples) {
  const round = (n) => Math.round(n * 100) / 100
  return {
    runs: samples.length,
    median: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    samples: samples.map(round),
  }
}

function claimsOf(idToken) {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8'))
}


// ---- the stack: auth server, bench page, browser ---------------------------------------------

const cleanups = []
async function cleanup() {
  for (const close of cleanups.splice(0).reverse()) await close().catch((error) => log(`bench: cleanup: ${error}`))
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130))
  })
}

async function main() {
  if (!chromiumPath) throw new Error('bench: no Chromium found: install one (apt-get install chromium) or set CHROMIUM_PATH.')
  const started = Date.now()
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`

  const auth = await startAuthServer({ spaOrigins: [origin], latencyMs })
  cleanups.push(() => auth.close())

  // CORS preflights are not in the server's request log: the logout page counts them
  // through the DevTools protocol (Network.requestWillBeSent, initiator 'preflight').
  let preflights = 0

  log(`bench: building the bench page (tokenwarden from src/, oidc-client-ts ${await versionOf('oidc-client-ts')})`)
  const alias = [{ find: /^tokenwarden$/, replacement: join(root, 'src', 'index.ts') }]
  await build({
    configFile: false,
    root: pageRoot,
    logLevel: 'warn',
    resolve: { alias },
    build: { outDir: pageOut, emptyOutDir: true, target: 'es2022', minify: true, sourcemap: false, reportCompressedSize: false },
  })
  const server = await preview({
    configFile: false,
    root: pageRoot,
    logLevel: 'warn',
    build: { outDir: pageOut },
    preview: { host: '127.0.0.1', port, strictPort: true },
  })
  cleanups.push(() => server.close())

  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] })
  cleanups.push(() => browser.close())

  const config = {
    authority: auth.issuer,
    clientId: auth.clientId,
    redirectUri: `${origin}/callback`,
    scope: 'openid profile email offline_access',
  }

  /** Set-up runs with no added latency, so only the measured step pays it. */
  async function setup(step) {
    auth.faults.set({ latencyMs: 0 })
    try {
      return await step()
    } finally {
      auth.faults.set({ latencyMs })
    }
  }

  async function freshTokens() {
    const tokens = await signInHeadless(auth)
    return { ...tokens, claims: claimsOf(tokens.id_token) }
  }

  async function openPage(context) {
    const page = await context.newPage()
    page.on('pageerror', (error) => log(`bench: page error: ${error.message}`))
    await page.goto(`${origin}/`)
    await page.waitForFunction(() => window.bench !== undefined)
    return page
  }

  const call = (page, name, ...args) => page.evaluate(([name, args]) => window.bench[name](...args), [name, args])

  const isActive = async (token) => (token ? (await auth.introspect(token)).active === true : false)

  // ---- 1. logout wall time --------------------------------------------------------------------

  log(`bench: logout, ${logoutRuns} runs each, interleaved (+1 warm-up each)`)
  const logout = { tokenwarden: [], oidc: [], requests: { tokenwarden: [], oidc: [] }, preflights: { tokenwarden: [], oidc: [] }, stillActive: { tokenwarden: 0, oidc: 0 } }
  {
    const context = await browser.newContext()
    const page = await openPage(context)
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    let seenRevocations = 0
    cdp.on('Network.requestWillBeSent', (event) => {
      if (event.initiator?.type === 'preflight') preflights += 1
      else if (event.request.method === 'POST' && event.request.url.endsWith('/token/revocation')) seenRevocations += 1
    })
    for (let run = -1; run < logoutRuns; run += 1) {
      const order = run % 2 === 0 ? ['tokenwarden', 'oidc'] : ['oidc', 'tokenwarden']
      for (const lib of order) {
        const tokens = await setup(async () => {
          const tokens = await freshTokens()
          if (lib === 'tokenwarden') {
            await call(page, 'seedTokenwarden', config, tokens, Date.now() + 3600_000)
            const status = await call(page, 'twStart', config)
            if (status !== 'signed-in') throw new Error(`bench: tokenwarden did not restore the seeded session (${status})`)
          } else {
            await call(page, 'ocPrepare', config, tokens)
          }
          return tokens
        })
        auth.clearLog()
        preflights = 0
        seenRevocations = 0
        const result = await call(page, lib === 'tokenwarden' ? 'twLogout' : 'ocLogout')
        // The preflight count means something only if the protocol saw the requests themselves.
        if (seenRevocations !== 2) throw new Error(`bench: DevTools saw ${seenRevocations} revocation requests, expected 2`)
        if (lib === 'tokenwarden' && (result.revocation.refresh_token !== 'revoked' || result.revocation.access_token !== 'revoked')) {
          throw new Error(`bench: tokenwarden logout did not revoke: ${JSON.stringify(result.revocation)}`)
        }
        if (lib === 'oidc' && result.stored) throw new Error('bench: oidc-client-ts still has a user after removeUser()')
        const revocations = auth.revocations()
        if (revocations.length !== 2 || revocations.some((entry) => entry.status !== 200)) {
          throw new Error(`bench: ${lib} logout: expected two answered revocations, got ${JSON.stringify(revocations.map((r) => [r.body.token_type_hint, r.status]))}`)
        }
        if (run < 0) continue
        logout[lib].push(result.ms)
        logout.requests[lib].push(revocations.length)
        logout.preflights[lib].push(preflights)
        const alive = await setup(async () => (await isActive(tokens.refresh_token)) || (await isActive(tokens.access_token)))
        if (alive) logout.stillActive[lib] += 1
      }
    }
    await context.close()
  }

  // ---- 2. cross-tab logout --------------------------------------------------------------------

  log(`bench: cross-tab logout, ${crossTabRuns} runs (+1 warm-up)`)
  const crossTab = []
  {
    const context = await browser.newContext()
    const [a, b] = [await openPage(context), await openPage(context)]
    for (let run = -1; run < crossTabRuns; run += 1) {
      await setup(async () => {
        const tokens = await freshTokens()
        await call(a, 'seedTokenwarden', config, tokens, Date.now() + 3600_000)
        const statuses = await Promise.all([call(a, 'twStart', config), call(b, 'twStart', config)])
        if (statuses.some((status) => status !== 'signed-in')) throw new Error(`bench: cross-tab set-up: ${statuses}`)
        await call(b, 'twWatchSignedOut')
      })
      const result = await call(a, 'twLogout')
      const heard = await call(b, 'twSignedOutAt')
      if (heard.at === null || heard.reason !== 'other-tab') throw new Error(`bench: tab B did not sign out (${JSON.stringify(heard)})`)
      if (run >= 0) crossTab.push(heard.at - result.settledAt)
    }
    await context.close()
  }

  // ---- 3. refresh storm -----------------------------------------------------------------------

  log(`bench: refresh storm, ${stormTabs.join(', ')} tabs`)
  const storm = []
  for (const tabs of stormTabs) {
    for (const lib of ['tokenwarden', 'oidc']) {
      const context = await browser.newContext()
      const pages = []
      for (let i = 0; i < tabs; i += 1) pages.push(await openPage(context))
      // Both libraries get the same token: issued a lifetime ago, it expires in 30 s, inside tokenwarden's 60 s
      // refresh leeway and oidc-client-ts's 60 s "expiring" notification time. (A token
      // already expired is never renewed automatically by oidc-client-ts: AccessTokenEvents
      // cancels its "expiring" timer when the remaining time is not positive.)
      const expiresAt = Date.now() + 30_000
      const seeded = await setup(async () => {
        const tokens = await freshTokens()
        if (lib === 'tokenwarden') {
          await call(pages[0], 'seedTokenwarden', config, tokens, expiresAt)
        } else {
          await call(pages[0], 'ocSeedShared', config, tokens, Math.floor(expiresAt / 1000))
        }
        return tokens
      })
      auth.clearLog()
      const at = Date.now() + 300
      // Every tab starts at the same moment, as if the browser restored them all at once.
      let first = []
      if (lib === 'tokenwarden') {
        // Each one starts its session on the stored record and asks for the access token.
        first = await Promise.all(pages.map((page) => call(page, 'twStormAt', config, at)))
      } else {
        // Each one creates its UserManager (automatic silent renew); their "expiring" timers
        // fire about a second later.
        await Promise.all(pages.map((page) => call(page, 'ocStartRenewingAt', config, at)))
      }
      // Then both get the same time to settle: anything still on its way lands and is counted.
      await sleep(Math.max(0, at + stormSettleMs - Date.now()))
      const results = await Promise.all(pages.map((page) => call(page, lib === 'tokenwarden' ? 'twCurrentToken' : 'ocAccessToken')))
      const grants = auth.requests.filter((entry) => entry.endpoint === 'token' && entry.body.grant_type === 'refresh_token')
      const working = await setup(async () => {
        let n = 0
        for (const result of results) if (await isActive(result.token)) n += 1
        return n
      })
      const errors = [...new Set([...first, ...results].flatMap((result) => result.errors ?? (result.error ? [result.error] : [])))]
      storm.push({
        tabs,
        library: lib,
        refreshRequests: grants.length,
        answers: grants.map((entry) => entry.status ?? null),
        workingTabs: working,
        tabsOnANewToken: results.filter((result) => result.token && result.token !== seeded.access_token).length,
        errors,
      })
      await context.close()
    }
  }

  // ---- 4. cold start --------------------------------------------------------------------------

  log(`bench: cold start, ${coldRuns} reloads each (+1 warm-up)`)
  const cold = { snapshot: [], start: [], oidc: [] }
  {
    const context = await browser.newContext()
    const page = await openPage(context)
    await setup(async () => {
      const tokens = await freshTokens()
      await call(page, 'seedTokenwarden', config, tokens, Date.now() + 3600_000)
      await call(page, 'ocSeedShared', config, tokens, Math.floor(Date.now() / 1000) + 3600)
    })
    for (let run = -1; run < coldRuns; run += 1) {
      for (const lib of run % 2 === 0 ? ['tokenwarden', 'oidc'] : ['oidc', 'tokenwarden']) {
        await page.reload()
        await page.waitForFunction(() => window.bench !== undefined)
        if (lib === 'tokenwarden') {
          const result = await call(page, 'twColdStart', config)
          if (result.status !== 'signed-in') throw new Error(`bench: cold start ended ${result.status}`)
          if (run >= 0) {
            cold.snapshot.push(result.snapshotMs)
            cold.start.push(result.startMs)
          }
        } else {
          const result = await call(page, 'ocColdStart', config)
          if (!result.found) throw new Error('bench: oidc-client-ts found no user on cold start')
          if (run >= 0) cold.oidc.push(result.ms)
        }
      }
    }
    await context.close()
  }

  const chromiumName = `Chromium ${browser.version()}`
  await cleanup()

  log('bench: measuring bundle sizes')
  const sizes = await measureSizes()

  const cpus = os.cpus()
  const results = {
    date: new Date().toISOString(),
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: cpus[0]?.model?.trim() ?? 'unknown',
      cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    },
    node: process.version,
    chromium: chromiumName,
    oidcClientTs: await versionOf('oidc-client-ts'),
    latencyMs,
    stormSettleMs,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    logout: {
      tokenwarden: summary(logout.tokenwarden),
      oidcClientTs: summary(logout.oidc),
      revocationRequestsPerLogout: { tokenwarden: mean(logout.requests.tokenwarden), oidcClientTs: mean(logout.requests.oidc) },
      preflightsPerLogout: { tokenwarden: mean(logout.preflights.tokenwarden), oidcClientTs: mean(logout.preflights.oidc) },
      runsWithATokenStillActive: { tokenwarden: logout.stillActive.tokenwarden, oidcClientTs: logout.stillActive.oidc },
    },
    crossTab: { tokenwarden: summary(crossTab), oidcClientTs: null },
    refreshStorm: storm,
    coldStart: { snapshot: summary(cold.snapshot), start: summary(cold.start), oidcClientTsGetUser: summary(cold.oidc) },
    size: sizes,
  }

  const markdown = render(results)
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(outDir, 'results.md'), markdown)
  process.stdout.write(markdown)
  log(`bench: done in ${results.durationSeconds} s; written ${relative(process.cwd(), join(outDir, 'results.md'))} and results.json`)
}

function mean(values) {
  return values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100 : null
}

async function versionOf(name) {
  const { readFile } = await import('node:fs/promises')
  return JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
}

// ---- the report ------------------------------------------------------------------------------

function render(r) {
  const ms = (n) => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`
  const rtt = (n) => (r.latencyMs > 0 ? ` (${(n / r.latencyMs).toFixed(2)} RTT)` : '')
  const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—')
  const tw = r.logout.tokenwarden
  const oc = r.logout.oidcClientTs
  const ct = r.crossTab.tokenwarden
  const cs = r.coldStart
  const stormCell = (row) => `${row.refreshRequests} (${row.workingTabs} of ${row.tabs} with a working token)`
  const stormRows = stormTabs.map((tabs) => {
    const a = r.refreshStorm.find((row) => row.tabs === tabs && row.library === 'tokenwarden')
    const b = r.refreshStorm.find((row) => row.tabs === tabs && row.library === 'oidc')
    return `| Refresh storm, ${tabs} tab${tabs > 1 ? 's' : ''}: refresh grants reaching the server | ${stormCell(a)} | ${stormCell(b)} | |`
  })
  const oidcErrors = [...new Set(r.refreshStorm.filter((row) => row.library === 'oidc').flatMap((row) => row.errors))]
  const twErrors = [...new Set(r.refreshStorm.filter((row) => row.library === 'tokenwarden').flatMap((row) => row.errors))]
  const stormAnswers = (lib) =>
    r.refreshStorm
      .filter((row) => row.library === lib)
      .map((row) => `${row.tabs}: ${row.answers.join(', ') || 'none'}`)
      .join('; ')
  const stormNewTokens = (lib) =>
    r.refreshStorm
      .filter((row) => row.library === lib)
      .map((row) => `${row.tabsOnANewToken} of ${row.tabs}`)
      .join(', ')

  return `# Benchmarks

_Written by \`npm run bench\` (bench/run.js); do not edit by hand._

Measured ${r.date.slice(0, 10)} on ${r.machine.os}, ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.node}, ${r.chromium} (headless, playwright-core), oidc-client-ts ${r.oidcClientTs}. The dev authorization server (node-oidc-provider, loopback) adds **${r.latencyMs} ms to every request**, so one round trip (RTT) ≈ ${r.latencyMs} ms.

## Speed

| Measure | tokenwarden | oidc-client-ts | oidc-client-ts ÷ tokenwarden |
|---|---:|---:|---:|
| Logout wall time, median (${tw.runs} runs each) | ${ms(tw.median)}${rtt(tw.median)} | ${ms(oc.median)}${rtt(oc.median)} | ${ratio(oc.median, tw.median)} |
| Logout wall time, p95 | ${ms(tw.p95)}${rtt(tw.p95)} | ${ms(oc.p95)}${rtt(oc.p95)} | ${ratio(oc.p95, tw.p95)} |
| Cross-tab logout: \`logout()\` settled in tab A → tab B signed out, p50 (${ct.runs} runs) | ${ms(ct.median)} | n/a — no cross-tab logout | |
| Cross-tab logout, p95 | ${ms(ct.p95)} | n/a — no cross-tab logout | |
${stormRows.join('\n')}
| Cold start: \`start()\` → signed-in snapshot from IndexedDB, p50 (${cs.snapshot.runs} reloads) | ${ms(cs.snapshot.median)} | ${ms(cs.oidcClientTsGetUser.median)} ¹ | |
| Cold start, p95 | ${ms(cs.snapshot.p95)} | ${ms(cs.oidcClientTsGetUser.p95)} ¹ | |
| Cold start: \`start()\` settled (includes discovery), p50 / p95 | ${ms(cs.start.median)} / ${ms(cs.start.p95)} | | |

¹ oidc-client-ts has no IndexedDB store or start step; the closest is \`new UserManager()\` + \`getUser()\` reading the user from localStorage (synchronous storage, no token refresh, no tab coordination).

How it was measured:

- **Logout.** tokenwarden: \`session.logout()\`. oidc-client-ts: \`userManager.revokeTokens()\` then \`removeUser()\`, with \`revokeTokenAdditionalContentTypes: ['text/plain']\` (the server answers a revocation with an empty \`text/plain\` body, which oidc-client-ts otherwise rejects). Every run signs in afresh (authorization code + PKCE from Node, \`signInHeadless\`) and seeds the tokens into the library's own store (tokenwarden: a session record in IndexedDB, then \`start()\`; oidc-client-ts: \`storeUser()\`). Server metadata is loaded before timing in both (tokenwarden's \`start()\` does discovery; for oidc-client-ts \`metadataService.getMetadata()\` is called first), so neither pays for discovery. Runs are interleaved, alternating which library goes first, after one warm-up run each. Per logout the server received ${r.logout.revocationRequestsPerLogout.tokenwarden} revocation requests from tokenwarden (sent together) and ${r.logout.revocationRequestsPerLogout.oidcClientTs} from oidc-client-ts (one after the other: it awaits each; \`revokeTokens()\` also writes the user back with the revoked access token still in it, until \`removeUser()\`), and ${r.logout.preflightsPerLogout.tokenwarden} / ${r.logout.preflightsPerLogout.oidcClientTs} CORS preflights. Afterwards the server's introspection found a token of the run still active in ${r.logout.runsWithATokenStillActive.tokenwarden} tokenwarden run(s) and ${r.logout.runsWithATokenStillActive.oidcClientTs} oidc-client-ts run(s).
- **Cross-tab logout.** Two pages of one browser context, both restored from the same record; the time from \`logout()\` settling in tab A to tab B's snapshot turning \`signed-out\` (reason \`other-tab\`), both read as \`performance.timeOrigin + performance.now()\`. oidc-client-ts has no cross-tab logout: other tabs are not told; with a localStorage \`userStore\` they find the user gone only when they next call \`getUser()\` (no event), and its default sessionStorage store is not shared between tabs at all.
- **Refresh storm.** N pages of one browser context with an access token issued almost an hour ago that expires in 30 s (inside both libraries' default 60 s windows; not 0 s, because oidc-client-ts raises its "expiring" event only while the token is still valid, so a user loaded with an expired access token is never renewed automatically) and one refresh token; the count is of \`grant_type=refresh_token\` requests the server received; "working" means the tab's access token afterwards introspects active. tokenwarden: every tab creates its session on the stored record at the same moment, calls \`start()\` and then \`getAccessToken()\` (the server's latency is on from the start, so the tabs overlap). oidc-client-ts: every tab creates a \`UserManager\` with \`automaticSilentRenew: true\` on a localStorage \`userStore\` shared by the tabs, at the same moment; their "expiring" timers fire about a second later, and the tabs are read ${(r.stormSettleMs / 1000).toFixed(1)} s after they started. (All tabs of an app share one expiry time, so their timers converge on the same second however far apart the tabs were opened.) The server rotates refresh tokens and treats a reused one as theft: it revokes the whole grant. Answers to the refresh requests, by tab count: tokenwarden ${stormAnswers('tokenwarden')}; oidc-client-ts ${stormAnswers('oidc')}. Tabs holding a new (refreshed) access token afterwards: tokenwarden ${stormNewTokens('tokenwarden')}; oidc-client-ts ${stormNewTokens('oidc')}.${oidcErrors.length ? ` oidc-client-ts's silent renew reported: ${oidcErrors.map((e) => `\`${e}\``).join('; ')}.` : ''}${twErrors.length ? ` tokenwarden reported: ${twErrors.map((e) => `\`${e}\``).join('; ')}.` : ''}
- **Cold start.** The page is reloaded with a session record already in IndexedDB; timed from calling \`start()\` to the \`signed-in\` snapshot (no network needed), and to \`start()\` settling, which also waits for discovery (one round trip). Libraries alternate reloads, after one warm-up each.
- Percentiles interpolate linearly between the closest ranks. Set-up (sign-in, seeding, starting) runs with the added latency switched off; only the measured step pays it. \`npm run bench -- --latency 100 --runs 20 --cross-tab-runs 50 --cold-runs 20\` changes the parameters. This run took ${r.durationSeconds} s.

## Bundle size

${sizeTable(r.size)}
`
}

try {
  await main()
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
} finally {
  await cleanup()
}
