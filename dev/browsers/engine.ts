// The engine-neutral face of a browser, as the e2e tests see it: a profile (storage shared by
// its tabs: "one user's browser"), tabs in it, scripts run in a tab, the network cut. One small
// driver per engine implements it (playwright.ts, webkit.ts); the tests never see which.

export type EngineName = 'chromium' | 'firefox' | 'webkit'
export const engineNames: readonly EngineName[] = ['chromium', 'firefox', 'webkit']

/** A script run in the page: serialized, so it may use only its argument and the page's globals. */
export type PageFunction<A, R> = (arg: A) => R | Promise<R>

export interface Tab {
  /** Loads the URL and waits for its load event. */
  goto(url: string): Promise<void>
  evaluate<R, A = undefined>(fn: PageFunction<A, R>, arg?: A): Promise<R>
  /** A real click (the driver's own), on the first element matching `selector`. */
  click(selector: string): Promise<void>
  url(): Promise<string>
  setViewport(width: number, height: number): Promise<void>
  screenshot(path: string): Promise<void>
  close(): Promise<void>
}

/** A token endpoint answer seen on the wire (the test reads it; the page never exposes tokens). */
export interface IssuedTokens {
  access_token: string
  refresh_token?: string
}

export interface Profile {
  newTab(): Promise<Tab>
  /**
   * How this engine cuts the network: 'browser' is the engine's own offline switch (requests
   * fail, `offline`/`online` events fire); 'proxy' drops every connection at the proxy the
   * browser is made to use: requests fail, but the page gets no `online` event.
   */
  readonly offlineBy: 'browser' | 'proxy'
  setOffline(offline: boolean): Promise<void>
  /** Every URL the browser requested (navigations, fetches, subresources), oldest first. */
  readonly requestedUrls: readonly string[]
  /** Every JSON body the token endpoint (`POST …/token`) answered, oldest first. */
  readonly issued: readonly IssuedTokens[]
  close(): Promise<void>
}

export interface Engine {
  name: EngineName
  /** The browser's own version, e.g. '156.0.8078.114', '153.8.0esr', '2.50.6'. */
  version: string
  /** A fresh profile: empty storage, one tab open. */
  newProfile(): Promise<{ profile: Profile; tab: Tab }>
  close(): Promise<void>
}

/** Polls `fn` in the tab until it returns something truthy; navigation in between is retried. */
export async function waitInTab<A>(tab: Tab, fn: PageFunction<A, unknown>, arg: A, { timeout = 10_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout
  let lastError: unknown
  for (;;) {
    try {
      if (await tab.evaluate(fn, arg)) return
    } catch (error) {
      lastError = error // e.g. the document was replaced mid-call
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError).split('\n')[0]})` : ''}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
