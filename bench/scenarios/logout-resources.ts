// Logout with two resources (RFC 8707): tokenwarden's `logout()` of a session that holds, beside
// its refresh and access token, a token for API A and one for API B of the dev server, at the
// bench's round trip. The four revocations leave together, so the logout should cost what the
// same four requests cost as bare `fetch()` calls sent together from the page, measured in the
// same run (the floor), and little more. Each run also checks the server's side: four
// revocations answered 200, and none of the four tokens introspects active afterwards.

import type { BenchConfig, BenchTokens } from '../page/main.js'
import { CAP_MS } from './logout.js'
import { log, type Stack } from '../stack.js'
import { type Summary, type SummaryWithMissing, summary, summaryWithMissing } from '../stats.js'

export interface LogoutResourcesResults {
  latencyMs: number
  runs: number
  /** tokenwarden's logout, from the call to its promise settling. */
  settled: SummaryWithMissing
  /** The same four revocations as bare fetch() calls, together, in the same run. */
  floor: Summary
  /** Runs after which the server still said one of the four tokens was active. */
  runsWithATokenStillActive: number
}

/** A sign-in that asked for both APIs, then a refresh grant for each: the four tokens of the session. */
async function sessionWithResources(stack: Stack, resources: readonly string[]): Promise<BenchTokens> {
  const { auth, freshTokensWith } = stack
  let tokens = await freshTokensWith({ scope: 'openid profile email offline_access a:read b:read', resources })
  const held: Record<string, string> = {}
  for (const resource of resources) {
    const response = await fetch(`${auth.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.origin },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: auth.clientId, resource }),
    })
    const body = (await response.json()) as { access_token: string; refresh_token: string }
    if (!response.ok) throw new Error(`bench: the refresh grant for ${resource} answered ${response.status}`)
    held[resource] = body.access_token
    // The dev server rotates refresh tokens: the session holds the newest.
    tokens = { ...tokens, refresh_token: body.refresh_token }
  }
  return { ...tokens, resources: held }
}

const targetsOf = (tokens: BenchTokens) => [
  { token: tokens.refresh_token, hint: 'refresh_token' },
  { token: tokens.access_token, hint: 'access_token' },
  ...Object.values(tokens.resources ?? {}).map((token) => ({ token, hint: 'access_token' })),
]

export async function runLogoutResources(stack: Stack, { runs }: { runs: number }): Promise<LogoutResourcesResults> {
  const { auth, browser, openPage, setup, call, isActive, measureWith, latencyMs } = stack
  const resources = [`${auth.issuer}/api-a`, `${auth.issuer}/api-b`]
  const config: BenchConfig = {
    ...stack.config,
    destinations: [
      { url: `${auth.issuer}/api-a/`, resource: resources[0]!, scope: 'a:read' },
      { url: `${auth.issuer}/api-b/`, resource: resources[1]! },
    ],
  }
  measureWith({ latencyMs, revocation: 'ok' })
  log(`bench: logout with two resources, ${latencyMs} ms added latency: ${runs} runs (+1 warm-up), each beside the floor`)
  const settled: Array<number | null> = []
  const floor: number[] = []
  let stillActive = 0
  const context = await browser.newContext()
  try {
    const a = await openPage(context)
    for (let run = -1; run < runs; run += 1) {
      const tokens = await setup(async () => {
        const held = await sessionWithResources(stack, resources)
        await call(a, 'seed', 'tokenwarden', config, held, Date.now() + 3600_000)
        if (!(await call(a, 'restore', 'tokenwarden', config))) throw new Error('bench: tokenwarden did not restore the seeded session')
        return held
      })
      auth.clearLog()
      const measure = await call(a, 'logout', 'tokenwarden', CAP_MS, false)
      const revocations = auth.revocations()
      if (revocations.length !== 4 || revocations.some((entry) => entry.status !== 200)) {
        throw new Error(`bench: logout with resources: expected four answered revocations, got ${revocations.length} (${measure.report})`)
      }
      const active = await setup(async () => (await Promise.all(targetsOf(tokens).map(({ token }) => isActive(token)))).some(Boolean))

      const bareTokens = await setup(() => sessionWithResources(stack, resources))
      auth.clearLog()
      const bare = await call(a, 'bareRevocationsOf', `${auth.issuer}/token/revocation`, auth.clientId, targetsOf(bareTokens))
      if (bare.statuses.some((status) => status !== 200) || auth.revocations().length !== 4) {
        throw new Error(`bench: bare revocations answered ${bare.statuses}, server saw ${auth.revocations().length}`)
      }
      if (run < 0) continue
      settled.push(measure.settledMs)
      floor.push(bare.ms)
      if (active) stillActive += 1
    }
  } finally {
    await context.close()
  }
  return { latencyMs, runs, settled: summaryWithMissing(settled), floor: summary(floor), runsWithATokenStillActive: stillActive }
}
