import { beforeEach, expect, it } from 'vitest'
import {
  describeInEngine,
  latestIssuedTokens,
  openSignedInTab,
  signIn,
  useStack,
  waitForStatus,
  type DemoWindow,
  type Tab,
} from '../harness.js'

/** The snapshot's status and reason (a signed-out snapshot's error is not read: WebKitWebDriver cannot hand one back; no reason is null, as WebDriver hands back undefined). */
const statusOf = (tab: Tab) =>
  tab.evaluate(() => {
    const snapshot = (window as unknown as DemoWindow).demo.session.getSnapshot()
    return { status: snapshot.status, reason: snapshot.status === 'signed-out' ? snapshot.reason : null }
  })

/** The page's events of one type, as `type:detail` strings. */
const eventsOf = (tab: Tab, type: string) =>
  tab.evaluate(
    (t) =>
      (window as unknown as { demo: { events: Array<{ type: string; reason?: string; secondsLeft?: number | null }> } }).demo.events
        .filter((event) => event.type === t)
        .map((event) => `${event.type}:${event.reason ?? event.secondsLeft ?? ''}`),
    type,
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeInEngine('idle limit across tabs, against node-oidc-provider', () => {
  // Six seconds without activity in any tab: the countdown runs through all of them.
  const env = useStack({ appIdleTimeoutSeconds: 6 })
  beforeEach(async () => {
    await signIn(env.tab, env.stack.origin)
  })

  it('activity in one tab keeps both alive; then, idle, both end as idle, once, and introspection says both tokens are dead', async () => {
    const other = await openSignedInTab(env.profile, env.stack.origin)
    const tokens = latestIssuedTokens(env.stack.auth)
    // Twelve seconds, twice the limit, with a real click in the first tab every two seconds.
    for (let i = 0; i < 6; i++) {
      await env.tab.click('h1')
      await sleep(2_000)
    }
    expect(await statusOf(env.tab)).toEqual({ status: 'signed-in', reason: null })
    expect(await statusOf(other)).toEqual({ status: 'signed-in', reason: null })
    // Now nobody does anything: a countdown, then the end, in both tabs.
    for (const tab of [env.tab, other]) await waitForStatus(tab, 'signed-out', 15_000)
    for (const tab of [env.tab, other]) {
      expect(await statusOf(tab)).toEqual({ status: 'signed-out', reason: 'idle' })
      expect((await eventsOf(tab, 'signed-out')).filter((event) => event !== 'signed-out:initial')).toEqual(['signed-out:idle'])
    }
    expect(await eventsOf(other, 'idle-warning')).toEqual(expect.arrayContaining(['idle-warning:3', 'idle-warning:2', 'idle-warning:1']))
    await expect.poll(() => env.stack.auth.revocations().filter((r) => r.status === 200).length, { timeout: 10_000 }).toBe(2)
    await expect(env.stack.auth.introspect(tokens.access)).resolves.toMatchObject({ active: false })
    await expect(env.stack.auth.introspect(tokens.refresh)).resolves.toMatchObject({ active: false })
  })
})
