// bench/results/results.md from the results of one run (bench/run.ts writes it; bench/update-readme.ts
// copies it into README.md).

import type { Library } from './page/main.js'
import type { BenchResults } from './results-file.js'
import { type ConditionResult, LIBRARIES } from './scenarios/logout.js'
import { type StormRow, STORM_TABS as stormTabs } from './scenarios/refresh-storm.js'

const NAMES: Record<Library, string> = { tokenwarden: 'tokenwarden', 'oidc-client-ts': 'oidc-client-ts', axa: '@axa-fr/oidc-client' }

const ms = (n: number) => (n === Number.POSITIVE_INFINITY ? 'never' : `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`)

/** The logout section: three libraries, three conditions, the targets, the phases and the profile. */
function renderLogout(r: BenchResults) {
  const lo = r.logout
  const L = lo.latencyMs
  const bound = (n: number, limit: number) => (n === Number.POSITIVE_INFINITY ? `> ${(limit / 1000).toFixed(1)} s` : ms(n))
  const rtt = (n: number, latency: number) => (latency > 0 && Number.isFinite(n) ? ` (${(n / latency).toFixed(2)} RTT)` : '')
  const ratio = (peer: number, ours: number) => {
    if (!Number.isFinite(ours) && !Number.isFinite(peer)) return '—'
    if (!Number.isFinite(peer)) return '∞'
    if (!Number.isFinite(ours)) return '0×'
    return ours > 0 ? `${(peer / ours).toFixed(2)}×` : '—'
  }
  const measures: Array<{ key: 'settled' | 'onScreen' | 'otherTab'; title: string; limit: number | null; rtt?: boolean }> = [
    { key: 'settled', title: 'logout settled', limit: lo.capMs, rtt: true },
    { key: 'onScreen', title: 'signed out on screen, this tab', limit: lo.capMs },
    { key: 'otherTab', title: 'signed out on screen, another tab', limit: null },
  ]
  const rows: string[] = []
  for (const condition of lo.conditions) {
    for (const measure of measures) {
      const cell = (lib: Library) => {
        const s = condition.libraries[lib][measure.key]
        if (s === null) return 'n/a ²'
        const show = (n: number) =>
          measure.limit === null ? (n === Number.POSITIVE_INFINITY ? 'not seen ³' : ms(n)) : bound(n, measure.limit)
        return `${show(s.median)} / ${show(s.p95)}${measure.rtt ? rtt(s.median, condition.latencyMs) : ''}`
      }
      const ratioCell = (lib: Library) => {
        const ours = condition.libraries.tokenwarden[measure.key]
        const theirs = condition.libraries[lib][measure.key]
        return ours && theirs ? ratio(theirs.median, ours.median) : '—'
      }
      rows.push(
        `| ${condition.title}: ${measure.title} | ${LIBRARIES.map(cell).join(' | ')} | ${ratioCell('oidc-client-ts')} | ${ratioCell('axa')} |`,
      )
    }
  }
  const targetRows = r.targets.map(
    (t) =>
      `| ${t.target} | ${bound(t.figure, lo.capMs)} | ${Number.isFinite(t.bound) ? ms(t.bound) : 'never'} | ${t.pass ? '**pass**' : '**miss**'} |`,
  )
  const latency = conditionOf(lo.conditions, 'latency')
  const phaseCell = (lib: Library, key: 'beforeFirstRequest' | 'requestsInFlight' | 'afterLastAnswer') => {
    const p = latency.libraries[lib].phases
    return p ? ms(p[key]) : '—'
  }
  const sequentialCell = (lib: Library) => {
    const p = latency.libraries[lib].phases
    return p
      ? `${p.requestsPerLogout}${p.runsWithSequentialRequests ? ` (one after the other in ${p.runsWithSequentialRequests} of ${latency.runs} runs)` : ' (together)'}`
      : '—'
  }
  const phaseRows = (
    [
      ['call → first revocation request starts', 'beforeFirstRequest'],
      ['first request starts → last answer received', 'requestsInFlight'],
      ['last answer → logout settled', 'afterLastAnswer'],
    ] as const
  ).map(
    ([title, key]) =>
      `| ${title} | ${LIBRARIES.map((lib) => phaseCell(lib, key)).join(' | ')} | ${[latency.floorPhases, latency.durableFloorPhases].map((p) => (p ? ms(p[key]) : '—')).join(' | ')} |`,
  )
  const inside = latency.libraries.tokenwarden.phases?.inside
  const insideRows = inside
    ? (
        [
          [
            'call → tokens taken (the storage transaction has read the newest tokens and issued its writes) and every tab told',
            inside.tokensTaken,
          ],
          ['tokens taken → first revocation request starts (request set-up: ky, fetch)', inside.takenToFirstRequest],
          ['last answer received → answers read (ky, the outcome of each token)', inside.lastAnswerToAnswersRead],
          ['answers read → outbox clean-up issued', inside.answersReadToOutboxSettled],
          ['outbox clean-up issued → `logout()` settled', inside.outboxSettledToSettled],
        ] as const
      ).map(([title, value]) => `| ${title} | ${ms(value)} |`)
    : []
  const twHere = latency.libraries.tokenwarden
  const profile = lo.profile
  const profileRows = profile ? profile.buckets.filter((b) => b.ms >= 0.01).map((b) => `| ${b.name} | ${ms(b.ms)} |`) : []
  const reports = (condition: ConditionResult) =>
    LIBRARIES.map((lib) => `${NAMES[lib]}: ${condition.libraries[lib].reports.map((x) => `\`${x}\``).join(', ')}`).join('; ')
  const stillActive = lo.conditions
    .filter((c) => c.revocation === 'ok')
    .map((c) => `${c.title}: ${LIBRARIES.map((lib) => `${NAMES[lib]} ${c.libraries[lib].runsWithATokenStillActive}`).join(', ')}`)
    .join('; ')
  const hang = conditionOf(lo.conditions, 'hang')
  const floors = lo.conditions.flatMap((c) => (c.floor ? [{ ...c, floor: c.floor }] : []))
  const aboveOrBelow = (d: number) => (d >= 0 ? `${ms(d)} above it` : `${ms(-d)} below it`)
  const floorLine = floors.length
    ? `The floor under all three: the same two revocation requests as bare \`fetch()\` calls sent together from the page, nothing before or after (median / p95): ${floors.map((c) => `${c.title} ${ms(c.floor.median)} / ${ms(c.floor.p95)}${rtt(c.floor.median, c.latencyMs)}, tokenwarden's logout ${aboveOrBelow(c.libraries.tokenwarden.settled.median - c.floor.median)}`).join('; ')}. At ${L} ms that floor is the injected latency plus loopback and the server's own work on two revocations.`
    : ''
  const durables = lo.conditions.flatMap((c) => (c.durableFloor ? [{ ...c, durable: c.durableFloor }] : []))
  const durableLine = durables.length
    ? ` The durable floor, what promises 6 (a page that dies mid-logout leaves every token queued or revoked) and 9 (sealed at rest) cost with no library code: the same two requests, sent once one IndexedDB transaction has read the session and issued its writes of both tokens to a queue, sealed with AES-GCM, as tokenwarden's logout does before its requests leave, and sent with \`keepalive\`, as tokenwarden's are so that a logout followed by navigation still reaches the server (bench/page/floors.ts): ${durables.map((c) => `${c.title} ${ms(c.durable.median)} / ${ms(c.durable.p95)}, tokenwarden's logout ${aboveOrBelow(c.libraries.tokenwarden.settled.median - c.durable.median)}`).join('; ')}.`
    : ''

  const res = r.logoutResources
  const resourcesLine = res
    ? `\nWith two resources (RFC 8707: the session also holds a token for API A and one for API B, four revocations in all), ${res.runs} runs at ${res.latencyMs} ms: tokenwarden's logout settled in ${ms(res.settled.median)} / ${ms(res.settled.p95)}, the same four requests as bare \`fetch()\` calls ${ms(res.floor.median)} / ${ms(res.floor.p95)} (${aboveOrBelow(res.settled.median - res.floor.median)}); runs after which a token was still active: ${res.runsWithATokenStillActive}.`
    : ''

  const first = r.firstLogout
  const firstLine = first
    ? `\nThe first logout after start (${first.runs} runs at ${first.latencyMs} ms, tokenwarden alone on its own page, so that its sign-in and refresh chunk is not in the page already; each run in a fresh browser context, the logout called ${first.when}, while tab B watches): settled in ${ms(first.first.settled.median)} / ${ms(first.first.settled.p95)}, tab B signed out ${ms(first.first.otherTab.median)} / ${ms(first.first.otherTab.p95)} after the call; the next logout in the same pages, started the same way, ${ms(first.later.settled.median)} / ${ms(first.later.settled.p95)}, tab B ${ms(first.later.otherTab.median)} / ${ms(first.later.otherTab.p95)}. Runs in which a script was fetched during the logout: first ${first.first.runsLoadingAChunk}, later ${first.later.runsLoadingAChunk} (tokenwarden fetches its sign-in and refresh chunk only once the session has gone 2 s without an event, so a logout called at once never meets it; one begun in the few milliseconds the chunk takes to evaluate, later, still would).${
        first.durableFloor
          ? ` What the browser itself charges the first time: the durable floor, first and then again in a fresh context's page of its own, after fetching the server's metadata and seeding its session sealed (as start() does: it reads the seeded session and writes it again sealed), per run: first ${ms(first.durableFloor.first.median)} / ${ms(first.durableFloor.first.p95)}, later ${ms(first.durableFloor.later.median)} / ${ms(first.durableFloor.later.p95)}${first.durableFloor.firstPhases && first.durableFloor.laterPhases ? ` (call → first request starts ${ms(first.durableFloor.firstPhases.beforeFirstRequest)} against ${ms(first.durableFloor.laterPhases.beforeFirstRequest)}; last answer → bodies read ${ms(first.durableFloor.firstPhases.afterLastAnswer)} against ${ms(first.durableFloor.laterPhases.afterLastAnswer)})` : ''}.`
          : ''
      }`
    : ''

  return `## Logout

Median / p95 of ${latency.runs} runs per library at 0 ms and at ${L} ms, ${hang.runs} runs per library with a revocation endpoint that never answers; "> ${(lo.capMs / 1000).toFixed(1)} s" means it had not happened when the bench stopped waiting, ${(lo.capMs / 1000).toFixed(1)} s after the call. Ratios: the peer's median ÷ tokenwarden's (above 1× means tokenwarden is faster).

| Measure | tokenwarden | oidc-client-ts | @axa-fr/oidc-client | oidc-client-ts ÷ tokenwarden | @axa-fr/oidc-client ÷ tokenwarden |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

${floorLine}${durableLine}
${resourcesLine}
${firstLine}

² oidc-client-ts has no way to tell another tab: its other tabs keep showing the user until they next call \`getUser()\` themselves (and its default sessionStorage store is not shared between tabs at all).

³ Tab B had not shown signed-out ${lo.otherTabWaitMs.tokenwarden / 1000} s (tokenwarden) or ${lo.otherTabWaitMs.axa / 1000} s (@axa-fr/oidc-client) after tab A's logout settled or the bench stopped waiting for it.

### Targets (issues 12, 20 and 24)

| Target | This run | Bound | |
|---|---:|---:|---|
${targetRows.join('\n')}

### Where a tokenwarden logout's time goes (${L} ms added latency)

From the browser's Resource Timing of the revocation requests, on the page's clock (medians of the ${latency.runs} runs above; the same for the peers and the two floors, for comparison: the floors' last phase ends when both answers' bodies are read). tokenwarden's own snapshot turned signed-out ${ms(twHere.onScreen.median)} after the call (median), and the other tab's ${twHere.otherTab ? ms(twHere.otherTab.median) : 'n/a'}.

| Phase | tokenwarden | oidc-client-ts | @axa-fr/oidc-client | bare floor | durable floor |
|---|---:|---:|---:|---:|---:|
${phaseRows.join('\n')}
| revocation requests per logout | ${LIBRARIES.map(sequentialCell).join(' | ')} | ${[latency.floorPhases, latency.durableFloorPhases].map((p) => (p ? '2 (together)' : '—')).join(' | ')} |
${
  inside
    ? `
