// `npm run bench`: tokenwarden side by side with oidc-client-ts (and, for logout,
// @axa-fr/oidc-client), in Debian's Chromium, against the dev authorization server with a fixed
// latency added to every request (logout also runs at 0 ms and against a hanging endpoint).
//
//   npx tsx bench/run.ts [--latency 100] [--runs 12] [--hang-runs 3] [--profile-runs 5]
//   [--cross-tab-runs 20] [--cold-runs 20] [--resource-runs 12] [--first-runs 12] [--out bench/.tmp]
//   [--only logout-resources|first-logout|logout]  (a trial, printed, nothing written: `logout` runs the
//   logout scenarios, first logout and two resources included, and judges their targets)
//   (or BENCH_LATENCY_MS, BENCH_RUNS, BENCH_HANG_RUNS, BENCH_PROFILE_RUNS, BENCH_CROSS_TAB_RUNS,
//   BENCH_COLD_RUNS, BENCH_RESOURCE_RUNS, BENCH_FIRST_RUNS)
//
// Writes bench/results/results.md and results.json and prints the table; `npm run bench` then
// runs bench/update-readme.ts, which copies results.md into README.md between its markers.
//
// The runner: options, the shared stack (bench/stack.ts: server, page, browser), then each
// scenario in bench/scenarios/ in turn, then the report (bench/report.ts). What is timed is
// timed in the page (bench/page/main.ts) with performance.now().

import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { measuredCommit } from '../dev/commit.js'
import { render } from './report.js'
import { type BenchResults, resultsDir, resultsToJson } from './results-file.js'
import { runColdStart } from './scenarios/cold-start.js'
import { runCrossTab } from './scenarios/cross-tab.js'
import { runFirstLogout } from './scenarios/first-logout.js'
import { runLogout } from './scenarios/logout.js'
import { runLogoutResources } from './scenarios/logout-resources.js'
import { judgeRun, type TargetVerdict } from './targets.js'
import { runRefreshStorm, stormSettleMs } from './scenarios/refresh-storm.js'
import { measureSizes, writeSizeResults } from './size.js'
import { type Cleanup, log, startStack, versionOf } from './stack.js'

// ---- options ---------------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    latency: { type: 'string' },
    runs: { type: 'string' },
    'hang-runs': { type: 'string' },
    'profile-runs': { type: 'string' },
    'cross-tab-runs': { type: 'string' },
    'cold-runs': { type: 'string' },
    'resource-runs': { type: 'string' },
    'first-runs': { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
})
/** Where results.md and results.json go (default bench/results/; `--out bench/.tmp` for a trial run). */
const outDir = flags.out ? join(process.cwd(), flags.out) : resultsDir

function count(name: string, flag: string | undefined, env: string, fallback: number, min: number) {
  const raw = flag ?? process.env[env]
  const value = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`bench: ${name} must be an integer ≥ ${min}, got ${raw}`)
  return value
}

const latencyMs = count('--latency', flags.latency, 'BENCH_LATENCY_MS', 100, 0)
const logoutRuns = count('--runs', flags.runs, 'BENCH_RUNS', 12, 1)
const hangRuns = count('--hang-runs', flags['hang-runs'], 'BENCH_HANG_RUNS', 3, 1)
const profileRuns = count('--profile-runs', flags['profile-runs'], 'BENCH_PROFILE_RUNS', 5, 0)
const crossTabRuns = count('--cross-tab-runs', flags['cross-tab-runs'], 'BENCH_CROSS_TAB_RUNS', 20, 1)
const coldRuns = count('--cold-runs', flags['cold-runs'], 'BENCH_COLD_RUNS', 20, 1)
const resourceRuns = count('--resource-runs', flags['resource-runs'], 'BENCH_RESOURCE_RUNS', 12, 1)
const firstRuns = count('--first-runs', flags['first-runs'], 'BENCH_FIRST_RUNS', 12, 1)
const trials = ['logout-resources', 'first-logout', 'logout']
if (flags.only !== undefined && !trials.includes(flags.only)) throw new Error(`bench: --only takes ${trials.join(', ')}, got ${flags.only}`)

