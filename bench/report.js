// bench/results.md from the results of one run (bench/run.js writes it; bench/update-readme.js
// copies it into README.md).

import { STORM_TABS as stormTabs } from './scenarios/refresh-storm.js'
import { sizeTable } from './size.js'

/** @param {any} r the object bench/run.js writes to results.json */
export function render(r) {
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
