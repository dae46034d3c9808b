// Which engine a test file drives, and how to launch it. The engine comes from the Vitest
// project (vite.config.ts provides it); the binaries are Debian's (see ../environment.js).
import { execFileSync } from 'node:child_process'
import { inject } from 'vitest'
import { findChromium, findFirefox, findWebKit } from '../environment.js'
import type { Engine, EngineName } from './engine.js'

export * from './engine.js'

declare module 'vitest' {
  export interface ProvidedContext {
    engine: EngineName
  }
}

export const engineName: EngineName = inject('engine')

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
export function missingEngine(name: EngineName = engineName): string | undefined {
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

export async function launchEngine(name: EngineName = engineName): Promise<Engine> {
  const missing = missingEngine(name)
  if (missing) throw new Error(missing)
  if (name === 'webkit') return (await import('./webkit.js')).launchWebKit(findWebKit()!)
  const { launchPlaywright } = await import('./playwright.js')
  return launchPlaywright(name, (name === 'chromium' ? findChromium() : findFirefox())!)
}
