// Bundle-size budgets: each entry bundled and minified the way an app's production build
// would take it, *with* oidc-client-ts, ky and idb-keyval inside (an app ships them because
// of us), react and vue left out (the app has them anyway). Measured gzip (level 9) and
// brotli (quality 11) with node:zlib.
//
//   npm run size (tsx bench/size.ts)  prints the tables, writes bench/results/size.md and README's
//                                     "Bundle size" section, exits 1 over budget
//   import { measureSizes } …         the same, for bench/size.test.ts and bench/run.ts
//
// Besides the budgets: the whole lifecycle (start and the lazy chunks sign-in, refresh and
// logout load), the same lifecycle in the libraries we compare with (bench/size-peers.ts),
// targets shown but not enforced, and every byte of the core and its lazy chunks given to the
// src/ file or dependency that produced it, read from the bundle's source map
// (bench/attribution.ts).
//
// Budgets live in package.json under "sizeLimits" (bytes):
//   { "core": { "gzip": 27500 }, "react": { "gzip": 1000, "relativeTo": "core" }, … }
// An entry with `relativeTo` is measured as (that entry + the other) minus the other alone:
// what the binding adds on top of the core an app already bundles.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { RawSourceMapInput } from 'source-map-js'
import { build, type Rolldown } from 'vite'
import { measuredCommit } from '../dev/commit.js'
import { benchmarksPath, rewriteReadmeSection } from '../dev/readme.js'
import { sourceAliases, srcDir } from '../dev/sources.js'
import { attribute, ownerOf, type Share, UNMAPPED } from './attribution.js'
import { resultsDir } from './results-file.js'
import { type LifecycleEntry, PEERS, TOKENWARDEN_LIFECYCLE } from './size-peers.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const DEPENDENCIES = ['oidc-client-ts', 'ky', 'idb-keyval']

export interface Size {
  /** Bytes of the minified bundle. */
  minified: number
  gzip: number
  brotli: number
}

export interface SizeBudget {
  gzip?: number
  brotli?: number
  minified?: number
  /** Measured as (this entry + that one) minus that one alone. */
  relativeTo?: string
}

export interface SizeEntry {
  /** `core` (what an app loads at start), a binding, or a chunk loaded on demand (`dpop`, …). */
  name: string
  entry: string
  what: string
  size: Size
  budget: SizeBudget | null
  /** Human-readable budget violations; empty when within budget. */
  over: string[]
}

export interface PeerSize {
  name: string
  version: string
  /** What the entry imports and calls. */
  imports: string
  size: Size
}

/** A goal shown beside the figure it judges; not a budget (a miss does not fail). */
export interface SizeTarget {
  what: string
  /** Bytes of gzip. */
  bound: number
  measured: number
  pass: boolean
}

export interface BreakdownRow {
  /** A src/ file, a dependency (by package name), or the bundler's own code. */
  owner: string
  /** Gzip bytes by group (`core`, then each lazy chunk by name); not rounded. */
  gzip: Record<string, number>
  /** Minified bytes over every group. */
  minified: number
}

export interface SizeReport {
  entries: SizeEntry[]
  /** The lifecycle of bench/size-peers.ts in each library, bundled the same way as ours. */
  peers: PeerSize[]
  targets: SizeTarget[]
  /** Who owns the bytes of the core and of each lazy chunk; biggest first. */
  breakdown: { groups: string[]; rows: BreakdownRow[] }
  /** The bundle of exactly what src/ imports from oidc-client-ts, ky and idb-keyval. */
  dependencies: { size: Size; used: Record<string, string[]> }
  /** core minus dependencies alone. */
  ownCode: Size
  /** The files of the core (the entry and the chunks it imports statically), by name. */
  coreFiles: string[]
  ok: boolean
}

/** The app's own frameworks: never counted. */
const isFramework = (id: string) => /^(react|react-dom|vue|rxjs)(\/|$)/.test(id) || id.startsWith('@vue/') || id.startsWith('@angular/')

const VIRTUAL = '\0tokenwarden-size:'

/** One output file: its minified bytes, and its source map when asked for. */
interface Piece {
  bytes: Buffer
  map: RawSourceMapInput | null
}

/** Where the bundle's source maps say their paths start from: Vite's default outDir. */
const mapDir = join(root, 'dist')

/**
 * Bundles `code` (an ES module, as if it were an app's entry file in the repository root)
 * with everything it imports except the frameworks; returns the minified bytes, split into
 * what loads at start and each chunk loaded on demand.
 */
