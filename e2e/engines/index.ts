// Which engine a test file drives, and how to launch it. The engine comes from the Vitest
// project (vite.config.ts provides it); the binaries are Debian's (see ../environment.js).
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

/** Why this engine cannot run here, or undefined when it can. */
export function missingEngine(name: EngineName = engineName): string | undefined {
  const found = name === 'chromium' ? findChromium() : name === 'firefox' ? findFirefox() : findWebKit()
  return found ? undefined : `No ${name} found: ${install[name]}.`
}

export async function launchEngine(name: EngineName = engineName): Promise<Engine> {
  const missing = missingEngine(name)
  if (missing) throw new Error(missing)
  if (name === 'webkit') return (await import('./webkit.js')).launchWebKit(findWebKit()!)
  const { launchPlaywright } = await import('./playwright.js')
  return launchPlaywright(name, (name === 'chromium' ? findChromium() : findFirefox())!)
}