tokenwarden's own part of that time, split by its events (\`session.on\`, which never carries a token: the \`signed-out\` tab message sent, the \`revocation\` events, \`logout-finished\`), medians of the same runs on the same clock. The storage transaction's commit is not on the path: the requests leave once its writes are issued, and \`logout()\` settles once the outbox clean-up is issued (README, "How logout works"):

| tokenwarden phase | median |
|---|---:|
${insideRows.join('\n')}
`
    : ''
}${
  profile
    ? `
The main thread during those milliseconds: a V8 CPU profile of ${profile.runs} more tokenwarden logouts (${profile.samplingIntervalUs} µs sampling; the profiler slows them: median ${ms(profile.settledMs.median)} settled), self time per source file through the page's source map, mean per logout over the ${ms(profile.totalMs)} sampled. "Browser built-ins" are native functions called from JavaScript (fetch, IndexedDB, locks, postMessage…); "bench page" is the measuring code around the call (it also starts the profiler):

| Spent on | ms per logout |
|---|---:|
${profileRows.join('\n')}

Largest single items (function [where]; the bundle is minified, so tokenwarden's own functions carry short names): ${profile.topFunctions
        .filter((f) => !f.name.startsWith('(program)'))
        .slice(0, 8)
        .map((f) => `${f.name} ${ms(f.ms)}`)
        .join('; ')}.
`
    : ''
}
How the logout was measured:

- One browser context, two pages (tab A logs out, tab B holds the same session), every run on a fresh sign-in (authorization code + PKCE from Node, \`signInHeadless\`), libraries interleaved with the first one rotating, after one warm-up run each; with the hanging endpoint each run has a fresh context of its own, one library at a time, the first one rotating, after one answered warm-up logout in that context. Server metadata is loaded before timing in all three, so none pays for discovery. "Logout settled" is from calling logout in A to its promise settling. "Signed out on screen" is from that call to the moment the library lets a UI know: tokenwarden's snapshot turning \`signed-out\` (\`subscribe\`), oidc-client-ts's \`userUnloaded\` event, @axa-fr/oidc-client's \`logout_from_same_tab\` event; in tab B, tokenwarden's snapshot (reason \`other-tab\`) and @axa-fr/oidc-client's \`logout_from_another_tab\` event, both tabs read as \`performance.timeOrigin + performance.now()\`.
- tokenwarden: \`session.logout()\` (defaults: revocation bound \`revocation.timeoutMs\` 5 s). oidc-client-ts: \`userManager.revokeTokens()\` then \`removeUser()\`, with \`revokeTokenAdditionalContentTypes: ['text/plain']\` (the server answers a revocation with an empty \`text/plain\` body, which oidc-client-ts otherwise rejects); it awaits each revocation before the next and has no bound of its own. @axa-fr/oidc-client ${r.axaOidcClient}: \`logoutAsync(null, { 'no_reload:oidc': 'true' })\`, its default logout (both tokens revoked together; by its source each request is aborted after 10 s and tried three times in all, so against a hanging endpoint it would settle after about 30 s), without service worker, minus the navigation to the end-session endpoint (which would unload the page being measured; without \`no_reload\` it clears the session only after scheduling that navigation); tokens in localStorage rather than its default sessionStorage, because only a shared store lets another tab notice at all (its renew timer re-reads storage every second).
- With answered revocations every run was checked on the server: exactly two revocation requests, both answered 200; afterwards a token of the run still introspected active in (${stillActive}) runs. What the libraries reported: at ${L} ms ${reports(latency)}; with the hanging endpoint ${reports(hang)}.
`
}