async function bundle(code: string, { sourcemap = false } = {}) {
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    publicDir: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    resolve: { alias: sourceAliases },
    plugins: [
      {
        name: 'tokenwarden-size-entry',
        resolveId: (id: string) => (id === 'size-entry' || id.endsWith('/size-entry') ? VIRTUAL : undefined),
        load: (id: string) => (id === VIRTUAL ? code : undefined),
      },
    ],
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      sourcemap,
      reportCompressedSize: false,
      copyPublicDir: false,
      lib: { entry: 'size-entry', formats: ['es'], fileName: 'entry' },
      // As the package is built (vite.config.ts): a module shared by the entry and a lazy chunk
      // stays in the entry, not in a file of its own.
      rolldownOptions: { external: isFramework, preserveEntrySignatures: 'allow-extension' },
    },
  })
  const outputs = (Array.isArray(output) ? output : [output]) as Array<Rolldown.RolldownOutput | object>
  const chunks = outputs
    .flatMap((o) => ('output' in o ? o.output : []))
    .filter((file): file is Rolldown.OutputChunk => file.type === 'chunk')
  const entries = chunks.filter((chunk) => chunk.isEntry)
  if (entries.length !== 1) throw new Error(`size: expected one entry chunk, got ${entries.length}`)
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]))
  /** A chunk and every chunk it imports statically: what loading it really downloads. */
  const closure = (chunk: Rolldown.OutputChunk, seen = new Set<string>()) => {
    if (seen.has(chunk.fileName)) return seen
    seen.add(chunk.fileName)
    for (const name of chunk.imports) {
      const imported = byName.get(name)
      if (imported) closure(imported, seen) // else external (react, vue)
    }
    return seen
  }
  // One Piece per file, so a file two lazy chunks share is one object and counted once where
  // rows are combined (the lifecycle, own code).
  const pieces = new Map<string, Piece>()
  const bytesOf = (name: string): Piece => {
    const chunk = byName.get(name)!
    // With source maps on, the chunk ends with a comment pointing at its map: not app code.
    const text = sourcemap ? chunk.code.replace(/\n*\/\/# sourceMappingURL=\S+\s*$/, '\n') : chunk.code
    const piece = pieces.get(name) ?? {
      bytes: Buffer.from(text),
      map: sourcemap && chunk.map ? (chunk.map as unknown as RawSourceMapInput) : null,
    }
    pieces.set(name, piece)
    return piece
  }
  // What an app loads at start is the entry chunk *and the chunks it imports statically*
  // (with lib mode's default, a bundler splits out code the entry shares with a lazy chunk;
  // that code still loads at start). Dynamically imported chunks are measured apart, each with what it adds on top of
  // the start, and shown, never hidden.
  const start = closure(entries[0]!)
  const lazy = chunks
    .filter((chunk) => chunk.isDynamicEntry && !start.has(chunk.fileName))
    .map((chunk) => ({
      module: relative(root, chunk.facadeModuleId ?? chunk.fileName),
      chunks: [...closure(chunk)].filter((name) => !start.has(name)).map(bytesOf),
    }))
  return { start: [...start].map(bytesOf), startFiles: [...start].sort(), lazy }
}

/** Each file compressed on its own, as a server sends it; the figures are the sums. */
function measure(files: Piece[]): Size {
  const sizes = files.map((file) => measureOne(file.bytes))
  return {
    minified: sizes.reduce((sum, size) => sum + size.minified, 0),
    gzip: sizes.reduce((sum, size) => sum + size.gzip, 0),
    brotli: sizes.reduce((sum, size) => sum + size.brotli, 0),
  }
}

function measureOne(bytes: Buffer): Size {
  return {
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  }
}

const minus = (a: Size, b: Size): Size => ({ minified: a.minified - b.minified, gzip: a.gzip - b.gzip, brotli: a.brotli - b.brotli })

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/**
 * What src/ takes from the three dependencies at runtime (type-only imports left out),
 * read from its import statements, as one module that re-exports exactly that.
 */
