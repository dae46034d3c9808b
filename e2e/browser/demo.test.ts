import { describe, expect, it } from 'vitest'
import { artifacts, chromiumPath, signIn, useStack, waitForStatus } from './harness.js'

describe.skipIf(!chromiumPath)('the demo page', () => {
  const env = useStack()

  it('loads, signs in, calls the API, logs out and shows the server verdict; screenshots are saved', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await signIn(page, env.stack.origin)
    await expect(page.locator('#status').textContent()).resolves.toBe('signed-in')
    await expect(page.locator('#session').textContent()).resolves.toContain('Demo User')

    await page.click('#call-api')
    await page.waitForFunction(() => document.querySelector('#api')?.textContent?.includes('demo-user'))

    env.stack.auth.faults.set({ revokeOnlyPresented: true })
    await page.click('#logout')
    await waitForStatus(page, 'signed-out')
    await page.waitForSelector('#verdict tbody tr td.good')
    const verdict = await page.locator('#verdict tbody tr').allTextContents()
    expect(verdict).toHaveLength(2)
    expect(verdict.join(' ')).toContain('refresh_token')
    expect(verdict.join(' ')).toContain('access_token')
    expect(verdict.every((row) => row.includes('inactive'))).toBe(true)
    await page.screenshot({ path: `${artifacts}demo-desktop.png`, fullPage: true })

    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: `${artifacts}demo-phone.png`, fullPage: true })
    // Nothing wider than the phone's screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    expect(errors).toEqual([])
    await context.close()
  })
})