const logTargets = (targets: TargetVerdict[]) => {
  for (const t of targets) log(`bench: target ${t.pass ? 'pass' : 'MISS'}: ${t.target}: ${t.figure} ms (bound ${t.bound} ms)`)
}

// ---- run -------------------------------------------------------------------------------------

const cleanups: Cleanup[] = []
async function cleanup() {
  for (const close of cleanups.splice(0).reverse()) await close().catch((error) => log(`bench: cleanup: ${error}`))
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130))
  })
}

async function main() {
  const started = Date.now()
  const loadAtStart = os.loadavg()[0]
  const stack = await startStack({ latencyMs, cleanups })
  if (flags.only === 'logout-resources') {
    const trial = await runLogoutResources(stack, { runs: resourceRuns })
    process.stdout.write(`${JSON.stringify(trial, null, 2)}\n`)
    return
  }
  if (flags.only === 'first-logout') {
    const trial = await runFirstLogout(stack, { runs: firstRuns })
    process.stdout.write(`${JSON.stringify({ first: trial.first, later: trial.later, durableFloor: trial.durableFloor }, null, 2)}\n`)
    return
  }
  if (flags.only === 'logout') {
    const logout = await runLogout(stack, { runs: logoutRuns, hangRuns, profileRuns })
    const logoutResources = await runLogoutResources(stack, { runs: resourceRuns })
    const firstLogout = await runFirstLogout(stack, { runs: firstRuns })
    const tw = logout.conditions.map((c) => ({
      condition: c.key,
      settled: c.libraries.tokenwarden.settled,
      floor: c.floor,
      floorPhases: c.floorPhases,
      durableFloor: c.durableFloor,
      durableFloorPhases: c.durableFloorPhases,
      otherTab: c.libraries.tokenwarden.otherTab,
      phases: c.libraries.tokenwarden.phases,
    }))
    const profile = logout.profile && {
      buckets: logout.profile.buckets.slice(0, 8),
      topFunctions: logout.profile.topFunctions.slice(0, 12),
    }
    process.stdout.write(`${JSON.stringify({ tokenwarden: tw, profile, logoutResources, firstLogout }, null, 2)}\n`)
    logTargets(judgeRun(logout, { logoutResources, firstLogout }))
    return
  }

  const logout = await runLogout(stack, { runs: logoutRuns, hangRuns, profileRuns })
  const logoutResources = await runLogoutResources(stack, { runs: resourceRuns })
  const crossTab = await runCrossTab(stack, { runs: crossTabRuns })
  const refreshStorm = await runRefreshStorm(stack)
  const coldStart = await runColdStart(stack, { runs: coldRuns })
  const firstLogout = await runFirstLogout(stack, { runs: firstRuns })

  const chromiumName = `Chromium ${stack.browser.version()}`
  await cleanup()

  log('bench: measuring bundle sizes')
  writeSizeResults(await measureSizes())

  const cpus = os.cpus()
  const results: BenchResults = {
    date: new Date().toISOString(),
    commit: measuredCommit(),
    machine: {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: cpus[0]?.model?.trim() ?? 'unknown',
      cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      // 1-minute load averages: the bench shares its cores with whatever else runs.
      loadAverage: { start: Math.round(loadAtStart! * 10) / 10, end: Math.round(os.loadavg()[0]! * 10) / 10 },
    },
    node: process.version,
    chromium: chromiumName,
    oidcClientTs: await versionOf('oidc-client-ts'),
    axaOidcClient: await versionOf('@axa-fr/oidc-client'),
    latencyMs,
    stormSettleMs: stormSettleMs(latencyMs),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    logout,
    targets: judgeRun(logout, { logoutResources, firstLogout }),
    logoutResources,
    firstLogout,
    crossTab,
    refreshStorm,
    coldStart,
  }

  const markdown = render(results)
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'results.json'), resultsToJson(results))
  writeFileSync(join(outDir, 'results.md'), markdown)
  process.stdout.write(markdown)
  logTargets(results.targets)
  log(`bench: done in ${results.durationSeconds} s; written ${relative(process.cwd(), join(outDir, 'results.md'))} and results.json`)
}

try {
  await main()
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
} finally {
  await cleanup()
}
