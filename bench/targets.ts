// The issues' logout targets (issue 12; issue 24 items 2 and 3; issue 20's four revocations), judged on one run's figures: benchmark figures printed
// beside the measurements with a pass or a miss, never timed assertions in tests.

/** Milliseconds the issue allows between calling logout and every tab showing signed-out. */
export const ON_SCREEN_TARGET_MS = 10
/** Slack over one round trip that logout may take at the bench's latency. */
export const SETTLED_SLACK_MS = 5
/** Issue 24: logout settled within this of the floor (the same requests as bare fetch() calls), medians. */
export const FLOOR_SLACK_MEDIAN_MS = 2
/** Issue 24: the same at p95. */
export const FLOOR_SLACK_P95_MS = 4
/** Issue 24: call → first revocation request starts, and last answer → settled, each at the median. */
export const PHASE_MS = 1.5
/** Issue 24: the first logout after start within this of a later one (medians). */
export const FIRST_LOGOUT_SLACK_MS = 2
/** Issue 20: a logout with two resources (four revocations) within this of its floor (median). */
export const RESOURCES_SLACK_MS = 5

interface Figures {
  median: number
  p95: number
}

/** The part of the logout scenario's results (scenarios/logout.ts) the targets are judged on. */
export interface LogoutFigures {
  latencyMs: number
  conditions: Array<{
    key: string
    title: string
    libraries: Record<string, { settled: Figures; onScreen: Figures; otherTab: Figures | null; phases?: PhaseFigures | null }>
    /** The two revocations as bare fetch() calls, in the same run (conditions with answers). */
    floor?: Figures | null
    /** The same, queued durably first, sealed, with keepalive (bench/page/floors.ts). */
    durableFloor?: Figures | null
  }>
}

/** tokenwarden's phases at the bench's latency (scenarios/logout.ts), medians in ms. */
export interface PhaseFigures {
  beforeFirstRequest: number
  afterLastAnswer: number
}

/** The other scenarios' figures some targets are judged on, when they ran. */
export interface OtherFigures {
  /** tokenwarden's phases at the bench's latency. */
  phases?: PhaseFigures | null
  /** scenarios/first-logout.ts: the first logout after start, and a later one in the same pages. */
  firstLogout?: { first: { settled: Figures }; later: { settled: Figures } }
  /** scenarios/logout-resources.ts: four revocations, and their floor. */
  logoutResources?: { settled: Figures; floor: Figures }
}

/** The targets of a run: its logout figures, tokenwarden's phases at the bench's latency, and the other logout scenarios' figures. */
export function judgeRun(logout: LogoutFigures, other: Omit<OtherFigures, 'phases'> = {}): TargetVerdict[] {
  const phases = logout.conditions.find((c) => c.key === 'latency')?.libraries.tokenwarden?.phases
  return judgeTargets(logout, { ...other, phases: phases ?? null })
}

export interface TargetVerdict {
  target: string
  /** The bound the figure is held to (ms). */
  bound: number
  /** tokenwarden's figure (ms; Infinity when it never happened within the bench's bound). */
  figure: number
  pass: boolean
}

/**
 * The targets, judged on this run's figures (benchmark figures, never timed tests).
 * Settled targets compare medians; the on-screen targets hold at p95, in every condition.
 */
