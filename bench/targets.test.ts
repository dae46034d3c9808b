import { expect, test } from 'vitest'
import { judgeTargets, type LogoutFigures, type OtherFigures } from './targets.js'

const at = (median: number, p95 = median) => ({ median, p95 })

/** Figures where tokenwarden meets every target; `change` spoils one of them. */
function figures(change: (f: LogoutFigures) => void = () => {}): LogoutFigures {
  const lib = (settled: number, onScreen: number, otherTab: number | null) => ({
    settled: at(settled),
    onScreen: at(onScreen),
    otherTab: otherTab === null ? null : at(otherTab),
  })
  const f: LogoutFigures = {
    latencyMs: 100,
    conditions: [
      {
        key: 'no-latency',
        title: '0 ms',
        libraries: { tokenwarden: lib(8, 2, 3), 'oidc-client-ts': lib(9, 9, null), axa: lib(7, 7, 1000) },
        floor: at(7),
      },
      {
        key: 'latency',
        title: '100 ms',
        libraries: { tokenwarden: lib(102, 2, 3), 'oidc-client-ts': lib(210, 210, null), axa: lib(118, 118, 1000) },
        floor: at(101),
      },
      {
        key: 'hang',
        title: 'hang',
        libraries: {
          tokenwarden: lib(5000, 2, 3),
          'oidc-client-ts': lib(Infinity, Infinity, null),
          axa: lib(Infinity, Infinity, Infinity),
        },
      },
    ],
  }
  change(f)
  return f
}

const misses = (f: LogoutFigures, other: OtherFigures = {}) =>
  judgeTargets(f, other)
    .filter((t) => !t.pass)
    .map((t) => t.target)

test('targets: every one passes on figures that meet them', () => {
  const verdicts = judgeTargets(figures())
  expect(verdicts).toHaveLength(15)
  expect(verdicts.every((t) => t.pass)).toBe(true)
})

test('targets: settling later than 1 RTT + 5 ms, or not faster than a peer, is a miss', () => {
  expect(
    misses(
      figures((f) => {
        f.conditions[1]!.libraries.tokenwarden!.settled = at(106, 105)
        f.conditions[1]!.floor = at(104, 104)
      }),
    ),
  ).toEqual(['logout settled at 100 ms ≤ 1 RTT + 5 ms (median)'])
  expect(
    misses(
      figures((f) => {
        f.conditions[1]!.libraries.tokenwarden!.settled = at(107)
      }),
    ),
  ).toEqual([
    'logout settled at 100 ms ≤ 1 RTT + 5 ms (median)',
    "logout settled at 100 ms ≤ the floor (the two requests as bare fetch() calls, same run) + 5 ms (median; ours, beside the issue's bound)",
    'logout settled, 100 ms, ≤ the floor (same run) + 2 ms (median)',
    'logout settled, 100 ms, ≤ the floor (same run) + 4 ms (p95)',
  ])
  expect(
    misses(
      figures((f) => {
        f.conditions[1]!.libraries.axa!.settled = at(102)
      }),
    ),
  ).toEqual(['logout settled at 100 ms faster than @axa-fr/oidc-client (medians)'])
  expect(
    misses(
      figures((f) => {
        f.conditions[0]!.libraries.tokenwarden!.settled = at(9.5, 8)
        f.conditions[0]!.floor = at(7.5)
      }),
    ),
  ).toEqual(['logout settled at 0 ms no slower than oidc-client-ts (medians)'])
})

test('targets: beside the issue bound, 5 ms over the floor measured in the same run; said when the issue bound is below that floor', () => {
  const slowNetwork = (settled: number) =>
    figures((f) => {
      f.conditions[1]!.floor = at(112, 120)
      f.conditions[1]!.libraries.tokenwarden!.settled = at(settled, 112)
      f.conditions[1]!.libraries.axa!.settled = at(settled + 1)
    })
  expect(misses(slowNetwork(116))).toEqual([
    'logout settled at 100 ms ≤ 1 RTT + 5 ms (median)',
    'logout settled, 100 ms, ≤ the floor (same run) + 2 ms (median)',
  ])
  expect(misses(slowNetwork(118))).toEqual([
    'logout settled at 100 ms ≤ 1 RTT + 5 ms (median)',
    "logout settled at 100 ms ≤ the floor (the two requests as bare fetch() calls, same run) + 5 ms (median; ours, beside the issue's bound, which is below that floor)",
    'logout settled, 100 ms, ≤ the floor (same run) + 2 ms (median)',
  ])
  // No floor measured (a trial run of the hanging endpoint only): no such rows.
  expect(
    judgeTargets(
      figures((f) => {
        f.conditions[1]!.floor = null
      }),
    ).map((t) => t.target),
  ).toHaveLength(12)
})

