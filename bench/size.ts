// Bundle-size budgets: each entry bundled and minified the way an app's production build
// would take it, *with* oidc-client-ts, ky and idb-keyval inside (an app ships them because
// of us), react and vue left out (the app has them anyway). Measured gzip (level 9) and
// brotli (quality 11) with node:zlib.
//
//   npm run size (tsx bench/size.ts)  prints the table, writes bench/results/size.md, exits 1 over budget
//   import { measureSizes } …         the same, for bench/size.test.ts and bench/run.ts
//
// Budgets live in package.json under "sizeLimits" (bytes):
//   { "core": { "gzip": 27500 }, "react": { "gzip": 1000, "relativeTo": "core" }, … }
// An entry with `relativeTo` is measured as (that entry + the other) minus the other alone:
// what the binding adds on top of the core an app already bundles.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build, type Rolldown } from 'vite'
import { sourceAliases, srcDir } from '../dev/sources.js'
import { resultsDir } from './results-file.js'

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

export interface SizeReport {
  entries: SizeEntry[]
  /** The bundle of exactly what src/ imports from oidc-client-ts, ky and idb-keyval. */
  dependencies: { size: Size; used: Record<string, string[]> }
  /** core minus dependencies alone. */
  ownCode: Size
  ok: boolean
}

/** The app's own frameworks: never counted. */
const isFramework = (id: string) => /^(react|react-dom|vue|rxjs)(\/|$)/.test(id) || id.startsWith('@vue/') || id.startsWith('@angular/')

const VIRTUAL = '\0tokenwarden-size:'

/**
 * Bundles `code` (an ES module, as if it were an app's entry file in the repository root)
 * with everything it imports except the frameworks; returns the minified bytes.
 */
async function bundle(code: string) {
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
      sourcemap: false,
      reportCompressedSize: false,
      copyPublicDir: false,
      lib: { entry: 'size-entry', formats: ['es'], fileName: 'entry' },
      rolldownOptions: { external: isFramework },
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
  const bytesOf = (name: string) => Buffer.from(byName.get(name)!.code)
  // What an app loads at start is the entry chunk *and the chunks it imports statically*
  // (a bundler splits out code the entry shares with a lazy chunk; that code still loads at
  // start). Dynamically imported chunks are measured apart, each with what it adds on top of
  // the start, and shown, never hidden.
  const start = closure(entries[0]!)
  const lazy = chunks
    .filter((chunk) => chunk.isDynamicEntry && !start.has(chunk.fileName))
    .map((chunk) => ({
      module: relative(root, chunk.facadeModuleId ?? chunk.fileName),
      chunks: [...closure(chunk)].filter((name) => !start.has(name)).map(bytesOf),
    }))
  return { start: [...start].map(bytesOf), lazy }
}

/** Each file compressed on its own, as a server sends it; the figures are the sums. */
function measure(files: Buffer[]): Size {
  const sizes = files.map(measureOne)
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
 */
const LAZY: Record<string, { name: string; what: string }> = {
  'src/protocol/oidc.ts': {
    name: 'oidc',
    what: 'loaded on first sign-in, callback, refresh or end-session URL (prefetched when idle in a signed-in tab), with oidc-client-ts',
  },
  'src/protocol/dpop.ts': { name: 'dpop', what: 'loaded at start, only with `dpop: true`' },
  'src/resources.ts': { name: 'resources', what: "loaded on first use of a declared resource's token (RFC 8707)" },
}

/** The budgets from package.json. */
export function readBudgets(): Record<string, SizeBudget> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { sizeLimits?: Record<string, SizeBudget> }
  const limits = pkg.sizeLimits
  if (!limits || typeof limits !== 'object') throw new Error('size: package.json has no "sizeLimits" field')
  return limits
}

/** Measures every entry and checks it against its budget. */
export async function measureSizes(): Promise<SizeReport> {
  const budgets = readBudgets()
  const deps = dependencyEntry()
  const [core, react, vue, angular, depsOnly] = await Promise.all([
    bundle(`export * from 'tokenwarden'\n`),
    bundle(`export * from 'tokenwarden'\nexport * from 'tokenwarden/react'\n`),
    bundle(`export * from 'tokenwarden'\nexport * from 'tokenwarden/vue'\n`),
    bundle(`export * from 'tokenwarden'\nexport * from 'tokenwarden/angular'\n`),
    bundle(deps.code),
  ])
  const unknown = core.lazy.filter((chunk) => !LAZY[chunk.module])
  if (unknown.length) throw new Error(`size: lazy chunk(s) with no row in LAZY: ${unknown.map((chunk) => chunk.module).join(', ')}`)
  const sizes = {
    core: measure(core.start),
    react: measure(react.start),
    vue: measure(vue.start),
    angular: measure(angular.start),
    deps: measure(depsOnly.start),
  }
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
    ...lazy,
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
  const everything = measure([Buffer.concat([...core.start, ...core.lazy.flatMap((chunk) => chunk.chunks)])])
  const ownCode = minus(everything, sizes.deps)
  return {
    entries,
    dependencies: { size: sizes.deps, used: deps.used },
    ownCode,
    ok: entries.every((row) => row.over.length === 0),
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`
const signed = (bytes: number) => (bytes < 0 ? `−${kB(-bytes)}` : kB(bytes))

export function sizeTable(report: SizeReport): string {
  const lines = ['| Entry | Measures | Minified | Gzip | Brotli | Budget (gzip) | |', '|---|---|---:|---:|---:|---:|---|']
  for (const row of report.entries) {
    const limit = row.budget?.gzip !== undefined ? `≤ ${kB(row.budget.gzip)}` : '—'
    lines.push(
      `| ${row.name} (\`${row.entry}\`) | ${row.what} | ${signed(row.size.minified)} | ${signed(row.size.gzip)} | ${signed(row.size.brotli)} | ${limit} | ${row.over.length ? `**over: ${row.over.join(', ')}**` : 'ok'} |`,
    )
  }
  const d = report.dependencies.size
  const o = report.ownCode
  lines.push(
    `| dependencies alone | what src/ imports from oidc-client-ts, ky, idb-keyval | ${kB(d.minified)} | ${kB(d.gzip)} | ${kB(d.brotli)} | | |`,
    `| tokenwarden's own code | core and every lazy chunk as one file, minus dependencies alone | ${signed(o.minified)} | ${signed(o.gzip)} | ${signed(o.brotli)} | | |`,
  )
  const used = Object.entries(report.dependencies.used)
    .map(([from, names]) => `${from}: ${names.join(', ')}`)
    .join('; ')
  return [
    ...lines,
    '',
    `Bundled with Vite's \`build()\` (lib mode, ES module, minified, target es2022; react and vue external), compressed with node:zlib (gzip level 9, brotli quality 11), each chunk on its own (a row sums its chunks). 1 kB = 1000 bytes. Budgets: \`sizeLimits\` in package.json. Dependencies as src/ imports them: ${used}.`,
  ].join('\n')
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url
if (isMain) {
  const report = await measureSizes()
  const table = sizeTable(report)
  const out = `${resultsDir}size.md`
  writeFileSync(out, `# Bundle sizes\n\nWritten by \`npm run size\` (bench/size.ts); do not edit by hand.\n\n${table}\n`)
  console.log(table)
  console.log(`\nwritten: ${relative(process.cwd(), out)}`)
  if (!report.ok) {
    console.error('\nsize: over budget')
    process.exitCode = 1
  }
}