export function dependencyEntry(): { code: string; used: Record<string, string[]> } {
  const used = new Map<string, Set<string>>()
  const pattern = /import\s+(type\s+)?([^;]*?)\s+from\s+['"]([^'"]+)['"]/g
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8')
    for (const [, typeOnly, clause, from] of text.matchAll(pattern)) {
      if (typeOnly || !clause || !from || !DEPENDENCIES.includes(from)) continue
      const names = used.get(from) ?? new Set<string>()
      used.set(from, names)
      const braces = clause.match(/\{([^}]*)\}/)
      const head = clause
        .replace(/\{[^}]*\}/, '')
        .replace(/,/g, ' ')
        .trim()
      if (head.startsWith('* as')) names.add('*')
      else if (head) names.add('default')
      for (const part of braces?.[1]?.split(',') ?? []) {
        const name = part.trim()
        if (!name || name.startsWith('type ')) continue
        names.add(name.split(/\s+as\s+/)[0]!.trim())
      }
    }
  }
  let counter = 0
  const lines: string[] = []
  for (const [from, names] of used) {
    for (const name of names) {
      const alias = `d${counter++}`
      if (name === '*') lines.push(`export * as ${alias} from '${from}'`)
      else lines.push(`export { ${name} as ${alias} } from '${from}'`)
    }
  }
  return { code: `${lines.join('\n')}\n`, used: Object.fromEntries([...used].map(([k, v]) => [k, [...v].sort()])) }
}

/**
 * The chunks loaded on demand, by the module a dynamic import names. A new lazy chunk fails
 * the measurement until it has a row here (and a budget in package.json): none goes unseen.
 * `lifecycle`: whether sign-in → refresh → logout loads it, so the lifecycle row counts it.
 */
const LAZY: Record<string, { name: string; what: string; lifecycle: boolean }> = {
  'src/protocol/oidc.ts': {
    name: 'oidc',
    what: 'loaded on first sign-in, callback, refresh or end-session URL (prefetched when idle in a signed-in tab), with oidc-client-ts',
    lifecycle: true,
  },
  'src/sign-in.ts': { name: 'sign-in', what: 'loaded on `login()` and `handleCallback()`, beside oidc', lifecycle: true },
  'src/refresh-grant.ts': {
    name: 'refresh',
    what: 'loaded on the first refresh (the grant, silent renewal and the check-and-write), beside oidc',
    lifecycle: true,
  },
  // Not in the lifecycle: it loads only for an app that opts into `dpop: true`, and the
  // lifecycle compared across libraries is plain bearer tokens (most peers have no DPoP).
  'src/protocol/dpop.ts': { name: 'dpop', what: 'loaded at start, only with `dpop: true`', lifecycle: false },
  // Likewise: it loads only for an app that sets an idle limit.
  'src/limits/idle.ts': { name: 'idle', what: 'loaded at start, only with `idleTimeoutSeconds`', lifecycle: false },
  // Not in the lifecycle either: it loads only for an app that declares resources (RFC 8707).
  'src/resources.ts': { name: 'resources', what: "loaded on first use of a declared resource's token (RFC 8707)", lifecycle: false },
}

/**
 * Goals shown beside the figures, with pass or miss; not budgets, so a miss fails nothing.
 * They are the targets of issue 24; the budgets in package.json hold what is reached today.
 */
const TARGETS = { lifecycle: 30_000, core: 22_000, ownCode: 15_000 }

/** The budgets from package.json. */
export function readBudgets(): Record<string, SizeBudget> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { sizeLimits?: Record<string, SizeBudget> }
  const limits = pkg.sizeLimits
  if (!limits || typeof limits !== 'object') throw new Error('size: package.json has no "sizeLimits" field')
  return limits
}

function versionOf(name: string): string {
  // Read from node_modules directly: not every package exports its package.json.
  const path = name === 'tokenwarden' ? join(root, 'package.json') : join(root, 'node_modules', name, 'package.json')
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
}

type Bundle = Awaited<ReturnType<typeof bundle>>

function checkLazy(bundled: Bundle) {
  const unknown = bundled.lazy.filter((chunk) => !LAZY[chunk.module])
  if (unknown.length) throw new Error(`size: lazy chunk(s) with no row in LAZY: ${unknown.map((chunk) => chunk.module).join(', ')}`)
}

/** Start and every lazy chunk the lifecycle loads (each file once). */
function lifecycleFiles(bundled: Bundle): Piece[] {
  const lazy = bundled.lazy.filter((chunk) => LAZY[chunk.module]?.lifecycle).flatMap((chunk) => chunk.chunks)
  return [...new Set([...bundled.start, ...lazy])]
}

/** A peer's lifecycle: start and every lazy chunk, since we cannot tell which ones it loads. */
async function measurePeer(entry: LifecycleEntry): Promise<PeerSize> {
  const bundled = await bundle(entry.code)
  const files = [...new Set([...bundled.start, ...bundled.lazy.flatMap((chunk) => chunk.chunks)])]
  return { name: entry.name, version: versionOf(entry.package), imports: entry.imports, size: measure(files) }
}

