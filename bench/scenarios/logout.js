// Logout wall time: tokenwarden's `logout()` against oidc-client-ts's `revokeTokens()` +
// `removeUser()`, interleaved, each run on a fresh sign-in. Also counts the revocation requests
// and CORS preflights per logout, and asks the server whether any token of the run survived.

import { log } from '../stack.js'
import { mean, summary } from '../stats.js'

/** @param {Awaited<ReturnType<typeof import('../stack.js').startStack>>} stack */
export async function runLogout(stack, { runs }) {
  const { auth, browser, config, setup, freshTokens, openPage, call, isActive } = stack
  log(`bench: logout, ${runs} runs each, interleaved (+1 warm-up each)`)
  const logout = { tokenwarden: [], oidc: [], requests: { tokenwarden: [], oidc: [] }, preflights: { tokenwarden: [], oidc: [] }, stillActive: { tokenwarden: 0, oidc: 0 } }
  const context = await browser.newContext()
  try {
    const page = await openPage(context)
    // CORS preflights are not in the server's request log: they are counted through the
    // DevTools protocol (Network.requestWillBeSent, initiator 'preflight').
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    let preflights = 0
    let seenRevocations = 0
    cdp.on('Network.requestWillBeSent', (event) => {
      if (event.initiator?.type === 'preflight') preflights += 1
      else if (event.request.method === 'POST' && event.request.url.endsWith('/token/revocation')) seenRevocations += 1
    })
    for (let run = -1; run < runs; run += 1) {
      const order = run % 2 === 0 ? ['tokenwarden', 'oidc'] : ['oidc', 'tokenwarden']
      for (const lib of order) {
        const tokens = await setup(async () => {
          const tokens = await freshTokens()
          if (lib === 'tokenwarden') {
            await call(page, 'seedTokenwarden', config, tokens, Date.now() + 3600_000)
            const status = await call(page, 'twStart', config)
            if (status !== 'signed-in') throw new Error(`bench: tokenwarden did not restore the seeded session (${status})`)
          } else {
            await call(page, 'ocPrepare', config, tokens)
          }
          return tokens
        })
        auth.clearLog()
        preflights = 0
        seenRevocations = 0
        const result = await call(page, lib === 'tokenwarden' ? 'twLogout' : 'ocLogout')
        // The preflight count means something only if the protocol saw the requests themselves.
        if (seenRevocations !== 2) throw new Error(`bench: DevTools saw ${seenRevocations} revocation requests, expected 2`)
        if (lib === 'tokenwarden' && (result.revocation.refresh_token !== 'revoked' || result.revocation.access_token !== 'revoked')) {
          throw new Error(`bench: tokenwarden logout did not revoke: ${JSON.stringify(result.revocation)}`)
        }
        if (lib === 'oidc' && result.stored) throw new Error('bench: oidc-client-ts still has a user after removeUser()')
        const revocations = auth.revocations()
        if (revocations.length !== 2 || revocations.some((entry) => entry.status !== 200)) {
          throw new Error(`bench: ${lib} logout: expected two answered revocations, got ${JSON.stringify(revocations.map((r) => [r.body.token_type_hint, r.status]))}`)
        }
        if (run < 0) continue
        logout[lib].push(result.ms)
        logout.requests[lib].push(revocations.length)
        logout.preflights[lib].push(preflights)
        const alive = await setup(async () => (await isActive(tokens.refresh_token)) || (await isActive(tokens.access_token)))
        if (alive) logout.stillActive[lib] += 1
      }
    }
  } finally {
    await context.close()
  }
  return {
    tokenwarden: summary(logout.tokenwarden),
    oidcClientTs: summary(logout.oidc),
    revocationRequestsPerLogout: { tokenwarden: mean(logout.requests.tokenwarden), oidcClientTs: mean(logout.requests.oidc) },
    preflightsPerLogout: { tokenwarden: mean(logout.preflights.tokenwarden), oidcClientTs: mean(logout.preflights.oidc) },
    runsWithATokenStillActive: { tokenwarden: logout.stillActive.tokenwarden, oidcClientTs: logout.stillActive.oidc },
  }
}
