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

test('the dependency baseline is what src/ really imports, type-only imports left out', () => {
  expect(Object.keys(report.dependencies.used).sort()).toEqual(['idb-keyval', 'ky', 'oidc-client-ts'])
  expect(report.dependencies.used['oidc-client-ts']).toContain('OidcClient')
  expect(report.dependencies.used['oidc-client-ts']).not.toContain('StateStore')
  expect(report.ownCode.gzip).toBeGreaterThan(0)
})
