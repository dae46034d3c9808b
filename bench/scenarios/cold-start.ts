// Cold start: a reload with a session already stored; from `start()` to the signed-in snapshot
// (no network) and to `start()` settling (discovery included), beside oidc-client-ts's
// `new UserManager()` + `getUser()`.

import { log, type Stack } from '../stack.js'
import { type Summary, summary } from '../stats.js'

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
      await call(page, 'seedTokenwarden', config, tokens, Date.now() + 3600_000)
      await call(page, 'ocSeedShared', config, tokens, Math.floor(Date.now() / 1000) + 3600)
    })
    for (let run = -1; run < runs; run += 1) {
      for (const lib of run % 2 === 0 ? ['tokenwarden', 'oidc'] : ['oidc', 'tokenwarden']) {
        await page.reload()
        await page.waitForFunction(() => window.bench !== undefined)
        if (lib === 'tokenwarden') {
          const result = await call(page, 'twColdStart', config)
          if (result.status !== 'signed-in') throw new Error(`bench: cold start ended ${result.status}`)
          if (run >= 0) {
            cold.snapshot.push(result.snapshotMs)
            cold.start.push(result.startMs)
          }
        } else {
          const result = await call(page, 'ocColdStart', config)
          if (!result.found) throw new Error('bench: oidc-client-ts found no user on cold start')
          if (run >= 0) cold.oidc.push(result.ms)
        }
      }
    }
  } finally {
    await context.close()
  }
  return { snapshot: summary(cold.snapshot), start: summary(cold.start), oidcClientTsGetUser: summary(cold.oidc) }
}
