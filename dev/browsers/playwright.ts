// Chromium and Firefox through playwright-core (Firefox over WebDriver BiDi, channel
// 'moz-firefox'), both Debian's own binaries. A profile is a browser context, a tab a page.
import { chromium, firefox, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { chromiumArgs } from './find.js'
import type { Engine, IssuedTokens, Profile, Tab } from './engine.js'

export async function launchPlaywright(name: 'chromium' | 'firefox', executablePath: string): Promise<Engine> {
  const browser: Browser =
    name === 'chromium'
      ? await chromium.launch({ executablePath, args: [...chromiumArgs] })
      : await firefox.launch({ channel: 'moz-firefox', executablePath, headless: true })
  return {
    name,
    version: browser.version(),
    async newProfile() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      const profile = wrapContext(context)
      return { profile, tab: await profile.newTab() }
    },
    close: () => browser.close(),
  }
}

function wrapContext(context: BrowserContext): Profile {
  const requestedUrls: string[] = []
  const issued: IssuedTokens[] = []
  context.on('request', (request) => requestedUrls.push(request.url()))
  context.on('response', (response) => {
    if (new URL(response.url()).pathname !== '/token' || response.request().method() !== 'POST') return
    void response.json().then(
      (body: Partial<IssuedTokens>) => body.access_token && issued.push(body as IssuedTokens),
      () => undefined,
    )
  })
  return {
    offlineBy: 'browser',
    requestedUrls,
    issued,
    setOffline: (offline) => context.setOffline(offline),
    newTab: async () => wrapPage(await context.newPage()),
    close: () => context.close(),
  }
}

function wrapPage(page: Page): Tab {
  return {
    goto: async (url) => void (await page.goto(url)),
    evaluate: (fn, arg) => page.evaluate(fn, arg as never),
    click: (selector) => page.click(selector),
    url: async () => page.url(),
    setViewport: (width, height) => page.setViewportSize({ width, height }),
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    close: () => page.close(),
  }
}
