import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readmePath, renderBrowserTable, replaceBrowserTable, reportPath, type Report } from './browser-table.js'

const row = (name: string, state: 'passed' | 'failed' = 'passed') => ({ file: 'logout.test.ts', suite: '', name, state })
const sample: Report = {
  engines: [
    {
      name: 'chromium',
      label: 'Chromium (Debian)',
      version: '1.0',
      driver: 'pw',
      offline: 'browser',
      tests: [row('signs in'), row('offline logout')],
    },
    {
      name: 'webkit',
      label: 'WebKitGTK MiniBrowser (Debian)',
      version: '2.0',
      driver: 'wd',
      offline: 'proxy',
      tests: [row('signs in', 'failed'), row('offline logout at the proxy')],
    },
  ],
}

describe("README's browser table", () => {
  it('is what e2e/browser-table.ts makes of e2e/engines.json, the report the last full e2e run wrote', () => {
    const readme = readFileSync(readmePath, 'utf8')
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report
    expect(report.engines.map((e) => e.name)).toEqual(['chromium', 'firefox', 'webkit'])
    expect(replaceBrowserTable(readme, report), 'run `npx tsx e2e/browser-table.ts`, or the whole `npm test`').toBe(readme)
  })

  it('says per engine and version how many tests passed, marks failures, and names each substitute test', () => {
    const table = renderBrowserTable(sample)
    expect(table).toContain('| Chromium (Debian) | 1.0 | pw | browser | 2 of 2 passed |')
    expect(table).toContain('| WebKitGTK MiniBrowser (Debian) | 2.0 | wd | proxy | 1 of 2 passed, **1 failed** |')
    expect(table).toContain('| logout: signs in | passed | **failed** |')
    expect(table).toContain('| logout: offline logout | passed | passed [1] |')
    expect(table).toContain('1. WebKitGTK MiniBrowser ran it as: "offline logout at the proxy".')
    // A test its file skips in an engine by design is counted as skipped, and its row says so.
    const skipped = renderBrowserTable({
      engines: [{ ...sample.engines[1]!, tests: [row('signs in'), { ...row('insecure context'), state: 'skipped' }] }],
    })
    expect(skipped).toContain('| 1 of 2 passed, 1 skipped |')
    expect(skipped).toContain('| logout: insecure context | skipped |')
  })

  it('touches nothing outside its markers', () => {
    const readme = '# t\n\n<!-- browsers:start -->\nold\n<!-- browsers:end -->\n\nafter\n'
    const next = replaceBrowserTable(readme, sample)
    expect(next.startsWith('# t\n\n<!-- browsers:start -->\n<!-- Written by')).toBe(true)
    expect(next.endsWith('\n<!-- browsers:end -->\n\nafter\n')).toBe(true)
    expect(replaceBrowserTable(next, sample)).toBe(next)
    expect(() => replaceBrowserTable('# t\n', sample)).toThrow(/browsers:start/)
  })
})
