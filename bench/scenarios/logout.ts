// Logout, side by side: tokenwarden's `logout()`, oidc-client-ts (`revokeTokens()` then
// `removeUser()`) and @axa-fr/oidc-client (`logoutAsync()`, which revokes both tokens), under
// three conditions: no added latency, the bench's round trip (default 100 ms) on every request,
// and a revocation endpoint that never answers.
//
// Per run, in two pages of one browser context (tab A logs out, tab B watches):
// - settled:        ms from calling logout in A to its promise settling;
// - on screen here: ms from the call to A showing signed-out (tokenwarden: its snapshot through
//                   subscribe; oidc-client-ts: `userUnloaded`; axa: `logout_from_same_tab`);
// - other tab:      ms from the call to B showing signed-out (tokenwarden: B's snapshot; axa:
//                   `logout_from_another_tab`; oidc-client-ts has no way to tell another tab);
// - phases:         Resource Timing of the revocation requests in A, on the same clock.
// The runs with answered revocations also check the server's side: exactly two revocations
// answered 200, and neither token introspects active afterwards. Then a few more tokenwarden
// logouts run under the CPU profiler (see bench/profile.ts).

import type { BrowserContext, Page } from 'playwright-core'
import type { FloorMeasure, Library, LogoutMeasure } from '../page/main.js'
import type { RequestTiming } from '../page/measure.js'
import { attribute, type CpuProfile, loadSourceMaps, meanBuckets } from '../profile.js'
import { log, pageOut, type Stack } from '../stack.js'
import { mean, type Summary, type SummaryWithMissing, summary, summaryWithMissing } from '../stats.js'

export const LIBRARIES: readonly Library[] = ['tokenwarden', 'oidc-client-ts', 'axa']

/**
 * How long a logout may take before it counts as not settled: past tokenwarden's 5 s bound.
 * (oidc-client-ts has no bound; @axa-fr/oidc-client aborts a revocation after 10 s and tries it
 * three times in all, so it settles after about 30 s: waiting for that would triple the run.)
 */
export const CAP_MS = 6500
/**
 * How long tab B is given to notice, after A's logout settled or was given up on, for the
 * libraries that tell another tab at all (oidc-client-ts does not: B is neither set up nor asked).
 */
const OTHER_TAB_WAIT_MS = { tokenwarden: 1500, axa: 2500 } satisfies Partial<Record<Library, number>>
const otherTabWaitMs = (lib: Library): number | undefined => (OTHER_TAB_WAIT_MS as Partial<Record<Library, number>>)[lib]

export interface Condition {
  key: 'no-latency' | 'latency' | 'hang'
  title: string
  latencyMs: number
  revocation: 'ok' | 'hang'
}

/** The three conditions a logout is measured under, at the bench's round trip `latencyMs`. */
export function conditions(latencyMs: number): Condition[] {
  return [
    { key: 'no-latency', title: '0 ms added latency', latencyMs: 0, revocation: 'ok' },
    { key: 'latency', title: `${latencyMs} ms added latency`, latencyMs, revocation: 'ok' },
    { key: 'hang', title: `revocation endpoint never answers (${latencyMs} ms latency elsewhere)`, latencyMs, revocation: 'hang' },
  ]
}

/** One measured logout: tab A's measure, tab B's view of it, the server's. */
interface Run {
  settledMs: number | null
  onScreenMs: number | null
  /** undefined for a library that cannot tell another tab; null when B had not noticed in time. */
  otherTabMs: number | null | undefined
  requests: LogoutMeasure['requests']
  marks: LogoutMeasure['marks']
  report: string
  stillActive?: boolean
}

export interface Phases {
  beforeFirstRequest: number
  requestsInFlight: number
  afterLastAnswer: number
  requestsPerLogout: number | null
  runsWithSequentialRequests: number
  inside: {
    tokensTaken: number
    takenToFirstRequest: number
    lastAnswerToAnswersRead: number
    answersReadToOutboxSettled: number
    outboxSettledToSettled: number
  } | null
}

export interface LibraryResult {
  settled: SummaryWithMissing
  onScreen: SummaryWithMissing
  otherTab: SummaryWithMissing | null
  phases: Phases | null
  runsWithATokenStillActive: number | null
  reports: string[]
}