test('targets: on screen is judged at p95 in every condition, and a tab that never heard misses', () => {
  expect(
    misses(
      figures((f) => {
        f.conditions[2]!.libraries.tokenwarden!.onScreen = at(3, 5000)
      }),
    ),
  ).toEqual(['signed out on screen in this tab ≤ 10 ms after the call, hang (p95)'])
  expect(
    misses(
      figures((f) => {
        f.conditions[0]!.libraries.tokenwarden!.otherTab = at(3, Infinity)
      }),
    ),
  ).toEqual(['signed out on screen in another tab ≤ 10 ms after the call, 0 ms (p95)'])
})

test('targets (issue 24): within 2 ms of the floor at the median and 4 ms at p95, at 0 ms and at the bench latency', () => {
  expect(
    misses(
      figures((f) => {
        f.conditions[0]!.libraries.tokenwarden!.settled = at(9.01, 11.01)
        f.conditions[0]!.libraries['oidc-client-ts']!.settled = at(10)
      }),
    ),
  ).toEqual(['logout settled, 0 ms, ≤ the floor (same run) + 2 ms (median)', 'logout settled, 0 ms, ≤ the floor (same run) + 4 ms (p95)'])
  expect(
    misses(
      figures((f) => {
        f.conditions[1]!.libraries.tokenwarden!.settled = at(103, 105.5)
      }),
    ),
  ).toEqual(['logout settled, 100 ms, ≤ the floor (same run) + 4 ms (p95)'])
})

test('targets (issue 24): each phase at most 1.5 ms, the first logout after start within 2 ms of a later one; (issue 20) four revocations within 5 ms of theirs', () => {
  const met: OtherFigures = {
    phases: { beforeFirstRequest: 1.5, afterLastAnswer: 1.2 },
    firstLogout: { first: { settled: at(104) }, later: { settled: at(102) } },
    logoutResources: { settled: at(108), floor: at(103) },
  }
  expect(judgeTargets(figures(), met)).toHaveLength(19)
  expect(misses(figures(), met)).toEqual([])
  expect(
    misses(figures(), {
      phases: { beforeFirstRequest: 1.6, afterLastAnswer: 2 },
      firstLogout: { first: { settled: at(104.1) }, later: { settled: at(102) } },
      logoutResources: { settled: at(108.1), floor: at(103) },
    }),
  ).toEqual([
    'call → first revocation request starts ≤ 1.5 ms, 100 ms added latency (median)',
    'last answer received → logout settled ≤ 1.5 ms, 100 ms added latency (median)',
    'first logout after start ≤ a later one + 2 ms, 100 ms added latency (medians)',
    'logout with two resources (four revocations) ≤ their floor (same run) + 5 ms (median)',
  ])
})

test('targets (beside issue 24): within 2 ms of the durable floor at the median, in each condition that measured it', () => {
  const withDurable = (zero: number, latency: number) =>
    figures((f) => {
      f.conditions[0]!.durableFloor = at(zero)
      f.conditions[1]!.durableFloor = at(latency)
    })
  const durableRows = (f: LogoutFigures) => judgeTargets(f).filter((t) => t.target.includes('durable floor'))
  expect(durableRows(figures())).toEqual([])
  expect(durableRows(withDurable(6, 100)).map((t) => [t.bound, t.pass])).toEqual([
    [8, true],
    [102, true],
  ])
  expect(misses(withDurable(5.9, 99.9))).toEqual([
    expect.stringMatching(/^logout settled, 0 ms, ≤ the durable floor .* \+ 2 ms \(median; ours/),
    expect.stringMatching(/^logout settled, 100 ms, ≤ the durable floor .* \+ 2 ms \(median; ours/),
  ])
})
