import { describe, expect, it } from 'vitest'
import {
  describeInEngine,
  markDocument,
  openSignedInTab,
  phoneWidthCheck,
  signIn,
  textOf,
  useStack,
  waitForSelector,
  waitInTab,
} from '../harness.js'
import { collectPageErrors, expectDemoLoggedOut, expectDemoSignedIn, expectFitsPhone } from '../demo-page.js'

const pages = [
  ['React', '/react/'],
  ['Vue', '/vue/'],
] as const

describeInEngine('the React and Vue demo pages, built on tokenwarden/react and tokenwarden/vue', () => {
  const env = useStack()
  describe.each(pages)('%s page', (name, path) => {
    it(`signs in, shows the token, calls the API; its logout button revokes both tokens and renders signed-out; no sideways scrolling ${phoneWidthCheck}`, async () => {
      const page = env.tab
      await signIn(page, env.stack.origin, path)
      const errors = await collectPageErrors(page)
      expect(new URL(await page.url()).pathname).toBe(path)
      // useSession() and useAccessToken() rendered the session and its token.
      const tokens = await expectDemoSignedIn(page, env.stack.auth)

      await page.click('#call-api')
      await waitInTab(page, () => document.querySelector('#api')?.textContent?.includes('demo-user'), undefined, { what: 'the API answer' })

      // Each revocation then kills only the token it presents, so both must be sent.
      env.stack.auth.faults.set({ revokeOnlyPresented: true })
      env.stack.auth.clearLog()
      await page.click('#logout')
      // useLogout()'s result, rendered; the server's word.
      await expectDemoLoggedOut(page, env.stack.auth, tokens)
      await expectFitsPhone(page, name.toLowerCase())
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
