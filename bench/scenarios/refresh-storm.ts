// Refresh storm: N tabs wake up on one expiring access token at the same moment; how many
// refresh grants reach the server, and how many tabs end up with a working token.

import type { Page } from 'playwright-core'
import type { Library } from '../page/main.js'
import { log, sleep, type Stack } from '../stack.js'

/** The libraries, under the names results.json has for them. */
const LIBRARIES: Array<{ library: Library; name: StormRow['library'] }> = [
  { library: 'tokenwarden', name: 'tokenwarden' },
  { library: 'oidc-client-ts', name: 'oidc' },
]

export const STORM_TABS = [1, 5, 10]

/** How long after the tabs start the storm is counted (oidc-client-ts's timers fire after ~1 s). */
export const stormSettleMs = (latencyMs: number) => 2500 + 6 * latencyMs

export interface StormRow {
  tabs: number
  library: 'tokenwarden' | 'oidc'
  refreshRequests: number
  /** The status of each refresh grant's answer; null while unanswered. */
  answers: Array<number | null>
  workingTabs: number
  tabsOnANewToken: number
  errors: string[]
}

export async function runRefreshStorm(stack: Stack): Promise<StormRow[]> {
  const { auth, browser, config, setup, freshTokens, openPage, call, isActive } = stack
  const settleMs = stormSettleMs(stack.latencyMs)
  log(`bench: refresh storm, ${STORM_TABS.join(', ')} tabs`)
  const storm: StormRow[] = []
  for (const tabs of STORM_TABS) {
    for (const { library, name } of LIBRARIES) {
      const context = await browser.newContext()
      try {
        const pages: Page[] = []
        for (let i = 0; i < tabs; i += 1) pages.push(await openPage(context))
        const first = pages[0]!
        // Both libraries get the same token: issued a lifetime ago, it expires in 30 s, inside tokenwarden's 60 s
        // refresh leeway and oidc-client-ts's 60 s "expiring" notification time. (A token
        // already expired is never renewed automatically by oidc-client-ts: AccessTokenEvents
        // cancels its "expiring" timer when the remaining time is not positive.)
        const expiresAt = Date.now() + 30_000
        const seeded = await setup(async () => {
          const tokens = await freshTokens()
          await call(first, 'seed', library, config, tokens, expiresAt)
          return tokens
        })
        auth.clearLog()
        const at = Date.now() + 300
        // Every tab starts at the same moment, as if the browser restored them all at once:
        // tokenwarden's start its session on the stored record and ask for the access token;
        // oidc-client-ts's create their UserManager (automatic silent renew), whose "expiring"
        // timers fire about a second later.
        const started = await Promise.all(pages.map((page) => call(page, 'startAt', library, config, at)))
        // Then both get the same time to settle: anything still on its way lands and is counted.
        await sleep(Math.max(0, at + settleMs - Date.now()))
        const results = await Promise.all(pages.map((page) => call(page, 'currentToken', library)))
        const grants = auth.requests.filter((entry) => entry.endpoint === 'token' && entry.body.grant_type === 'refresh_token')
        const working = await setup(async () => {
          let n = 0
          for (const result of results) if (await isActive(result.token)) n += 1
          return n
        })
        const errors = [...new Set([...started, ...results].flatMap((result) => result.errors))]
        storm.push({
          tabs,
          library: name,
          refreshRequests: grants.length,
          answers: grants.map((entry) => entry.status ?? null),
          workingTabs: working,
          tabsOnANewToken: results.filter((result) => result.token && result.token !== seeded.access_token).length,
          errors,
        })
      } finally {
        await context.close()
      }
    }
  }
  return storm
}
