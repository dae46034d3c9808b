// Debian's Chromium, Firefox ESR and WebKitGTK, behind one engine-neutral face (engine.ts):
// how to find them, whether one can run here, and how to launch it. The e2e suites drive every
// engine through it; the bench launches Chromium the same way (launchChromium).
import { execFileSync } from 'node:child_process'
import type { Browser } from 'playwright-core'
import type { Engine, EngineName } from './engine.js'
import { chromiumArgs, findChromium, findFirefox, findWebKit } from './find.js'

export * from './engine.js'
export { chromiumArgs, findChromium, findFirefox, findWebKit }

/** What to install when the engine's binaries are missing. */
const install: Record<EngineName, string> = {
  chromium: '`apt-get install chromium`, or set CHROMIUM_PATH',
  firefox: '`apt-get install firefox-esr`, or set FIREFOX_PATH',
  webkit: '`apt-get install webkit2gtk-driver xvfb`',
}

/**
 * playwright-core 1.64.1 drives Firefox over WebDriver BiDi commands that Firefox ESR 140 lacks
 * (its launch fails: "Protocol error (network.addDataCollector): unknown command"); ESR 153 has
 * them. Debian bookworm ships 140 in main and 153 in bookworm-security.
 */
const minimumFirefoxMajor = 153

/** Why this engine cannot run here, or undefined when it can. */
export function missingEngine(name: EngineName): string | undefined {
  const found = name === 'chromium' ? findChromium() : name === 'firefox' ? findFirefox() : findWebKit()
  if (!found) return `No ${name} found: ${install[name]}.`
  if (name === 'firefox') {
    const version = execFileSync(found as string, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim()
    const major = Number(/(\d+)\./.exec(version)?.[1] ?? 0)
    if (major < minimumFirefoxMajor) {
      return `${version} is too old for playwright-core's WebDriver BiDi (Firefox ${minimumFirefoxMajor} or newer): \`apt-get update && apt-get install firefox-esr\`, or set FIREFOX_PATH.`
    }
  }
  return undefined
}

// The drivers are imported when an engine is launched: a test that only reads a helper of this
// folder loads neither playwright-core nor webdriverio.
export async function launchEngine(name: EngineName): Promise<Engine> {
  const missing = missingEngine(name)
  if (missing) throw new Error(missing)
  if (name === 'webkit') return (await import('./webkit.js')).launchWebKit(findWebKit()!)
  const { launchPlaywright } = await import('./playwright.js')
  return launchPlaywright(name, (name === 'chromium' ? findChromium() : findFirefox())!)
}

/** Debian's Chromium through playwright-core itself, for what the engine-neutral face does not offer (contexts, the DevTools protocol). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const missing = missingEngine('chromium')
  if (missing) throw new Error(missing)
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: findChromium()!, args: [...chromiumArgs, ...extraArgs] })
}
