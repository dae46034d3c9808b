// A Vitest reporter: after a run, what each engine's browser suites did. It prints the time
// per engine, and when the run covered every browser suite in every engine (no filter, no
// engine missing) it writes e2e/engines.json and the README's browser table from it. A
// partial run (E2E_ENGINES, a file filter, a test skipped but by its engine-only name) leaves
// both alone and says so.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename } from 'node:path'
import type { Reporter, TestCase, TestModule } from 'vitest/node'
import { reportPath, updateReadme, type EngineReport, type Report, type TestRow } from './browser-table.js'
import { engineNames, type EngineName } from '../dev/browsers/index.js'
import { measuredCommit } from '../dev/commit.js'

const browserDir = new URL('./browser/', import.meta.url)
const artifacts = new URL('./artifacts/', import.meta.url)

const require = createRequire(import.meta.url)
const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(require.resolve(`${name}/package.json`, { paths: [process.cwd()] }), 'utf8')) as { version: string }).version
const versionOf = (name: string) => {
  try {
    return packageVersion(name)
  } catch {
    // webdriverio does not export its package.json
    return (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string })
      .version
  }
}

const describe: Record<EngineName, { label: string; driver: () => string; offline: string }> = {
  chromium: {
    label: 'Chromium (Debian)',
    driver: () => `playwright-core ${versionOf('playwright-core')}`,
    offline: 'the browser (`setOffline`)',
  },
  firefox: {
    label: 'Firefox ESR (Debian)',
    driver: () => `playwright-core ${versionOf('playwright-core')}, WebDriver BiDi`,
    offline: 'the browser (`setOffline`)',
  },
  webkit: {
    label: 'WebKitGTK MiniBrowser (Debian)',
    driver: () => `WebKitWebDriver, webdriverio ${versionOf('webdriverio')}, Xvfb`,
    offline: 'a proxy that drops connections (no `online` event)',
  },
}

function row(test: TestCase): TestRow {
  const suites: string[] = []
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) suites.unshift(parent.name)
  // The outermost describe is the engine's block (describeInEngine): the same in every row.
  return { file: basename(test.module.moduleId), suite: suites.slice(1).join(': '), name: test.name, state: test.result().state }
}

export default class EngineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const suites = readdirSync(browserDir)
      .filter((file) => file.endsWith('.test.ts'))
      .sort()
    const engines: Array<EngineReport & { seconds: number }> = []
    const missing: string[] = []
    for (const name of engineNames) {
      const modules = testModules.filter((m) => m.project.name === `e2e-${name}`)
      if (modules.length === 0) {
        missing.push(`${name} did not run`)
        continue
      }
      const ran = modules.map((m) => basename(m.moduleId)).sort()
      const tests = modules
        .slice()
        .sort((a, b) => basename(a.moduleId).localeCompare(basename(b.moduleId)))
        .flatMap((m) => [...m.children.allTests()].map(row))
      const seconds = modules.reduce((sum, m) => sum + m.diagnostic().duration, 0) / 1000
      console.info(`e2e-${name}: ${tests.filter((t) => t.state === 'passed').length} of ${tests.length} passed in ${seconds.toFixed(0)} s`)
      if (ran.join() !== suites.join()) missing.push(`${name} ran ${ran.length} of ${suites.length} browser suites`)
      // A test named "… (Chromium only)" is skipped elsewhere by design: the run is still whole.
      const byDesign = (t: TestRow) => t.state === 'skipped' && /\((Chromium|Firefox|WebKit) only\)$/.test(t.name)
      if (tests.some((t) => (t.state === 'skipped' && !byDesign(t)) || t.state === 'pending')) missing.push(`${name} skipped tests`)
      let version = 'unknown'
      try {
        version = (JSON.parse(readFileSync(new URL(`engines/${name}.json`, artifacts), 'utf8')) as { version: string }).version
      } catch {
        missing.push(`${name} never launched`)
      }
      const { label, driver, offline } = describe[name]
      engines.push({ name, label, version, driver: driver(), offline, tests, seconds })
    }
    if (engines.length === 0) return
    writeFileSync(
      new URL('engine-timing.json', artifacts),
      `${JSON.stringify(
        engines.map(({ name, version, seconds }) => ({ name, version, seconds })),
        null,
        2,
      )}\n`,
    )
    if (missing.length > 0) {
      console.info(`e2e: README browser table left as it was (a partial run: ${missing.join('; ')})`)
      return
    }
    const report: Report = { commit: measuredCommit(), engines: engines.map(({ seconds: _seconds, ...engine }) => engine) }
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`)
    console.info(
      updateReadme(report) ? 'e2e: README browser table rewritten from this run' : 'e2e: README browser table unchanged by this run',
    )
  }
}
