import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, expect, test } from 'vitest'
import { benchmarksPath } from '../dev/readme.js'
import { UNMAPPED } from './attribution.js'
import { resultsDir } from './results-file.js'
import { PEERS } from './size-peers.js'
import { measureSizes, readBudgets, type SizeReport, sizeReadmeSection, sizeTable } from './size.js'

const root = fileURLToPath(new URL('..', import.meta.url))
let report: SizeReport

beforeAll(async () => {
  report = await measureSizes()
  console.log(`\n${sizeTable(report)}\n`)
}, 60_000)

const row = (name: string) => {
  const found = report.entries.find((entry) => entry.name === name)
  if (!found) throw new Error(`no row '${name}'`)
  return found
}

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

test('the lifecycle row counts the oidc, sign-in and refresh chunks and what loads at start, not the opt-in dpop chunk', () => {
  const lifecycle = row('lifecycle').size.gzip
  const [core, dpop] = [row('core').size.gzip, row('dpop').size.gzip]
  const lazy = ['oidc', 'sign-in', 'refresh'].reduce((sum, name) => sum + row(name).size.gzip, 0)
  // All of those chunks, and nearly all of the start: only exports the app does not import
  // can be dropped from it.
  expect(lifecycle).toBeGreaterThan(0.9 * core + lazy)
  // Nothing more: the dpop chunk, which only `dpop: true` loads, is not in it.
  expect(lifecycle).toBeLessThanOrEqual(core + lazy)
  expect(dpop).toBeGreaterThan(0)
  expect(readBudgets().lifecycle?.gzip).toBeTypeOf('number')
})

test('every peer is measured in the same run, with its installed version, and tokenwarden among them', () => {
  const names = report.peers.map((peer) => peer.name)
  expect(names.sort()).toEqual(['tokenwarden', ...PEERS.map((peer) => peer.name)].sort())
  for (const peer of report.peers) {
    const installed = peer.name === 'tokenwarden' ? 'package.json' : `node_modules/${peer.name}/package.json`
    expect(peer.version).toBe(JSON.parse(readFileSync(`${root}${installed}`, 'utf8')).version)
    expect(peer.size.gzip, `${peer.name} measured nothing`).toBeGreaterThan(5000)
    expect(peer.size.brotli).toBeLessThan(peer.size.gzip)
    expect(peer.size.gzip).toBeLessThan(peer.size.minified)
  }
  expect(report.peers.find((peer) => peer.name === 'tokenwarden')?.size).toEqual(row('lifecycle').size)
  const gzip = report.peers.map((peer) => peer.size.gzip)
  expect(gzip).toEqual([...gzip].sort((a, b) => a - b))
})

test('the targets are judged against the measured figures and never fail the budgets', () => {
  expect(report.targets.map((target) => target.bound)).toEqual([30_000, 22_000, 15_000])
  expect(report.targets.map((target) => target.measured)).toEqual([row('lifecycle').size.gzip, row('core').size.gzip, report.ownCode.gzip])
  for (const target of report.targets) expect(target.pass).toBe(target.measured <= target.bound)
  expect(report.ok).toBe(report.entries.every((entry) => entry.over.length === 0))
})

test('the breakdown gives every gzip byte of the core and of each lazy chunk an owner', () => {
  const { groups, rows } = report.breakdown
  expect(groups[0]).toBe('core')
  expect([...groups].sort()).toEqual(['core', 'dpop', 'idle', 'oidc', 'refresh', 'resources', 'sign-in'])
  for (const group of groups) {
    const shares = rows.reduce((sum, r) => sum + (r.gzip[group] ?? 0), 0)
    expect(shares, `${group}: the shares add up to its row`).toBeCloseTo(row(group).size.gzip, 3)
  }
  const minified = rows.reduce((sum, r) => sum + r.minified, 0)
  expect(minified).toBe(groups.reduce((sum, group) => sum + row(group).size.minified, 0))
  for (const r of rows) if (r.owner.startsWith('src/')) expect(existsSync(`${root}${r.owner}`), r.owner).toBe(true)
  const owners = rows.map((r) => r.owner)
  expect(owners).toEqual(expect.arrayContaining(['oidc-client-ts', 'ky', 'idb-keyval', 'src/session.ts', 'src/protocol/oidc.ts']))
  const unmapped = rows.find((r) => r.owner === UNMAPPED)
  expect(unmapped?.minified ?? 0, 'the bundler writes little of its own').toBeLessThan(minified * 0.02)
  const total = (r: (typeof rows)[number]) => Object.values(r.gzip).reduce((sum, n) => sum + n, 0)
  expect(rows.map(total)).toEqual(rows.map(total).sort((a, b) => b - a))
})

test("docs/benchmarks.md's bundle-size section is size.md as written, breakdown folded", () => {
  const sizeMd = readFileSync(`${resultsDir}size.md`, 'utf8')
  const readme = readFileSync(benchmarksPath, 'utf8')
  const section = readme.slice(
    readme.indexOf('<!-- size:start -->\n') + '<!-- size:start -->\n'.length,
    readme.indexOf('\n<!-- size:end -->'),
  )
  expect(section, 'run `npm run size` or `npx tsx bench/update-readme.ts`').toBe(sizeReadmeSection(sizeMd))
  expect(section).toMatch(/^#### Targets$/m)
  expect(section).toContain('<details><summary>Where the bytes go</summary>')
})

test('the core is one file: a module the entry and a lazy chunk both import stays in the entry', () => {
  // Vite's lib mode default ('strict') makes such a module a file of its own, gzipped alone
  // (four such files cost 1.1 kB gzip over one); `preserveEntrySignatures: 'allow-extension'`
  // (vite.config.ts, bench/size.ts) keeps it in the entry, which exports it to the chunk.
  expect(report.coreFiles.map((name) => name.replace(/-[\w-]{8}\.js$/, '.js'))).toEqual(['entry.js'])
})
