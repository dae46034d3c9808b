// Refresh storm: N tabs wake up on one expiring access token at the same moment; how many
// refresh grants reach the server, and how many tabs end up with a working token.

import { log, sleep } from '../stack.js'

export const STORM_TABS = [1, 5, 10]

/** How long after the tabs start the storm is counted (oidc-client-ts's timers fire after ~1 s). */
export const stormSettleMs = (latencyMs) => 2500 + 6 * latencyMs

/** @param {Awaited<ReturnType<typeof import('../stack.js').startStack>>} stack */
export async function runRefreshStorm(stack) {
  const { auth, browser, config, setup, freshTokens, openPage, call, isActive } = stack
  const settleMs = stormSettleMs(stack.latencyMs)
  log(`bench: refresh storm, ${STORM_TABS.join(', ')} tabs`)
  const storm = []
  for (const tabs of STORM_TABS) {
    for (const lib of ['tokenwarden', 'oidc']) {
      const context = await browser.newContext()
      try {
        const pages = []
        for (let i = 0; i < tabs; i += 1) pages.push(await openPage(context))
        // Both libraries get the same token: issued a lifetime ago, it expires in 30 s, inside tokenwarden's 60 s
        // refresh leeway and oidc-client-ts's 60 s "expiring" notification time. (A token
        // already expired is never renewed automatically by oidc-client-ts: AccessTokenEvents
        // cancels its "expiring" timer when the remaining time is not positive.)
        const expiresAt = Date.now() + 30_000
        const seeded = await setup(async () => {
          const tokens = await freshTokens()
          if (lib === 'tokenwarden') {
            await call(pages[0], 'seedTokenwarden', config, tokens, expiresAt)
          } else {
            await call(pages[0], 'ocSeedShared', config, tokens, Math.floor(expiresAt / 1000))
          }
          return tokens
        })
        auth.clearLog()
        const at = Date.now() + 300
        // Every tab starts at the same moment, as if the browser restored them all at once.
        let first = []
        if (lib === 'tokenwarden') {
          // Each one starts its session on the stored record and asks for the access token.
          first = await Promise.all(pages.map((page) => call(page, 'twStormAt', config, at)))
        } else {
          // Each one creates its UserManager (automatic silent renew); their "expiring" timers
          // fire about a second later.
          await Promise.all(pages.map((page) => call(page, 'ocStartRenewingAt', config, at)))
        }
        // Then both get the same time to settle: anything still on its way lands and is counted.
        await sleep(Math.max(0, at + settleMs - Date.now()))
        const results = await Promise.all(pages.map((page) => call(page, lib === 'tokenwarden' ? 'twCurrentToken' : 'ocAccessToken')))
        const grants = auth.requests.filter((entry) => entry.endpoint === 'token' && entry.body.grant_type === 'refresh_token')
        const working = await setup(async () => {
          let n = 0
          for (const result of results) if (await isActive(result.token)) n += 1
          return n
        })
        const errors = [...new Set([...first, ...results].flatMap((result) => result.errors ?? (result.error ? [result.error] : [])))]
        storm.push({
          tabs,
          library: lib,
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