/** Medians, ms, of where a floor's time went (Resource Timing, as a library's phases). */
export interface FloorPhases {
  beforeFirstRequest: number
  requestsInFlight: number
  afterLastAnswer: number
}

export interface ConditionResult extends Condition {
  runs: number
  libraries: Record<Library, LibraryResult>
  /** The bare floor (bench/page/floors.ts), settled. */
  floor: Summary | null
  /** The bare floor's phases (absent from results written before they were measured). */
  floorPhases?: FloorPhases | null
  /** The durable floor: queued in IndexedDB, sealed, before the requests leave (promise 6). */
  durableFloor?: Summary | null
  durableFloorPhases?: FloorPhases | null
}

export interface LogoutResults {
  latencyMs: number
  capMs: number
  otherTabWaitMs: typeof OTHER_TAB_WAIT_MS
  conditions: ConditionResult[]
  profile: ProfileResult | null
}

export type ProfileResult = Awaited<ReturnType<typeof profileLogouts>>

/**
 * Signs in afresh and hands the tokens to `lib` in tab A (and B, where the library can share a
 * session between tabs), then arms B's watcher.
 */
async function prepare(stack: Stack, lib: Library, a: Page, b: Page) {
  const { config, setup, freshTokens, call } = stack
  const tellsOtherTabs = otherTabWaitMs(lib) !== undefined
  return setup(async () => {
    const tokens = await freshTokens()
    await call(a, 'seed', lib, config, tokens, Date.now() + 3600_000)
    const restored: boolean[] = []
    for (const tab of tellsOtherTabs ? [a, b] : [a]) restored.push(await call(tab, 'restore', lib, config))
    if (restored.some((ok) => !ok)) throw new Error(`bench: ${lib} did not restore the seeded session (${restored})`)
    if (tellsOtherTabs) await call(b, 'watchOtherTab', lib)
    return tokens
  })
}

/** One logout of `lib` in A, B's view of it, and (for answered revocations) the server's. */
async function oneRun(
  stack: Stack,
  lib: Library,
  a: Page,
  b: Page,
  { answered, profile = false }: { answered: boolean; profile?: boolean },
) {
  const { auth, setup, call, isActive } = stack
  const tokens = await prepare(stack, lib, a, b)
  auth.clearLog()
  const measure = await call(a, 'logout', lib, CAP_MS, profile)
  const waitMs = otherTabWaitMs(lib)
  const heardAt = waitMs === undefined ? undefined : (await call(b, 'otherTabSignedOutAt', waitMs)).at
  const run: Run = {
    settledMs: measure.settledMs,
    onScreenMs: measure.onScreenMs,
    otherTabMs: heardAt === undefined ? undefined : heardAt === null ? null : heardAt - measure.calledAt,
    requests: measure.requests,
    marks: measure.marks,
    report: measure.report,
  }
  if (answered) {
    const revocations = auth.revocations()
    if (revocations.length !== 2 || revocations.some((entry) => entry.status !== 200)) {
      throw new Error(
        `bench: ${lib} logout: expected two answered revocations, got ${JSON.stringify(revocations.map((r) => [r.body.token_type_hint, r.status]))} (${measure.report})`,
      )
    }
    if (measure.settledMs === null) throw new Error(`bench: ${lib} logout did not settle although the server answered (${measure.report})`)
    run.stillActive = await setup(async () => (await isActive(tokens.refresh_token)) || (await isActive(tokens.access_token)))
  }
  return run
}

/**
 * A floor's run from tab A (bench/page/floors.ts): `bare`, two fetch() revocations together,
 * what no library can beat on this machine; `durable`, the same once queued in IndexedDB,
 * sealed, as promise 6 asks, what no crash-safe library can beat.
 */
async function floorRun(stack: Stack, a: Page, kind: 'bare' | 'durable'): Promise<FloorMeasure> {
  const { auth, setup, freshTokens, call } = stack
  const tokens = await setup(() => freshTokens())
  const endpoint = `${auth.issuer}/token/revocation`
  if (kind === 'durable') await call(a, 'seedDurable', tokens)
  auth.clearLog()
  const measure = await call(a, kind === 'bare' ? 'bareRevocations' : 'durableRevocations', endpoint, auth.clientId, tokens)
  if (measure.statuses.some((status) => status !== 200) || auth.revocations().length !== 2) {
    throw new Error(`bench: ${kind} revocations answered ${measure.statuses}, server saw ${auth.revocations().length}`)
  }
  return measure
}

