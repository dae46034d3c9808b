// Cross-tab logout: two pages of one browser context on the same session; the time from
// `logout()` settling in tab A to tab B's snapshot turning signed-out (reason 'other-tab').

import { log, type Stack } from '../stack.js'
import { type Summary, summary } from '../stats.js'

export interface CrossTabResults {
  tokenwarden: Summary
  /** oidc-client-ts has no cross-tab logout. */
  oidcClientTs: null
}

export async function runCrossTab(stack: Stack, { runs }: { runs: number }): Promise<CrossTabResults> {
  const { browser, config, setup, freshTokens, openPage, call } = stack
  log(`bench: cross-tab logout, ${runs} runs (+1 warm-up)`)
  const crossTab: number[] = []
  const context = await browser.newContext()
  try {
    const [a, b] = [await openPage(context), await openPage(context)]
    for (let run = -1; run < runs; run += 1) {
      await setup(async () => {
        const tokens = await freshTokens()
        await call(a, 'seedTokenwarden', config, tokens, Date.now() + 3600_000)
        const statuses = await Promise.all([call(a, 'twStart', config), call(b, 'twStart', config)])
        if (statuses.some((status) => status !== 'signed-in')) throw new Error(`bench: cross-tab set-up: ${statuses}`)
        await call(b, 'twWatchSignedOut')
      })
      const result = await call(a, 'twLogout')
      const heard = await call(b, 'twSignedOutAt')
      if (heard.at === null || heard.reason !== 'other-tab') throw new Error(`bench: tab B did not sign out (${JSON.stringify(heard)})`)
      if (run >= 0) crossTab.push(heard.at - result.settledAt)
    }
  } finally {
    await context.close()
  }
  return { tokenwarden: summary(crossTab), oidcClientTs: null }
}
