import { expect, it } from 'vitest'
import { describeInEngine, phoneWidthCheck, signIn, textOf, useStack, waitForSelector, waitForStatus, waitInTab } from '../harness.js'
import { collectPageErrors, expectFitsPhone } from '../demo-page.js'

describeInEngine('the demo page', () => {
  const env = useStack()

  it(`loads, signs in, calls the API, logs out and shows the server verdict; screenshots are saved; no sideways scrolling ${phoneWidthCheck}`, async () => {
    const page = env.tab
    await signIn(page, env.stack.origin)
    const errors = await collectPageErrors(page)
    expect(await textOf(page, '#status')).toBe('signed-in')
    expect(await textOf(page, '#session')).toContain('Demo User')

    await page.click('#call-api')
    await waitInTab(page, () => document.querySelector('#api')?.textContent?.includes('demo-user'), undefined, { what: 'the API answer' })

    env.stack.auth.faults.set({ revokeOnlyPresented: true })
    await page.click('#logout')
    await waitForStatus(page, 'signed-out')
    await waitForSelector(page, '#verdict tbody tr td.good')
    const verdict = await page.evaluate(() => [...document.querySelectorAll('#verdict tbody tr')].map((row) => row.textContent ?? ''))
    expect(verdict).toHaveLength(2)
    expect(verdict.join(' ')).toContain('refresh_token')
    expect(verdict.join(' ')).toContain('access_token')
    expect(verdict.every((row) => row.includes('inactive'))).toBe(true)
    await expectFitsPhone(page, 'demo')
    expect(await errors()).toEqual([])
  })
})