/** Who owns the bytes of the core (start) and of each lazy chunk, from their source maps. */
function breakdownOf(bundled: Bundle): SizeReport['breakdown'] {
  const groups: Array<[string, Piece[]]> = [
    ['core', bundled.start],
    ...bundled.lazy.map((chunk): [string, Piece[]] => [LAZY[chunk.module]!.name, chunk.chunks]),
  ]
  const rows = new Map<string, BreakdownRow>()
  const ownerOfSource = (source: string) => ownerOf(source, mapDir, root)
  for (const [group, pieces] of groups) {
    for (const piece of pieces) {
      if (!piece.map) throw new Error('size: the breakdown needs source maps')
      const shares: Map<string, Share> = attribute(piece.bytes.toString(), piece.map, ownerOfSource)
      for (const [owner, share] of shares) {
        const row = rows.get(owner) ?? { owner, gzip: {}, minified: 0 }
        rows.set(owner, row)
        row.gzip[group] = (row.gzip[group] ?? 0) + share.gzip
        row.minified += share.minified
      }
    }
  }
  const total = (row: BreakdownRow) => Object.values(row.gzip).reduce((sum, n) => sum + n, 0)
  return { groups: groups.map(([group]) => group), rows: [...rows.values()].sort((a, b) => total(b) - total(a)) }
}