const median = (values: number[]) => summary(values).median
const firstStart = (r: { requests: readonly RequestTiming[] }) => Math.min(...r.requests.map((q) => q.start))
const lastEnd = (r: { requests: readonly RequestTiming[] }) => Math.max(...r.requests.map((q) => q.end))

/** Medians, from Resource Timing, of runs that took `ms` in all: the same three phases for a library and a floor. */
function requestPhases(rows: ReadonlyArray<{ ms: number; requests: readonly RequestTiming[] }>): FloorPhases {
  return {
    beforeFirstRequest: median(rows.map(firstStart)),
    requestsInFlight: median(rows.map((r) => lastEnd(r) - firstStart(r))),
    afterLastAnswer: median(rows.map((r) => r.ms - lastEnd(r))),
  }
}

/** Medians of a floor's phases. */
export function floorPhases(runs: readonly FloorMeasure[]): FloorPhases | null {
  // A run whose entries did not all arrive would skew the medians: only complete ones count.
  const rows = runs.filter((r) => r.requests.length === r.statuses.length)
  return rows.length ? requestPhases(rows) : null
}

/** Medians of where the time of one library's logouts went, from Resource Timing. */
function phases(runs: Run[]): Phases | null {
  const rows = runs.filter((r): r is Run & { settledMs: number } => r.requests.length > 0 && r.settledMs !== null)
  if (rows.length === 0) return null
  const sequential = rows.filter((r) => {
    const sorted = [...r.requests].sort((x, y) => x.start - y.start)
    return sorted.length > 1 && sorted[1]!.start >= sorted[0]!.end
  }).length
  // tokenwarden's own events split its part of the time: before the requests (the tokens taken,
  // the other tabs told) and after the last answer (the answers read, the outbox settled).
  const marked = rows.flatMap(({ marks, ...r }) =>
    marks?.taken !== undefined && marks.answersRead !== undefined && marks.outboxSettled !== undefined
      ? [{ ...r, marks: { taken: marks.taken, answersRead: marks.answersRead, outboxSettled: marks.outboxSettled } }]
      : [],
  )
  const inside = marked.length
    ? {
        tokensTaken: median(marked.map((r) => r.marks.taken)),
        takenToFirstRequest: median(marked.map((r) => firstStart(r) - r.marks.taken)),
        lastAnswerToAnswersRead: median(marked.map((r) => r.marks.answersRead - lastEnd(r))),
        answersReadToOutboxSettled: median(marked.map((r) => r.marks.outboxSettled - r.marks.answersRead)),
        outboxSettledToSettled: median(marked.map((r) => r.settledMs - r.marks.outboxSettled)),
      }
    : null
  return {
    ...requestPhases(rows.map((r) => ({ ms: r.settledMs, requests: r.requests }))),
    requestsPerLogout: mean(rows.map((r) => r.requests.length)),
    runsWithSequentialRequests: sequential,
    inside,
  }
}

function libraryResult(lib: Library, runs: Run[]): LibraryResult {
  return {
    settled: summaryWithMissing(runs.map((r) => r.settledMs)),
    onScreen: summaryWithMissing(runs.map((r) => r.onScreenMs)),
    otherTab: otherTabWaitMs(lib) === undefined ? null : summaryWithMissing(runs.map((r) => r.otherTabMs ?? null)),
    phases: phases(runs),
    runsWithATokenStillActive: runs.some((r) => 'stillActive' in r) ? runs.filter((r) => r.stillActive).length : null,
    reports: [...new Set(runs.map((r) => r.report))],
  }
}

