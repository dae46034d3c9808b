// The logout targets (issue 12), judged on one run's figures: benchmark figures printed
// beside the measurements with a pass or a miss, never timed assertions in tests.

/** Milliseconds the issue allows between calling logout and every tab showing signed-out. */
export const ON_SCREEN_TARGET_MS = 10
/** Slack over one round trip that logout may take at the bench's latency. */
export const SETTLED_SLACK_MS = 5

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
    libraries: Record<string, { settled: Figures; onScreen: Figures; otherTab: Figures | null }>
    /** The two revocations as bare fetch() calls, in the same run (conditions with answers). */
    floor?: Figures | null
  }>
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
export function judgeTargets(logout: LogoutFigures): TargetVerdict[] {
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
