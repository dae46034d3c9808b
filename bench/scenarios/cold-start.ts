// Cold start: a reload with a session already stored; from `start()` to the signed-in snapshot
// (no network) and to `start()` settling (discovery included), beside oidc-client-ts's
// `new UserManager()` + `getUser()`.

import type { Library } from '../page/main.js'
import { log, type Stack } from '../stack.js'
import { type Summary, summary } from '../stats.js'

/** Alternating which reloads first, after one warm-up each. */
const LIBRARIES: Library[] = ['tokenwarden', 'oidc-client-ts']

export interface ColdStartResults {
  snapshot: Summary
  start: Summary
  oidcClientTsGetUser: Summary
}

export async function runColdStart(stack: Stack, { runs }: { runs: number }): Promise<ColdStartResults> {
  const { browser, config, setup, freshTokens, openPage, call } = stack
  log(`bench: cold start, ${runs} reloads each (+1 warm-up)`)
  const cold = { snapshot: [] as number[], start: [] as number[], oidc: [] as number[] }
  const context = await browser.newContext()
  try {
    const page = await openPage(context)
    await setup(async () => {
      const tokens = await freshTokens()
      for (const lib of LIBRARIES) await call(page, 'seed', lib, config, tokens, Date.now() + 3600_000)
    })
    for (let run = -1; run < runs; run += 1) {
      for (const lib of run % 2 === 0 ? LIBRARIES : [...LIBRARIES].reverse()) {
        await page.reload()
        await page.waitForFunction(() => window.bench !== undefined)
        const result = await call(page, 'coldStart', lib, config)
        if (!result.signedIn) throw new Error(`bench: ${lib} was not signed in on cold start`)
        if (run < 0) continue
        if (lib === 'tokenwarden') {
          cold.snapshot.push(result.ms)
          cold.start.push(result.settledMs ?? Number.NaN)
        } else {
          cold.oidc.push(result.ms)
        }
      }
    }
  } finally {
    await context.close()
  }
  return { snapshot: summary(cold.snapshot), start: summary(cold.start), oidcClientTsGetUser: summary(cold.oidc) }
}
