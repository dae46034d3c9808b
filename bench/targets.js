// The logout targets (issue 12), judged on one run's figures: benchmark figures printed
// beside the measurements with a pass or a miss, never timed assertions in tests.

/** Milliseconds the issue allows between calling logout and every tab showing signed-out. */
export const ON_SCREEN_TARGET_MS = 10
/** Slack over one round trip that logout may take at the bench's latency. */
export const SETTLED_SLACK_MS = 5

/**
 * The targets, judged on this run's figures (benchmark figures, never timed tests).
 * Settled targets compare medians; the on-screen targets hold at p95, in every condition.
 * @param {{ latencyMs: number, conditions: Array<{ key: string, title: string, libraries: Record<string, any> }> }} logout what runLogout (scenarios/logout.js) returns
 */
export function judgeTargets(logout) {
  const byKey = Object.fromEntries(logout.conditions.map((c) => [c.key, c]))
  const tw = (key) => byKey[key].libraries.tokenwarden
  const peer = (key, lib) => byKey[key].libraries[lib]
  const L = logout.latencyMs
  const targets = []
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
  const floor = byKey.latency.floor?.median
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
  for (const condition of logout.conditions) {
    const here = condition.libraries.tokenwarden.onScreen.p95
    const there = condition.libraries.tokenwarden.otherTab?.p95 ?? Number.POSITIVE_INFINITY
    targets.push({
      target: `signed out on screen in this tab ≤ ${ON_SCREEN_TARGET_MS} ms after the call, ${condition.title} (p95)`,
      bound: ON_SCREEN_TARGET_MS,
      figure: here,
      pass: here <= ON_SCREEN_TARGET_MS,
    })
    targets.push({
      target: `signed out on screen in another tab ≤ ${ON_SCREEN_TARGET_MS} ms after the call, ${condition.title} (p95)`,
      bound: ON_SCREEN_TARGET_MS,
      figure: there,
      pass: there <= ON_SCREEN_TARGET_MS,
    })
  }
  return targets
}
