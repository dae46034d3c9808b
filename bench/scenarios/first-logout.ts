// The first logout after start, beside later ones: tokenwarden alone on its own page
// (page/first.html: no other library in the bundle, so its sign-in and refresh chunk, with
// oidc-client-ts in it, is loaded only when tokenwarden asks for it), at the bench's round trip.
//
// "After start" means the moment `start()` settled, in the same task that saw it settle: that
// is when start() has just scheduled its idle prefetch of that chunk, and when a logout would
// meet it if prefetching sat on its path. Per run, a fresh browser context (no code cached, no
// storage) with two fresh pages: tab B starts and watches, then tab A starts and logs out at
// once (the first logout: every line of its code runs for the first time too); then the same
// again in the same pages (a later logout, the warm one it is compared with). Each checks the
// server's side: two revocations answered 200.

import type { Page } from 'playwright-core'
import type { BenchFirst } from '../page/first.js'
import type { BenchTokens, FloorMeasure } from '../page/main.js'
import { CAP_MS, type FloorPhases, floorPhases } from './logout.js'
import { log, type Stack } from '../stack.js'
import { type Summary, type SummaryWithMissing, summary, summaryWithMissing } from '../stats.js'

export interface FirstLogoutResults {
  latencyMs: number
  runs: number
  /** What "after start" means in these figures. */
  when: string
  first: FirstLogoutFigures
  /** The next logout in the same pages, started the same way. */
  later: FirstLogoutFigures
  /**
   * The durable floor (bench/page/floors.ts) first and later in a fresh page of its own, per run:
   * what the browser itself charges the first time (absent from results written before it).
   */
  durableFloor?: { first: Summary; later: Summary; firstPhases: FloorPhases | null; laterPhases: FloorPhases | null }
}

export interface FirstLogoutFigures {
  settled: SummaryWithMissing
  otherTab: SummaryWithMissing
  /** Runs in which a script of the page was fetched between the call and the logout settling. */
  runsLoadingAChunk: number
  /** Medians, ms: from the call to the tokens taken and every tab told, to the first request, and from the last answer to settled. */
  phases: { tokensTaken: number | null; beforeFirstRequest: number | null; afterLastAnswer: number | null }
}

const callFirst = <K extends keyof BenchFirst>(page: Page, name: K, ...args: Parameters<BenchFirst[K]>) =>
  page.evaluate(([name, args]) => (window.benchFirst![name] as (...args: unknown[]) => unknown)(...args), [name, args] as const) as Promise<
    Awaited<ReturnType<BenchFirst[K]>>
  >

export async function runFirstLogout(stack: Stack, { runs }: { runs: number }): Promise<FirstLogoutResults> {
  const { auth, browser, origin, config, setup, freshTokens, measureWith, latencyMs } = stack
  measureWith({ latencyMs, revocation: 'ok' })
  log(`bench: first logout after start, ${runs} fresh browser contexts, then a later logout in each`)
  const samples = { first: [] as Sample[], later: [] as Sample[] }
  const floors = { first: [] as FloorMeasure[], later: [] as FloorMeasure[] }
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext()
    try {
      const open = async () => {
        const page = await context.newPage()
        page.on('pageerror', (error) => log(`bench: page error: ${error.message}`))
        await page.goto(`${origin}/first.html`)
        await page.waitForFunction(() => window.benchFirst !== undefined)
        return page
      }
      const [a, b] = [await open(), await open()]
      for (const which of ['first', 'later'] as const) {
        await setup(async () => {
          const tokens = await freshTokens()
          await callFirst(a, 'seed', config, tokens, Date.now() + 3600_000)
        })
        if (!(await callFirst(b, 'restore', config))) throw new Error('bench: tab B did not restore the seeded session')
        await callFirst(b, 'watchOtherTab')
        auth.clearLog()
        const measure = await callFirst(a, 'startThenLogout', config, CAP_MS)
        const heard = await callFirst(b, 'otherTabSignedOutAt', 1500)
        const revocations = auth.revocations()
        if (revocations.length !== 2 || revocations.some((entry) => entry.status !== 200)) {
          throw new Error(`bench: first logout: expected two answered revocations, got ${revocations.length} (${measure.report})`)
        }
        const starts = measure.requests.map((q) => q.start)
        const ends = measure.requests.map((q) => q.end)
        samples[which].push({
          tokensTaken: measure.marks?.taken ?? null,
          beforeFirstRequest: starts.length ? Math.min(...starts) : null,
          afterLastAnswer: ends.length && measure.settledMs !== null ? measure.settledMs - Math.max(...ends) : null,
          settledMs: measure.settledMs,
          otherTabMs: heard.at === null ? null : heard.at - measure.calledAt,
          scriptsLoaded: measure.scriptsLoaded,
        })
      }
    } finally {
      await context.close()
    }
    const [first, later] = await durableFirstThenLater(stack)
    floors.first.push(first)
    floors.later.push(later)
  }
  const figures = (rows: Sample[]): FirstLogoutFigures => ({
    settled: summaryWithMissing(rows.map((r) => r.settledMs)),
    otherTab: summaryWithMissing(rows.map((r) => r.otherTabMs)),
    runsLoadingAChunk: rows.filter((r) => r.scriptsLoaded > 0).length,
    phases: {
      tokensTaken: medianOf(rows.map((r) => r.tokensTaken)),
      beforeFirstRequest: medianOf(rows.map((r) => r.beforeFirstRequest)),
      afterLastAnswer: medianOf(rows.map((r) => r.afterLastAnswer)),
    },
  })
  return {
    latencyMs,
    runs,
    when: 'in the task in which start() settled',
    first: figures(samples.first),
    later: figures(samples.later),
    durableFloor: {
      first: summary(floors.first.map((f) => f.ms)),
      later: summary(floors.later.map((f) => f.ms)),
      firstPhases: floorPhases(floors.first),
      laterPhases: floorPhases(floors.later),
    },
  }
}

/** The durable floor twice in a fresh context's one page: after discovery, as a first logout runs. */
async function durableFirstThenLater(stack: Stack): Promise<[FloorMeasure, FloorMeasure]> {
  const { auth, browser, origin, setup, freshTokens } = stack
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(`${origin}/first.html`)
    await page.waitForFunction(() => window.benchFirst !== undefined)
    const tokens = await setup(async () => [await freshTokens(), await freshTokens()] as [BenchTokens, BenchTokens])
    auth.clearLog()
    const [first, later] = await callFirst(
      page,
      'durableFirstThenLater',
      `${auth.issuer}/.well-known/openid-configuration`,
      `${auth.issuer}/token/revocation`,
      auth.clientId,
      tokens,
    )
    const revocations = auth.revocations()
    if (revocations.length !== 4 || revocations.some((entry) => entry.status !== 200) || !first || !later) {
      throw new Error(`bench: durable floor in a fresh page: expected four answered revocations, got ${revocations.length}`)
    }
    return [first, later]
  } finally {
    await context.close()
  }
}

const medianOf = (values: Array<number | null>) => {
  const known = values.filter((v): v is number => v !== null)
  return known.length ? summary(known).median : null
}

interface Sample {
  tokensTaken: number | null
  beforeFirstRequest: number | null
  afterLastAnswer: number | null
  settledMs: number | null
  otherTabMs: number | null
  scriptsLoaded: number
}
