import { beforeAll, expect, test } from 'vitest'
import { measureSizes, readBudgets, sizeTable, type SizeReport } from './size.js'

let report: SizeReport

beforeAll(async () => {
  report = await measureSizes()
  console.log(`\n${sizeTable(report)}\n`)
}, 60_000)

test('every entry stays within its size budget (package.json "sizeLimits")', () => {
  for (const row of report.entries) expect(row.over, `${row.name} is over budget`).toEqual([])
})

test('budgets cover the core and both bindings, in bytes of gzip', () => {
  const budgets = readBudgets()
  expect(budgets.core?.gzip).toBeTypeOf('number')
  expect(budgets.react).toMatchObject({ relativeTo: 'core' })
  expect(budgets.vue).toMatchObject({ relativeTo: 'core' })
})

test('every chunk loaded on demand is a row of its own, with a budget', () => {
  const budgets = readBudgets()
  const lazy = report.entries.filter((row) => !['core', 'react', 'vue'].includes(row.name))
  expect(lazy.map((row) => row.name)).toContain('dpop')
  for (const row of lazy) expect(budgets[row.name]?.gzip, `${row.name} has no gzip budget`).toBeTypeOf('number')
})

test('the dependency baseline is what src/ really imports, type-only imports left out', () => {
  expect(Object.keys(report.dependencies.used).sort()).toEqual(['idb-keyval', 'ky', 'oidc-client-ts'])
  expect(report.dependencies.used['oidc-client-ts']).toContain('OidcClient')
  expect(report.dependencies.used['oidc-client-ts']).not.toContain('StateStore')
  expect(report.ownCode.gzip).toBeGreaterThan(0)
})
