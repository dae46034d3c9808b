import { expect, test } from 'vitest'
import { replaceSection } from './update-readme.js'

const results =
  '# Benchmarks\n\n_Written by `npm run bench` (bench/run.ts); do not edit by hand._\n\nMeasured today.\n\n## Speed\n\n| a | b |\n'

test('rewrites only what lies between the markers, headings one level down', () => {
  const readme = '# tokenwarden\n\n## Benchmarks\n\n<!-- bench:start -->\nold figures\n<!-- bench:end -->\n\n## After\n'
  const next = replaceSection(readme, results)
  expect(next.startsWith('# tokenwarden\n\n## Benchmarks\n\n<!-- bench:start -->\n')).toBe(true)
  expect(next.endsWith('<!-- bench:end -->\n\n## After\n')).toBe(true)
  expect(next).toContain('### Speed')
  expect(next).toContain('Measured today.')
  expect(next).not.toContain('old figures')
  expect(next.match(/Benchmarks/g)).toHaveLength(1)
  expect(replaceSection(next, results)).toBe(next)
})

test('fails with a clear message when the markers are missing', () => {
  expect(() => replaceSection('# tokenwarden\n', results)).toThrow(/bench:start/)
  expect(() => replaceSection('<!-- bench:end -->\n<!-- bench:start -->\n', results)).toThrow(/out of order/)
})
