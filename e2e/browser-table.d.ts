// Types of e2e/browser-table.js (plain ESM, also run by node directly).

export interface TestRow {
  file: string
  /** The describe blocks inside the file's engine block, joined with ': ' ('' when none). */
  suite: string
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
}
export interface EngineReport {
  name: 'chromium' | 'firefox' | 'webkit'
  label: string
  version: string
  driver: string
  offline: string
  tests: TestRow[]
}
export interface Report {
  engines: EngineReport[]
}
export const reportPath: string
export const readmePath: string
export function renderBrowserTable(report: Report): string
export function replaceBrowserTable(readme: string, report: Report): string
/** Rewrites README.md from the report (default: e2e/engines.json); true when it changed. */
export function updateReadme(report?: Report): boolean