/** bench/results/results.md from what run.ts measured (results.json). */
export function render(r: BenchResults): string {
  const ct = r.crossTab.tokenwarden
  const cs = r.coldStart
  const stormCell = (row: StormRow | undefined) => {
    if (!row) throw new Error('bench: a refresh storm row is missing from the results')
    return `${row.refreshRequests} (${row.workingTabs} of ${row.tabs} with a working token)`
  }
  const stormRows = stormTabs.map((tabs) => {
    const a = r.refreshStorm.find((row) => row.tabs === tabs && row.library === 'tokenwarden')
    const b = r.refreshStorm.find((row) => row.tabs === tabs && row.library === 'oidc')
    return `| Refresh storm, ${tabs} tab${tabs > 1 ? 's' : ''}: refresh grants reaching the server | ${stormCell(a)} | ${stormCell(b)} | |`
  })
  const oidcErrors = [...new Set(r.refreshStorm.filter((row) => row.library === 'oidc').flatMap((row) => row.errors))]
  const twErrors = [...new Set(r.refreshStorm.filter((row) => row.library === 'tokenwarden').flatMap((row) => row.errors))]
  const stormAnswers = (lib: StormRow['library']) =>
    r.refreshStorm
      .filter((row) => row.library === lib)
      .map((row) => `${row.tabs}: ${row.answers.join(', ') || 'none'}`)
      .join('; ')
  const stormNewTokens = (lib: StormRow['library']) =>
    r.refreshStorm
      .filter((row) => row.library === lib)
      .map((row) => `${row.tabsOnANewToken} of ${row.tabs}`)
      .join(', ')

  return `# Benchmarks

_Written by \`npm run bench\` (bench/run.ts); do not edit by hand._

Measured ${r.date.slice(0, 10)}${r.commit ? ` at commit \`${r.commit}\`` : ''} on ${r.machine.os}, ${r.machine.cpu} (${r.machine.cores} cores; 1-minute load average ${r.machine.loadAverage.start} at the start and ${r.machine.loadAverage.end} at the end${Math.max(r.machine.loadAverage.start, r.machine.loadAverage.end) > r.machine.cores ? ': other work shared the machine, so absolute figures are noisy and the side-by-side ratios, from interleaved runs, mean more' : ''}), Node ${r.node}, ${r.chromium} (headless, playwright-core), oidc-client-ts ${r.oidcClientTs}, @axa-fr/oidc-client ${r.axaOidcClient}. The dev authorization server (node-oidc-provider, loopback) adds **${r.latencyMs} ms to every request**, so one round trip (RTT) ≈ ${r.latencyMs} ms.