/** Measures every entry and checks it against its budget. */
export async function measureSizes(): Promise<SizeReport> {
  const budgets = readBudgets()
  const deps = dependencyEntry()
  const [core, react, vue, angular, depsOnly, lifecycle, ...peers] = await Promise.all([
    bundle(`export * from 'tokenwarden'\n`, { sourcemap: true }),
    bundle(`export * from 'tokenwarden'\nexport * from 'tokenwarden/react'\n`),
    bundle(`export * from 'tokenwarden'\nexport * from 'tokenwarden/vue'\n`),
    bundle(`export * from 'tokenwarden'\nexport * from 'tokenwarden/angular'\n`),
    bundle(deps.code),
    bundle(TOKENWARDEN_LIFECYCLE.code),
    ...PEERS.map(measurePeer),
  ] as const)
  checkLazy(core)
  checkLazy(lifecycle)
  const sizes = {
    core: measure(core.start),
    react: measure(react.start),
    vue: measure(vue.start),
    angular: measure(angular.start),
    deps: measure(depsOnly.start),
    lifecycle: measure(lifecycleFiles(lifecycle)),
  }
  const lifecycleChunks = Object.values(LAZY)
    .filter((chunk) => chunk.lifecycle)
    .map((chunk) => chunk.name)
  const lazy = core.lazy.map((chunk) => ({ ...LAZY[chunk.module]!, entry: chunk.module, size: measure(chunk.chunks) }))
  const entries = [
    {
      name: 'core',
      entry: 'src/index.ts',
      what: 'what an app loads at start: the entry chunk and the chunks it imports statically, with ky and idb-keyval',
      size: sizes.core,
    },
    { name: 'react', entry: 'src/react/index.ts', what: 'added on top of core (react not counted)', size: minus(sizes.react, sizes.core) },
    { name: 'vue', entry: 'src/vue/index.ts', what: 'added on top of core (vue not counted)', size: minus(sizes.vue, sizes.core) },
    {
      name: 'angular',
      entry: 'src/angular/index.ts',
      what: 'added on top of core (angular and rxjs not counted)',
      size: minus(sizes.angular, sizes.core),
    },
    ...lazy.map(({ lifecycle: _, ...row }) => row),
    {
      name: 'lifecycle',
      entry: 'bench/size-peers.ts',
      what: `the whole lifecycle, measured as the peers below: an app entry calling \`createSession\`, \`start\`, \`handleCallback\`, \`login\`, \`getAccessToken\`, \`refresh\`, \`logout\`; what it loads at start and the lazy chunks it loads (${lifecycleChunks.join(', ')}), dependencies inside (exports it does not import are dropped, so it can be less than core + ${lifecycleChunks.join(' + ')})`,
      size: sizes.lifecycle,
    },
  ].map((row): SizeEntry => {
    const budget = budgets[row.name]
    const limits = budget
      ? (['gzip', 'brotli', 'minified'] as const).flatMap((key) => (budget[key] === undefined ? [] : [[key, budget[key]] as const]))
      : []
    const over = limits.filter(([key, limit]) => row.size[key] > limit).map(([key, limit]) => `${key} ${row.size[key]} B > ${limit} B`)
    return { ...row, budget: budget ?? null, over }
  })
  // Everything tokenwarden can load (start and every lazy chunk, compressed as one file so the
  // figure does not grow with the number of chunks) minus what the dependencies weigh alone.
  const everything = measure([
    {
      bytes: Buffer.concat([...new Set([...core.start, ...core.lazy.flatMap((chunk) => chunk.chunks)])].map((piece) => piece.bytes)),
      map: null,
    },
  ])
  const ownCode = minus(everything, sizes.deps)
  const target = (what: string, bound: number, measured: number): SizeTarget => ({ what, bound, measured, pass: measured <= bound })
  return {
    entries,
    dependencies: { size: sizes.deps, used: deps.used },
    ownCode,
    peers: [{ ...TOKENWARDEN_LIFECYCLE, version: versionOf('tokenwarden'), size: sizes.lifecycle }, ...peers]
      .map(({ name, version, imports, size }) => ({ name, version, imports, size }))
      .sort((a, b) => a.size.gzip - b.size.gzip),
    targets: [
      target('whole lifecycle (`lifecycle` row)', TARGETS.lifecycle, sizes.lifecycle.gzip),
      target('core at start (`core` row)', TARGETS.core, sizes.core.gzip),
      target("tokenwarden's own code (row below the dependencies)", TARGETS.ownCode, ownCode.gzip),
    ],
    breakdown: breakdownOf(core),
    coreFiles: core.startFiles,
    ok: entries.every((row) => row.over.length === 0),
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`
const signed = (bytes: number) => (bytes < 0 ? `−${kB(-bytes)}` : kB(bytes))
const sizeCells = (size: Size) => `${signed(size.minified)} | ${signed(size.gzip)} | ${signed(size.brotli)}`

/** The budgets table, the targets, the peers and the breakdown, as markdown (headings at `##`). */
export function sizeTable(report: SizeReport): string {
  const lines = ['| Entry | Measures | Minified | Gzip | Brotli | Budget (gzip) | |', '|---|---|---:|---:|---:|---:|---|']
  for (const row of report.entries) {
    const limit = row.budget?.gzip !== undefined ? `≤ ${kB(row.budget.gzip)}` : '—'
    lines.push(
      `| ${row.name} (\`${row.entry}\`) | ${row.what} | ${sizeCells(row.size)} | ${limit} | ${row.over.length ? `**over: ${row.over.join(', ')}**` : 'ok'} |`,
    )
  }
  lines.push(
    `| dependencies alone | what src/ imports from oidc-client-ts, ky, idb-keyval | ${sizeCells(report.dependencies.size)} | | |`,
    `| tokenwarden's own code | core and every lazy chunk as one file, minus dependencies alone | ${sizeCells(report.ownCode)} | | |`,
  )
  const used = Object.entries(report.dependencies.used)
    .map(([from, names]) => `${from}: ${names.join(', ')}`)
    .join('; ')
  return [
    ...lines,
    '',
    `Bundled with Vite's \`build()\` (lib mode, ES module, minified, target es2022; react and vue external), compressed with node:zlib (gzip level 9, brotli quality 11), each chunk on its own (a row sums its chunks). 1 kB = 1000 bytes. Budgets: \`sizeLimits\` in package.json, checked by \`npx vitest run --project size\`. Dependencies as src/ imports them: ${used}.`,
    '',
    '## Targets',
    '',
    'Goals for the gzip figures above, shown with pass or miss; unlike the budgets, a miss fails nothing yet.',
    '',
    '| Target | Bound (gzip) | Measured (gzip) | |',
    '|---|---:|---:|---|',
    ...report.targets.map((t) => `| ${t.what} | ≤ ${kB(t.bound)} | ${kB(t.measured)} | ${t.pass ? 'pass' : '**miss**'} |`),
    '',
    '## The same lifecycle in other libraries',
    '',
    'Each library in an app entry that signs in with PKCE, handles the callback, gets and refreshes an access token and logs out (bench/size-peers.ts), bundled and compressed exactly as the rows above, its own dependencies inside; every chunk it can load is counted. Smallest first.',
    '',
    '| Library | Version | The entry imports and calls | Minified | Gzip | Brotli |',
    '|---|---|---|---:|---:|---:|',
    ...report.peers.map(
      (p) => `| ${p.name === 'tokenwarden' ? '**tokenwarden**' : p.name} | ${p.version} | ${p.imports} | ${sizeCells(p.size)} |`,
    ),
    '',
    '## Where the bytes go',
    '',
    breakdownTable(report.breakdown),
  ].join('\n')
}

/** Who owns each kilobyte: gzip by group, biggest first; src/ files and dependencies summed below. */
export function breakdownTable({ groups, rows }: SizeReport['breakdown']): string {
  const total = (row: BreakdownRow) => groups.reduce((sum, group) => sum + (row.gzip[group] ?? 0), 0)
  const all = rows.reduce((sum, row) => sum + total(row), 0)
  const cell = (n: number | undefined) => (n ? kB(n) : '')
  const line = (label: string, picked: BreakdownRow[]) => {
    const sums = groups.map((group) => picked.reduce((sum, row) => sum + (row.gzip[group] ?? 0), 0))
    const sum = sums.reduce((a, b) => a + b, 0)
    const minified = picked.reduce((a, row) => a + row.minified, 0)
    return `| ${label} | ${sums.map(cell).join(' | ')} | ${kB(sum)} | ${((100 * sum) / all).toFixed(1)} % | ${kB(minified)} |`
  }
  const own = rows.filter((row) => row.owner.startsWith('src/'))
  const bundler = rows.filter((row) => row.owner === UNMAPPED)
  const dependencies = rows.filter((row) => !own.includes(row) && !bundler.includes(row))
  return [
    `Every byte of the core and of each lazy chunk, given to the file that produced it by the bundle's source map (\`build.sourcemap\`): a src/ file, or a dependency by package. A file's gzip share: the chunk's gzip size divided among its owners in proportion to each owner's bytes gzipped alone (bench/attribution.ts), so the shares add up to the rows above; the core's and each lazy chunk's own figures are their columns.`,
    '',
    `| Owner | ${groups.join(' | ')} | Gzip | Share | Minified |`,
    `|---|${groups.map(() => '---:').join('|')}|---:|---:|---:|`,
    ...rows.map((row) =>
      line(
        row.owner.startsWith('src/') || row.owner === UNMAPPED
          ? `\`${row.owner}\``.replace(`\`${UNMAPPED}\``, UNMAPPED)
          : `${row.owner} (dependency)`,
        [row],
      ),
    ),
    line(`**src/, ${own.length} files**`, own),
    line(`**dependencies, ${dependencies.length}**`, dependencies),
    line('**bundler**', bundler),
    line('**all**', rows),
  ].join('\n')
}

/** size.md as `npm run size` writes it. */
export function sizeMarkdown(report: SizeReport, commit?: string): string {
  const measured = commit ? `Measured at commit \`${commit}\`.\n\n` : ''
  return `# Bundle sizes\n\nWritten by \`npm run size\` (bench/size.ts); do not edit by hand.\n\n${measured}${sizeTable(report)}\n`
}

/**
 * README's "Bundle size" section from size.md: the title and "written by" line dropped, the
 * headings two levels down (README's own `### Bundle size` heading sits above the markers).
 */
export function sizeReadmeSection(sizeMd: string): string {
  const body = sizeMd
    .replace(/^# .*\n+/, '')
    .replace(/^Written by .*\n+/m, '')
    .replace(/^(#{2,4}) /gm, '##$1 ')
    .trim()
    // The breakdown is long: folded in the README, open in size.md.
    .replace(/^#### Where the bytes go\n\n([\s\S]*)$/m, '<details><summary>Where the bytes go</summary>\n\n$1\n\n</details>')
  return `<!-- Written by bench/size.ts from bench/results/size.md (npm run size); do not edit by hand. -->\n\n${body}`
}

export const sizeReadmeCommand = 'npm run size'

/** Writes bench/results/size.md and README's section from it; returns the path written. */
export function writeSizeResults(report: SizeReport): string {
  const out = `${resultsDir}size.md`
  const markdown = sizeMarkdown(report, measuredCommit())
  writeFileSync(out, markdown)
  rewriteReadmeSection('size', sizeReadmeSection(markdown), sizeReadmeCommand, benchmarksPath)
  return out
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url
if (isMain) {
  const report = await measureSizes()
  const out = writeSizeResults(report)
  console.log(sizeTable(report))
  console.log(`\nwritten: ${relative(process.cwd(), out)} and README.md's "Bundle size" section`)
  if (!report.ok) {
    console.error('\nsize: over budget')
    process.exitCode = 1
  }
}
