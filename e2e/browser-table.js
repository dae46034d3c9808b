// The README's "Tested end to end" table, from e2e/engines.json, which the e2e run itself
// writes (e2e/engine-reporter.ts) when it has run every browser suite in every engine. Uses
// the README section mechanism of bench/update-readme.js. `node e2e/browser-table.js`
// re-applies the last report; e2e/browser-table.test.ts keeps README and report in sync.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { replaceBetweenMarkers } from '../bench/update-readme.js'

export const reportPath = fileURLToPath(new URL('./engines.json', import.meta.url))
export const readmePath = fileURLToPath(new URL('../README.md', import.meta.url))

/** What a test's state is called in the table. */
const stateText = { passed: 'passed', failed: '**failed**', skipped: 'skipped', pending: 'not run' }

/**
 * @typedef {{ file: string, suite: string, name: string, state: 'passed' | 'failed' | 'skipped' | 'pending' }} TestRow
 * @typedef {{ name: string, label: string, version: string, driver: string, offline: string, tests: TestRow[] }} EngineReport
 * @typedef {{ engines: EngineReport[] }} Report
 */

/** @param {EngineReport} engine */
function summary(engine) {
  const passed = engine.tests.filter((t) => t.state === 'passed').length
  const failed = engine.tests.filter((t) => t.state === 'failed').length
  const other = engine.tests.length - passed - failed
  return `${passed} of ${engine.tests.length} passed${failed ? `, **${failed} failed**` : ''}${other ? `, ${other} not run` : ''}`
}

/** @param {string} text */
const cell = (text) => text.replaceAll('|', '\\|')

/**
 * The section between the README's `browsers` markers.
 * @param {Report} report
 */
export function renderBrowserTable(report) {
  const [first, ...others] = report.engines
  if (!first) throw new Error('e2e/engines.json lists no engine')
  const lines = [
    '<!-- Written by e2e/browser-table.js from e2e/engines.json, which `npm test` writes after running every browser suite in every engine; do not edit by hand. -->',
    '',
    '| Engine | Version | Driven by | Offline by | End-to-end tests |',
    '| --- | --- | --- | --- | --- |',
    ...report.engines.map((e) => `| ${cell(e.label)} | ${cell(e.version)} | ${cell(e.driver)} | ${cell(e.offline)} | ${summary(e)} |`),
    '',
    `| Scenario | ${report.engines.map((e) => cell(e.label.split(' (')[0] ?? e.name)).join(' | ')} |`,
    `| --- |${report.engines.map(() => ' --- |').join('')}`,
  ]
  /** @type {string[]} */
  const notes = []
  // The same file runs in every engine, test for test: rows line up by file and position.
  for (const test of first.tests) {
    const cells = report.engines.map((engine) => {
      const position = first.tests.filter((t) => t.file === test.file).indexOf(test)
      const same = engine.tests.filter((t) => t.file === test.file)[position]
      if (!same) return 'not run'
      const text = stateText[same.state] ?? same.state
      if (engine === first || same.name === test.name) return text
      notes.push(`${engine.label.split(' (')[0]} ran it as: "${same.name}".`)
      return `${text} [${notes.length}]`
    })
    const scenario = `${test.file.replace(/\.test\.ts$/, '')}: ${test.suite ? `${test.suite}: ` : ''}${test.name}`
    lines.push(`| ${cell(scenario)} | ${cells.join(' | ')} |`)
  }
  if (others.some((e) => e.tests.length !== first.tests.length))
    notes.push('The engines ran different numbers of tests: rows follow the first engine.')
  if (notes.length) lines.push('', ...notes.map((note, i) => `${i + 1}. ${cell(note)}`))
  return lines.join('\n')
}

/**
 * @param {string} readme
 * @param {Report} report
 */
export function replaceBrowserTable(readme, report) {
  return replaceBetweenMarkers(readme, 'browsers', renderBrowserTable(report), 'node e2e/browser-table.js')
}

/** Rewrites README.md from the report; says whether anything changed. */
export function updateReadme(report = JSON.parse(readFileSync(reportPath, 'utf8'))) {
  const readme = readFileSync(readmePath, 'utf8')
  const next = replaceBrowserTable(readme, report)
  if (next !== readme) writeFileSync(readmePath, next)
  return next !== readme
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url
if (isMain) {
  try {
    console.log(updateReadme() ? 'README.md: browser table rewritten from e2e/engines.json' : 'README.md: browser table already up to date')
  } catch (error) {
    console.error(`browser-table: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