${renderLogout(r)}
## Tabs, refresh and start-up

| Measure | tokenwarden | oidc-client-ts | |
|---|---:|---:|---:|
| Cross-tab logout: \`logout()\` settled in tab A → tab B signed out, p50 (${ct.runs} runs) | ${ms(ct.median)} | n/a — no cross-tab logout | |
| Cross-tab logout, p95 | ${ms(ct.p95)} | n/a — no cross-tab logout | |
${stormRows.join('\n')}
| Cold start: \`start()\` → signed-in snapshot from IndexedDB, p50 (${cs.snapshot.runs} reloads) | ${ms(cs.snapshot.median)} | ${ms(cs.oidcClientTsGetUser.median)} ¹ | |
| Cold start, p95 | ${ms(cs.snapshot.p95)} | ${ms(cs.oidcClientTsGetUser.p95)} ¹ | |
| Cold start: \`start()\` settled (includes discovery), p50 / p95 | ${ms(cs.start.median)} / ${ms(cs.start.p95)} | | |

¹ oidc-client-ts has no IndexedDB store or start step; the closest is \`new UserManager()\` + \`getUser()\` reading the user from localStorage (synchronous storage, no token refresh, no tab coordination).

How these were measured:

- **Cross-tab logout.** Two pages of one browser context, both restored from the same record; the time from \`logout()\` settling in tab A to tab B's snapshot turning \`signed-out\` (reason \`other-tab\`), both read as \`performance.timeOrigin + performance.now()\`. oidc-client-ts has no cross-tab logout: other tabs are not told; with a localStorage \`userStore\` they find the user gone only when they next call \`getUser()\` (no event), and its default sessionStorage store is not shared between tabs at all.
- **Refresh storm.** N pages of one browser context with an access token issued almost an hour ago that expires in 30 s (inside both libraries' default 60 s windows; not 0 s, because oidc-client-ts raises its "expiring" event only while the token is still valid, so a user loaded with an expired access token is never renewed automatically) and one refresh token; the count is of \`grant_type=refresh_token\` requests the server received; "working" means the tab's access token afterwards introspects active. tokenwarden: every tab creates its session on the stored record at the same moment, calls \`start()\` and then \`getAccessToken()\` (the server's latency is on from the start, so the tabs overlap). oidc-client-ts: every tab creates a \`UserManager\` with \`automaticSilentRenew: true\` on a localStorage \`userStore\` shared by the tabs, at the same moment; their "expiring" timers fire about a second later, and the tabs are read ${(r.stormSettleMs / 1000).toFixed(1)} s after they started. (All tabs of an app share one expiry time, so their timers converge on the same second however far apart the tabs were opened.) The server rotates refresh tokens and treats a reused one as theft: it revokes the whole grant. Answers to the refresh requests, by tab count: tokenwarden ${stormAnswers('tokenwarden')}; oidc-client-ts ${stormAnswers('oidc')}. Tabs holding a new (refreshed) access token afterwards: tokenwarden ${stormNewTokens('tokenwarden')}; oidc-client-ts ${stormNewTokens('oidc')}.${oidcErrors.length ? ` oidc-client-ts's silent renew reported: ${oidcErrors.map((e) => `\`${e}\``).join('; ')}.` : ''}${twErrors.length ? ` tokenwarden reported: ${twErrors.map((e) => `\`${e}\``).join('; ')}.` : ''}
- **Cold start.** The page is reloaded with a session record already in IndexedDB; timed from calling \`start()\` to the \`signed-in\` snapshot (no network needed), and to \`start()\` settling, which also waits for discovery (one round trip). Libraries alternate reloads, after one warm-up each.
- Percentiles interpolate linearly between the closest ranks. Set-up (sign-in, seeding, starting) runs with the added latency switched off; only the measured step pays it. \`npm run bench -- --latency 100 --runs 12 --hang-runs 3 --profile-runs 5 --cross-tab-runs 20 --cold-runs 20\` changes the parameters. This run took ${r.durationSeconds} s.

Bundle sizes, with the same lifecycle in other libraries: bench/results/size.md (\`npm run size\`, also run by the bench).
`
}

/** The condition `key` of the logout results (every run measures all three). */
function conditionOf(conditions: ConditionResult[], key: ConditionResult['key']): ConditionResult {
  const found = conditions.find((c) => c.key === key)
  if (!found) throw new Error(`bench: the logout results have no '${key}' condition`)
  return found
}