export function judgeTargets(logout: LogoutFigures, other: OtherFigures = {}): TargetVerdict[] {
  const byKey = Object.fromEntries(logout.conditions.map((c) => [c.key, c]))
  const condition = (key: string) => {
    const found = byKey[key]
    if (!found) throw new Error(`bench: the logout results have no '${key}' condition`)
    return found
  }
  const library = (key: string, lib: string) => {
    const found = condition(key).libraries[lib]
    if (!found) throw new Error(`bench: the logout results have no ${lib} at '${key}'`)
    return found
  }
  const tw = (key: string) => library(key, 'tokenwarden')
  const peer = (key: string, lib: string) => library(key, lib)
  const L = logout.latencyMs
  const targets: TargetVerdict[] = []
  const settledAtLatency = tw('latency').settled.median
  targets.push({
    target: `logout settled at ${L} ms ≤ 1 RTT + ${SETTLED_SLACK_MS} ms (median)`,
    bound: L + SETTLED_SLACK_MS,
    figure: settledAtLatency,
    pass: settledAtLatency <= L + SETTLED_SLACK_MS,
  })
  // The issue counts "1 RTT" as the injected latency; on this machine the same two requests
  // sent as bare fetch() calls, nothing before or after, take longer than that (loopback and
  // the server's own work on two revocations). Judged beside it, not instead of it: the same
  // 5 ms over the floor measured in the same run.
  const floor = condition('latency').floor?.median
  if (floor !== undefined) {
    targets.push({
      target: `logout settled at ${L} ms ≤ the floor (the two requests as bare fetch() calls, same run) + ${SETTLED_SLACK_MS} ms (median; ours, beside the issue's bound${floor > L + SETTLED_SLACK_MS ? ', which is below that floor' : ''})`,
      bound: floor + SETTLED_SLACK_MS,
      figure: settledAtLatency,
      pass: settledAtLatency <= floor + SETTLED_SLACK_MS,
    })
  }
  // Issue 24, item 2: within 2 ms of the floor at the median and 4 ms at p95, at 0 ms and at L.
  for (const key of ['no-latency', 'latency'] as const) {
    const here = condition(key)
    if (!here.floor) continue
    const settled = tw(key).settled
    for (const [stat, slack] of [
      ['median', FLOOR_SLACK_MEDIAN_MS],
      ['p95', FLOOR_SLACK_P95_MS],
    ] as const) {
      targets.push({
        target: `logout settled, ${here.title}, ≤ the floor (same run) + ${slack} ms (${stat})`,
        bound: here.floor[stat] + slack,
        figure: settled[stat],
        pass: settled[stat] <= here.floor[stat] + slack,
      })
    }
  }
  // Beside item 2: the bare floor leaves out what promises 6 and 9 cost before any request may
  // leave (the tokens queued in IndexedDB, sealed) and keepalive; the durable floor does not.
  // What tokenwarden adds over it is its own code: held to the same 2 ms.
  for (const key of ['no-latency', 'latency'] as const) {
    const durable = condition(key).durableFloor
    if (!durable) continue
    const settled = tw(key).settled.median
    targets.push({
      target: `logout settled, ${condition(key).title}, ≤ the durable floor (the same requests queued in IndexedDB and sealed first, with keepalive; same run) + ${FLOOR_SLACK_MEDIAN_MS} ms (median; ours, beside the issue's bound)`,
      bound: durable.median + FLOOR_SLACK_MEDIAN_MS,
      figure: settled,
      pass: settled <= durable.median + FLOOR_SLACK_MEDIAN_MS,
    })
  }
  if (other.phases) {
    for (const [key, title] of [
      ['beforeFirstRequest', 'call → first revocation request starts'],
      ['afterLastAnswer', 'last answer received → logout settled'],
    ] as const) {
      targets.push({
        target: `${title} ≤ ${PHASE_MS} ms, ${L} ms added latency (median)`,
        bound: PHASE_MS,
        figure: other.phases[key],
        pass: other.phases[key] <= PHASE_MS,
      })
    }
  }
  // Issue 24, item 3: no cold penalty.
  if (other.firstLogout) {
    const { first, later } = other.firstLogout
    targets.push({
      target: `first logout after start ≤ a later one + ${FIRST_LOGOUT_SLACK_MS} ms, ${L} ms added latency (medians)`,
      bound: later.settled.median + FIRST_LOGOUT_SLACK_MS,
      figure: first.settled.median,
      pass: first.settled.median <= later.settled.median + FIRST_LOGOUT_SLACK_MS,
    })
  }
  // Issue 20: four revocations still one round trip.
  if (other.logoutResources) {
    const { settled, floor: four } = other.logoutResources
    targets.push({
      target: `logout with two resources (four revocations) ≤ their floor (same run) + ${RESOURCES_SLACK_MS} ms (median)`,
      bound: four.median + RESOURCES_SLACK_MS,
      figure: settled.median,
      pass: settled.median <= four.median + RESOURCES_SLACK_MS,
    })
  }
  for (const lib of ['axa', 'oidc-client-ts']) {
    const other = peer('latency', lib).settled.median
    targets.push({
      target: `logout settled at ${L} ms faster than ${lib === 'axa' ? '@axa-fr/oidc-client' : lib} (medians)`,
      bound: other,
      figure: settledAtLatency,
      pass: settledAtLatency < other,
    })
  }
  const atZero = tw('no-latency').settled.median
  const ocZero = peer('no-latency', 'oidc-client-ts').settled.median
  targets.push({
    target: 'logout settled at 0 ms no slower than oidc-client-ts (medians)',
    bound: ocZero,
    figure: atZero,
    pass: atZero <= ocZero,
  })
  for (const { key, title } of logout.conditions) {
    const here = tw(key).onScreen.p95
    const there = tw(key).otherTab?.p95 ?? Number.POSITIVE_INFINITY
    targets.push({
      target: `signed out on screen in this tab ≤ ${ON_SCREEN_TARGET_MS} ms after the call, ${title} (p95)`,
      bound: ON_SCREEN_TARGET_MS,
      figure: here,
      pass: here <= ON_SCREEN_TARGET_MS,
    })
    targets.push({
      target: `signed out on screen in another tab ≤ ${ON_SCREEN_TARGET_MS} ms after the call, ${title} (p95)`,
      bound: ON_SCREEN_TARGET_MS,
      figure: there,
      pass: there <= ON_SCREEN_TARGET_MS,
    })
  }
  return targets
}
