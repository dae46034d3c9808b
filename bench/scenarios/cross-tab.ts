// Cross-tab logout: two pages of one browser context on the same session; the time from
// `logout()` settling in tab A to tab B's snapshot turning signed-out (reason 'other-tab').

import { log, type Stack } from '../stack.js'
import { CAP_MS } from './logout.js'
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
        await call(a, 'seed', 'tokenwarden', config, tokens, Date.now() + 3600_000)
        const signedIn = await Promise.all([call(a, 'restore', 'tokenwarden', config), call(b, 'restore', 'tokenwarden', config)])
        if (signedIn.some((ok) => !ok)) throw new Error(`bench: cross-tab set-up: signed in ${signedIn}`)
        await call(b, 'watchOtherTab', 'tokenwarden')
      })
      const result = await call(a, 'logout', 'tokenwarden', CAP_MS)
      const heard = await call(b, 'otherTabSignedOutAt', 5000)
      if (result.settledMs === null) throw new Error(`bench: tab A's logout did not settle (${result.report})`)
      if (heard.at === null || heard.reason !== 'other-tab') throw new Error(`bench: tab B did not sign out (${JSON.stringify(heard)})`)
      if (run >= 0) crossTab.push(heard.at - (result.calledAt + result.settledMs))
    }
  } finally {
    await context.close()
  }
  return { tokenwarden: summary(crossTab), oidcClientTs: null }
}
