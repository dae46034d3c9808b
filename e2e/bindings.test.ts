import type { BrowserContext } from 'playwright-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  artifacts,
  captureIssuedTokens,
  chromiumPath,
  expectBothRevoked,
  useStack,
  signIn,
  snapshotOf,
  tokenRecordPrefixes,
  waitForStatus,
} from './harness.js'

const pages = [
  ['React', '/react/'],
  ['Vue', '/vue/'],
] as const

describe.skipIf(!chromiumPath)('the React and Vue demo pages, built on tokenwarden/react and tokenwarden/vue', () => {
  let context: BrowserContext
  const env = useStack()
  beforeEach(async () => {
    env.stack.auth.faults.reset()
    context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } })
  })
  afterEach(async () => {
    await context?.close()
  })

  describe.each(pages)('%s page', (name, path) => {
    it('signs in, shows the token, calls the API; its logout button revokes both tokens and renders signed-out', async () => {
      const issued = captureIssuedTokens(context)
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))

      await signIn(page, env.stack.origin, path)
      expect(new URL(page.url()).pathname).toBe(path)
      await page.waitForSelector('#status[data-status="signed-in"]')
      await expect(page.locator('#status').textContent()).resolves.toBe('signed-in')
      await expect(page.locator('#session').textContent()).resolves.toContain('Demo User')

      const access = await accessTokenOf(page)
      // Read off the wire: IndexedDB holds the tokens encrypted.
      await expect.poll(() => issued.length).toBe(1)
      expect(issued[0]!.access_token).toBe(access)
      const refresh = issued[0]!.refresh_token!
      // useAccessToken() rendered the same token the session hands out.
      await page.waitForFunction((prefix) => document.querySelector('#token')?.textContent?.startsWith(prefix), access.slice(0, 8))

      await page.click('#call-api')
      await page.waitForFunction(() => document.querySelector('#api')?.textContent?.includes('demo-user'))

      // Each revocation then kills only the token it presents, so both must be sent.
      env.stack.auth.faults.set({ revokeOnlyPresented: true })
      env.stack.auth.clearLog()
      await page.click('#logout')
      await page.waitForSelector('#status[data-status="signed-out"]')
      await expect(page.locator('#status').textContent()).resolves.toBe('signed out (logout)')
      expect(await snapshotOf(page)).toMatchObject({ status: 'signed-out', reason: 'logout' })
      // useLogout()'s result, rendered.
      await expect(page.locator('[data-token="refresh_token"]').textContent()).resolves.toBe('revoked')
      await expect(page.locator('[data-token="access_token"]').textContent()).resolves.toBe('revoked')

      await expectBothRevoked(env.stack.auth, { access, refresh })
      expect((await tokenRecordPrefixes(page)).filter((prefix) => prefix === 'session')).toEqual([])
      await page.waitForFunction(() => document.querySelectorAll('#verdict tbody td.good').length === 2)
      await expect(page.locator('#token').textContent()).resolves.toBe('—')

      const slug = name.toLowerCase()
      await page.screenshot({ path: `${artifacts}${slug}-desktop.png`, fullPage: true })
      await page.setViewportSize({ width: 390, height: 844 })
      await page.screenshot({ path: `${artifacts}${slug}-phone.png`, fullPage: true })
      // Nothing wider than the phone's screen: no sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      expect(errors).toEqual([])
    })

    it('a logout in another tab re-renders this page to signed-out (other-tab), without a reload', async () => {
      const page = await context.newPage()
      await signIn(page, env.stack.origin, path)
      const other = await context.newPage()
      await other.goto(`${env.stack.origin}${path}`)
      await waitForStatus(other, 'signed-in')
      await other.waitForSelector('#status[data-status="signed-in"]')
      const navigations: string[] = []
      other.on('framenavigated', (frame) => navigations.push(frame.url()))
      env.stack.auth.clearLog()

      await page.click('#logout')
      await page.waitForSelector('#status[data-status="signed-out"]')
      await other.waitForSelector('#status[data-status="signed-out"]', { timeout: 2000 })
      await expect(other.locator('#status').textContent()).resolves.toBe('signed out (other-tab)')
      expect(navigations).toEqual([])
      // Only the tab that logged out revoked anything.
      expect(env.stack.auth.revocations()).toHaveLength(2)
    })
  })
})
