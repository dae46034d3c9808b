import { describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  describeInEngine,
  expectBothRevoked,
  tokenRecordPrefixes,
  markDocument,
  openSignedInTab,
  phoneWidthCheck,
  screenshotPath,
  toPhoneWidth,
  signIn,
  snapshotOf,
  latestIssuedTokens,
  textOf,
  useStack,
  waitForSelector,
  waitInTab,
  type Tab,
} from '../harness.js'

const pages = [
  ['React', '/react/'],
  ['Vue', '/vue/'],
] as const

describeInEngine('the React and Vue demo pages, built on tokenwarden/react and tokenwarden/vue', () => {
  const env = useStack()
  const errorsOf = async (tab: Tab) => {
    await tab.evaluate(() => {
      const w = window as unknown as { pageErrors?: string[] }
      w.pageErrors = []
      addEventListener('error', (event) => w.pageErrors!.push(event.message))
      addEventListener('unhandledrejection', (event) => w.pageErrors!.push(String(event.reason)))
    })
    return () => tab.evaluate(() => (window as unknown as { pageErrors: string[] }).pageErrors)
  }

  describe.each(pages)('%s page', (name, path) => {
    it(`signs in, shows the token, calls the API; its logout button revokes both tokens and renders signed-out; no sideways scrolling ${phoneWidthCheck}`, async () => {
      const page = env.tab
      await signIn(page, env.stack.origin, path)
      const errors = await errorsOf(page)
      expect(new URL(await page.url()).pathname).toBe(path)
      await waitForSelector(page, '#status[data-status="signed-in"]')
      expect(await textOf(page, '#status')).toBe('signed-in')
      expect(await textOf(page, '#session')).toContain('Demo User')

      const access = await accessTokenOf(page)
      const { refresh } = latestIssuedTokens(env.stack.auth)
      // useAccessToken() rendered the same token the session hands out.
      await waitInTab(page, (prefix) => document.querySelector('#token')?.textContent?.startsWith(prefix), access.slice(0, 8), {
        what: 'the token shown',
      })

      await page.click('#call-api')
      await waitInTab(page, () => document.querySelector('#api')?.textContent?.includes('demo-user'), undefined, { what: 'the API answer' })

      // Each revocation then kills only the token it presents, so both must be sent.
      env.stack.auth.faults.set({ revokeOnlyPresented: true })
      env.stack.auth.clearLog()
      await page.click('#logout')
      await waitForSelector(page, '#status[data-status="signed-out"]')
      expect(await textOf(page, '#status')).toBe('signed out (logout)')
      expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
      // useLogout()'s result, rendered.
      await waitForSelector(page, '[data-token="access_token"]')
      expect(await textOf(page, '[data-token="refresh_token"]')).toBe('revoked')
      expect(await textOf(page, '[data-token="access_token"]')).toBe('revoked')

      await expectBothRevoked(env.stack.auth, { access, refresh })
      expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
      await waitInTab(page, () => document.querySelectorAll('#verdict tbody td.good').length === 2, undefined, { what: 'the verdict' })
      expect(await textOf(page, '#token')).toBe('—')

      const slug = name.toLowerCase()
      await page.screenshot(screenshotPath(`${slug}-desktop`))
      const width = await toPhoneWidth(page)
      await page.screenshot(screenshotPath(`${slug}-phone`))
      // Nothing wider than the screen: no sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
      expect(await errors()).toEqual([])
    })

    it('a logout in another tab re-renders this page to signed-out (other-tab), without a reload', async () => {
      const page = env.tab
      await signIn(page, env.stack.origin, path)
      const other = await openSignedInTab(env.profile, env.stack.origin, path)
      await waitForSelector(other, '#status[data-status="signed-in"]')
      const sameDocument = await markDocument(other)
      env.stack.auth.clearLog()

      await page.click('#logout')
      await waitForSelector(page, '#status[data-status="signed-out"]')
      await waitForSelector(other, '#status[data-status="signed-out"]', 2000)
      expect(await textOf(other, '#status')).toBe('signed out (other-tab)')
      expect(await sameDocument()).toBe(true)
      // Only the tab that logged out revoked anything.
      expect(env.stack.auth.revocations()).toHaveLength(2)
    })
  })
})
