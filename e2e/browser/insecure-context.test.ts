// A page on plain http from a host that is not localhost (insecure.test, mapped to 127.0.0.1 in
// this browser only) is not a secure context: no WebCrypto. createSession says so with a typed
// error, and the demo page shows it, instead of a blank page and a TypeError. Chromium only: it is
// the engine that maps a host name for one browser (--host-resolver-rules); nothing but loopback
// is ever contacted.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchChromium } from '../../dev/browsers/index.js'
import { describeInEngine, engineName, useStack } from '../harness.js'

describeInEngine('outside a secure context', () => {
  const env = useStack()
  let browser: Browser | undefined
  beforeAll(async () => {
    if (engineName === 'chromium') browser = await launchChromium(['--host-resolver-rules=MAP insecure.test 127.0.0.1'])
  })
  afterAll(async () => {
    await browser?.close()
  })

  it.skipIf(engineName !== 'chromium')(
    'createSession fails with insecure-context, and the demo page says to serve it over https (Chromium only)',
    async () => {
      const page = await browser!.newPage()
      const port = new URL(env.stack.origin).port
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`))
      await page.goto(`http://insecure.test:${port}/`)
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false)
      const alert = await page.waitForSelector('#fatal', { timeout: 10_000 })
      expect(await alert.textContent()).toMatch(/^insecure-context: .*https/)
      // The page's uncaught error is the typed one, never a TypeError from crypto.randomUUID.
      expect(errors.some((error) => error.startsWith('TokenwardenError'))).toBe(true)
      expect(errors.filter((error) => error.startsWith('TypeError'))).toEqual([])
      await page.close()
    },
  )
})
