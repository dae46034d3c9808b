// README's "Testing your app" examples under Jest 30 and its jsdom environment, counted in
// `npm test`: this file runs Jest once (jest.config.js, in band: one process, which ends with
// the run) and turns each Jest test into a test here. Jest runs the very files of test/readme/
// that Vitest runs, with `vitest` mapped to Jest's globals.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
const examples = ['react-app.test.tsx', 'vue-app.test.ts']

interface JestReport {
  success: boolean
  numTotalTests: number
  testResults: Array<{
    name: string
    message: string
    assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>
  }>
}

async function runJest(): Promise<JestReport> {
  const out = mkdtempSync(join(tmpdir(), 'tokenwarden-jest-'))
  const file = join(out, 'report.json')
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          join(root, 'node_modules/jest/bin/jest.js'),
          '--config',
          join(root, 'jest.config.js'),
          '--ci',
          '--runInBand',
          '--json',
          `--outputFile=${file}`,
        ],
        { cwd: root, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        // Jest exits 1 when a test fails: the report says which, below.
        (error, _stdout, stderr) => (error && error.code !== 1 ? reject(new Error(`jest: ${error.message}\n${stderr}`)) : resolve()),
      )
    })
    return JSON.parse(readFileSync(file, 'utf8')) as JestReport
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

const report = await runJest()

describe('under Jest 30 (jsdom, tokenwarden/testing/jest-setup)', () => {
  it('ran every file, each with tests', () => {
    expect(report.testResults.map((file) => file.message)).toEqual(examples.map(() => ''))
    expect(report.testResults.map((file) => file.name.slice(root.length + 1)).sort()).toEqual(examples.map((name) => `test/readme/${name}`))
    expect(report.numTotalTests).toBeGreaterThanOrEqual(6)
  })

  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      it(`${file.name.slice(root.length + 1)}: ${test.fullName}`, () => {
        expect(test.failureMessages.join('\n')).toBe('')
        expect(test.status).toBe('passed')
      })
    }
  }
})
