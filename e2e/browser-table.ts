// The README's "Tested end to end" table, from e2e/engines.json, which the e2e run itself
// writes (e2e/engine-reporter.ts) when it has run every browser suite in every engine; written
// between README's `browsers` markers (dev/readme.ts). `npx tsx e2e/browser-table.ts`
// re-applies the last report; e2e/browser-table.test.ts keeps README and report in sync.
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { EngineName } from '../dev/browsers/index.js'
import { readmePath, replaceBetweenMarkers, rewriteReadmeSection } from '../dev/readme.js'

export { readmePath }
export const reportPath = fileURLToPath(new URL('./engines.json', import.meta.url))
const command = 'npx tsx e2e/browser-table.ts'

export interface TestRow {
  file: string
  /** The describe blocks inside the file's engine block, joined with ': ' ('' when none). */
  suite: string
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
}
export interface EngineReport {
  name: EngineName
  label: string
  version: string
  driver: string
  offline: string
  tests: TestRow[]
}
export interface Report {
  /** The commit the run tested (dev/commit.ts); absent in reports from before it was recorded. */
  commit?: string
  engines: EngineReport[]
}

/** What a test's state is called in the table. */
const stateText: Record<TestRow['state'], string> = { passed: 'passed', failed: '**failed**', skipped: 'skipped', pending: 'not run' }

function summary(engine: EngineReport) {
  const passed = engine.tests.filter((t) => t.state === 'passed').length
  const failed = engine.tests.filter((t) => t.state === 'failed').length
  // Skipped: the file skips it in this engine by design (its row says why); not run: anything else.
  const skipped = engine.tests.filter((t) => t.state === 'skipped').length
  const other = engine.tests.length - passed - failed - skipped
  return `${passed} of ${engine.tests.length} passed${failed ? `, **${failed} failed**` : ''}${skipped ? `, ${skipped} skipped` : ''}${other ? `, ${other} not run` : ''}`
}

const cell = (text: string) => text.replaceAll('|', '\\|')

/** The section between the README's `browsers` markers. */
export function renderBrowserTable(report: Report): string {
  const [first, ...others] = report.engines
  if (!first) throw new Error('e2e/engines.json lists no engine')
  const lines = [
    '<!-- Written by e2e/browser-table.ts from e2e/engines.json, which `npm test` writes after running every browser suite in every engine; do not edit by hand. -->',
    '',
    ...(report.commit ? [`Run at commit \`${report.commit}\`.`, ''] : []),
    '| Engine | Version | Driven by | Offline by | End-to-end tests |',
    '| --- | --- | --- | --- | --- |',
    ...report.engines.map((e) => `| ${cell(e.label)} | ${cell(e.version)} | ${cell(e.driver)} | ${cell(e.offline)} | ${summary(e)} |`),
    '',
    `| Scenario | ${report.engines.map((e) => cell(e.label.split(' (')[0] ?? e.name)).join(' | ')} |`,
    `| --- |${report.engines.map(() => ' --- |').join('')}`,
  ]
  const notes: string[] = []
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

export function replaceBrowserTable(readme: string, report: Report): string {
  return replaceBetweenMarkers(readme, 'browsers', renderBrowserTable(report), command)
}

/** Rewrites README.md from the report (default: e2e/engines.json); says whether anything changed. */
export function updateReadme(report: Report = JSON.parse(readFileSync(reportPath, 'utf8'))): boolean {
  return rewriteReadmeSection('browsers', renderBrowserTable(report), command)
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
