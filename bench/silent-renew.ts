// `npm run bench:silent-renew`: what a silent renewal (prompt=none in a hidden iframe, then the
// code exchange) costs beside a refresh grant, measured in the same run, in Debian's Chromium,
// against the dev authorization server with a fixed latency added to every request.
//
//   npx tsx bench/silent-renew.ts [--latency 100] [--runs 20] [--out bench/.tmp]
//
// Two demo pages on their own origins: one signs in as the server's plain client and renews with
// the refresh grant, the other as its client without refresh tokens and renews silently. Each
// page times `session.refresh()` with performance.now(), one renewal after the other, taking turns.
// Writes bench/results/silent-renew.md and .json, and copies the table into README.md between
// its `silent-renew` markers (with --out, only the files).

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startAuthServer } from '../dev/auth-server/index.js'
import { launchEngine, type Tab, waitInTab } from '../dev/browsers/index.js'
import { startDemoServer } from '../dev/demo-server.js'
import { freePort } from '../dev/ports.js'
import { measuredCommit } from '../dev/commit.js'
import { benchmarksPath, rewriteReadmeSection } from '../dev/readme.js'
import { resultsDir, silentRenewSection } from './results-file.js'
import { summary, type Summary } from './stats.js'

const { values: flags } = parseArgs({ options: { latency: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' } } })
const latencyMs = Number(flags.latency ?? process.env.BENCH_LATENCY_MS ?? 100)
const runs = Number(flags.runs ?? process.env.BENCH_SILENT_RUNS ?? 20)
if (!Number.isInteger(latencyMs) || latencyMs < 0 || !Number.isInteger(runs) || runs < 1)
  throw new Error('bench: --latency ≥ 0 and --runs ≥ 1, integers')
const outDir = flags.out ? join(process.cwd(), flags.out) : resultsDir
const log = (line: string) => process.stderr.write(`${line}\n`)

type Session = { refresh(): Promise<void>; getSnapshot(): { status: string } }

/** Signs the tab in on the demo page at `origin`, through the real server. */
async function signIn(tab: Tab, origin: string) {
  await tab.goto(`${origin}/`)
  await waitInTab(
    tab,
    () => (window as unknown as { demo?: { session: Session } }).demo?.session.getSnapshot().status === 'signed-out',
    undefined,
  )
  await tab.click('#login')
  await waitInTab(
    tab,
    () => (window as unknown as { demo?: { session: Session } }).demo?.session.getSnapshot().status === 'signed-in',
    undefined,
    {
      what: 'signed in',
    },
  )
}

/** One `session.refresh()` in the page, timed there. */
const renewOnce = (tab: Tab) =>
  tab.evaluate(async () => {
    const { session } = (window as unknown as { demo: { session: Session } }).demo
    const started = performance.now()
    await session.refresh()
    return performance.now() - started
  })

async function main() {
  const [plainPort, silentPort] = [await freePort(), await freePort()]
  const plainOrigin = `http://127.0.0.1:${plainPort}`
  const silentOrigin = `http://127.0.0.1:${silentPort}`
  const auth = await startAuthServer({ spaOrigins: [plainOrigin, silentOrigin], latencyMs })
  const closers: Array<() => Promise<unknown>> = [() => auth.close()]
  try {
    const plain = await startDemoServer({ port: plainPort, issuer: auth.issuer, clientId: auth.clientId })
    closers.push(() => plain.close())
    const silent = await startDemoServer({ port: silentPort, issuer: auth.issuer, clientId: auth.noRefreshClientId, silentRenew: true })
    closers.push(() => silent.close())
    const engine = await launchEngine('chromium')
    closers.push(() => engine.close())
    const a = await engine.newProfile()
    const b = await engine.newProfile()
    await signIn(a.tab, plainOrigin)
    await signIn(b.tab, silentOrigin)
    // One of each first, unmeasured: the oidc-client-ts chunk loads, connections open.
    await renewOnce(a.tab)
    await renewOnce(b.tab)
    const refreshGrant: number[] = []
    const silentRenewal: number[] = []
    for (let i = 0; i < runs; i++) {
      refreshGrant.push(await renewOnce(a.tab))
      silentRenewal.push(await renewOnce(b.tab))
    }
    const refreshes = auth.requests.filter((r) => r.endpoint === 'token' && r.body.grant_type === 'refresh_token').length
    const silentAuthorizations = auth.requests.filter((r) => r.endpoint === 'authorization' && r.body.prompt === 'none').length
    if (refreshes !== runs + 1 || silentAuthorizations !== runs + 1) {
      throw new Error(
        `bench: expected ${runs + 1} of each renewal, the server saw ${refreshes} refresh grants and ${silentAuthorizations} prompt=none`,
      )
    }
    report({ refreshGrant: summary(refreshGrant), silentRenewal: summary(silentRenewal) }, engine.version)
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
}

function report(results: { refreshGrant: Summary; silentRenewal: Summary }, browser: string) {
  const row = (name: string, s: Summary) => `| ${name} | ${s.median} | ${s.p95} | ${s.min} | ${s.max} |`
  const markdown = [
    `Renewal cost at commit \`${measuredCommit()}\`: \`session.refresh()\` timed in the page, ${runs} runs each, taking turns, Chromium ${browser}, ${latencyMs} ms added to every request.`,
    '',
    '| Renewal | median ms | p95 ms | min ms | max ms |',
    '|---|---|---|---|---|',
    row('refresh grant (one POST to the token endpoint)', results.refreshGrant),
    row('silent renewal (prompt=none frame, two redirects, code exchange)', results.silentRenewal),
    '',
  ].join('\n')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'silent-renew.md'), markdown)
  writeFileSync(
    join(outDir, 'silent-renew.json'),
    `${JSON.stringify({ date: new Date().toISOString(), browser, latencyMs, runs, ...results }, null, 2)}\n`,
  )
  process.stdout.write(markdown)
  if (!flags.out) {
    rewriteReadmeSection('silent-renew', silentRenewSection(markdown), 'npm run bench:silent-renew', benchmarksPath)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