/** `only`: the condition keys to run (for trials). */
export async function runLogout(
  stack: Stack,
  { runs, hangRuns, profileRuns, only }: { runs: number; hangRuns: number; profileRuns: number; only?: Array<Condition['key']> },
): Promise<LogoutResults> {
  const { browser, openPage, measureWith, latencyMs } = stack
  const results: ConditionResult[] = []
  let profile: ProfileResult | null = null

  for (const condition of conditions(latencyMs).filter((c) => !only || only.includes(c.key))) {
    measureWith({ latencyMs: condition.latencyMs, revocation: condition.revocation })
    const samples = Object.fromEntries(LIBRARIES.map((lib) => [lib, [] as Run[]])) as Record<Library, Run[]>
    const floor: FloorMeasure[] = []
    const durable: FloorMeasure[] = []
    try {
      if (condition.revocation === 'ok') {
        log(`bench: logout, ${condition.title}: ${runs} runs per library, interleaved (+1 warm-up each)`)
        const context = await browser.newContext()
        try {
          const [a, b] = [await openPage(context), await openPage(context)]
          for (let run = -1; run < runs; run += 1) {
            // Rotate who goes first, so no library always follows the same one.
            const order = LIBRARIES.map((_, i) => LIBRARIES[(i + run + 1) % LIBRARIES.length]!)
            for (const lib of order) {
              const result = await oneRun(stack, lib, a, b, { answered: true })
              if (run >= 0) samples[lib].push(result)
            }
            const bare = await floorRun(stack, a, 'bare')
            const queued = await floorRun(stack, a, 'durable')
            if (run >= 0) floor.push(bare)
            if (run >= 0) durable.push(queued)
          }
          if (condition.key === 'latency' && profileRuns > 0) profile = await profileLogouts(stack, context, a, b, profileRuns)
        } finally {
          await context.close()
        }
      } else {
        // Every run waits out the libraries' bounds (and our cap). One library at a time, each
        // in a fresh context: run side by side, one library's page loads and sign-in landed
        // on another's measured logout (two cores), which showed in the other-tab figures.
        log(
          `bench: logout, ${condition.title}: ${hangRuns} runs per library, one library at a time, interleaved, each after a warm-up logout in its fresh pages (each waits up to ${CAP_MS / 1000} s)`,
        )
        for (let run = 0; run < hangRuns; run += 1) {
          const order = LIBRARIES.map((_, i) => LIBRARIES[(i + run) % LIBRARIES.length]!)
          for (const lib of order) {
            const context = await browser.newContext()
            try {
              const [a, b] = [await openPage(context), await openPage(context)]
              // One warm-up logout in the fresh pages, answered, as every other condition has:
              // a page's first logout also pays for loading and compiling code once.
              measureWith({ latencyMs: condition.latencyMs, revocation: 'ok' })
              await oneRun(stack, lib, a, b, { answered: true })
              measureWith({ latencyMs: condition.latencyMs, revocation: condition.revocation })
              samples[lib].push(await oneRun(stack, lib, a, b, { answered: false }))
            } finally {
              // Closing the context also ends the requests still hanging.
              await context.close()
            }
          }
        }
      }
    } finally {
      measureWith({ latencyMs, revocation: 'ok' })
    }
    results.push({
      ...condition,
      runs: condition.revocation === 'ok' ? runs : hangRuns,
      libraries: Object.fromEntries(LIBRARIES.map((lib) => [lib, libraryResult(lib, samples[lib])])) as Record<Library, LibraryResult>,
      floor: floor.length ? summary(floor.map((f) => f.ms)) : null,
      floorPhases: floorPhases(floor),
      durableFloor: durable.length ? summary(durable.map((f) => f.ms)) : null,
      durableFloorPhases: floorPhases(durable),
    })
  }
  return { latencyMs, capMs: CAP_MS, otherTabWaitMs: OTHER_TAB_WAIT_MS, conditions: results, profile }
}

/** tokenwarden logouts under the CPU profiler (not counted in the timings above: profiling slows them). */
async function profileLogouts(stack: Stack, context: BrowserContext, a: Page, b: Page, runs: number) {
  log(`bench: profiling ${runs} tokenwarden logouts in Chromium`)
  const cdp = await context.newCDPSession(a)
  const finished: CpuProfile[] = []
  cdp.on('Profiler.consoleProfileFinished', (event) => finished.push(event.profile))
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
  const settled: number[] = []
  try {
    for (let run = 0; run < runs; run += 1) {
      const result = await oneRun(stack, 'tokenwarden', a, b, { answered: true, profile: true })
      if (result.settledMs !== null) settled.push(result.settledMs)
    }
  } finally {
    await cdp.send('Profiler.disable').catch(() => {})
    await cdp.detach().catch(() => {})
  }
  if (finished.length !== runs) throw new Error(`bench: expected ${runs} CPU profiles, got ${finished.length}`)
  const maps = loadSourceMaps(pageOut)
  return { runs, samplingIntervalUs: 100, settledMs: summary(settled), ...meanBuckets(finished.map((p) => attribute(p, maps))) }
}
