// Where the main thread's time goes during a logout: a V8 CPU profile taken through the
// DevTools protocol (the page brackets the logout with console.profile/profileEnd, so the
// profile covers exactly the call up to settling), attributed to source files through the
// bench page's source map (tokenwarden's src/ files, each dependency, the page itself).

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SourceMapConsumer } from 'source-map-js'
import { round } from './stats.js'

/** A V8 CPU profile as the DevTools protocol's `Profiler.consoleProfileFinished` hands it over. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>
  samples?: number[]
  timeDeltas?: number[]
  startTime: number
  endTime: number
}

/** Self time (ms) of one profile, per bucket (a source file, a dependency, the browser) and per function. */
export interface Attribution {
  totalMs: number
  buckets: Map<string, number>
  functions: Map<string, number>
}

/** The bench page's built scripts and their source maps, by file name. */
export function loadSourceMaps(pageOut: string): Map<string, SourceMapConsumer> {
  const dir = join(pageOut, 'assets')
  const maps = new Map<string, SourceMapConsumer>()
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js.map')) continue
    maps.set(name.slice(0, -'.map'.length), new SourceMapConsumer(JSON.parse(readFileSync(join(dir, name), 'utf8'))))
  }
  return maps
}

/** A short label for an original source path from the map. */
function label(source: string): string {
  const path = source.replace(/\\/g, '/')
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  if (dependency) return dependency[1]!
  const own = /(?:^|\/)(src\/.+)$/.exec(path)
  if (own) return `tokenwarden ${own[1]}`
  // The page's own modules (main.ts, measure.ts, adapters/), named from the build's output folder.
  if (/(^|\/)page\//.test(path)) return 'bench page'
  return path
}

/** Self time per bucket of one profile, in ms. */
export function attribute(profile: CpuProfile, maps: Map<string, SourceMapConsumer>): Attribution {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const bucketOf = new Map<number, string>()
  const bucket = (node: CpuProfile['nodes'][number]) => {
    const known = bucketOf.get(node.id)
    if (known !== undefined) return known
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    let name: string
    if (functionName === '(idle)') name = 'idle (waiting: network, IndexedDB, timers)'
    else if (functionName === '(garbage collector)') name = 'garbage collection'
    else if (functionName === '(program)' || functionName === '(root)') name = 'engine and browser work outside JavaScript'
    else if (!url) name = 'browser built-ins'
    else {
      const file = url.split('/').pop()?.split('?')[0] ?? ''
      const map = maps.get(file)
      const original = map?.originalPositionFor({ line: lineNumber + 1, column: columnNumber })
      name = original?.source ? label(original.source) : `script ${file}`
    }
    bucketOf.set(node.id, name)
    return name
  }
  const totals = new Map<string, number>()
  const functions = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // Each sample's time is the gap to the next one (the last one's runs to endTime).
  let t = profile.startTime
  const times = deltas.map((d) => (t += d))
  for (let i = 0; i < samples.length; i += 1) {
    const next = i + 1 < samples.length ? times[i + 1]! : profile.endTime
    const ms = Math.max(0, next - times[i]!) / 1000
    const node = byId.get(samples[i]!)
    if (!node) continue
    const name = bucket(node)
    totals.set(name, (totals.get(name) ?? 0) + ms)
    const fn = `${node.callFrame.functionName || '(anonymous)'} [${name}]`
    functions.set(fn, (functions.get(fn) ?? 0) + ms)
  }
  // The sampled span (the profile's start and end stretch a little beyond the first and last sample).
  const sampledMs = [...totals.values()].reduce((a, b) => a + b, 0)
  return { totalMs: sampledMs, buckets: totals, functions }
}

/** Mean per profile of each bucket across several profiles, largest first. */
export function meanBuckets(attributions: Attribution[]) {
  const n = attributions.length || 1
  const meanOf = (key: 'buckets' | 'functions') => {
    const sums = new Map<string, number>()
    for (const a of attributions) for (const [name, ms] of a[key]) sums.set(name, (sums.get(name) ?? 0) + ms)
    return [...sums].map(([name, ms]) => ({ name, ms: round(ms / n) })).sort((a, b) => b.ms - a.ms)
  }
  return {
    totalMs: round(attributions.reduce((a, b) => a + b.totalMs, 0) / n),
    buckets: meanOf('buckets'),
    // The functions with the most self time (names as the minified bundle has them).
    topFunctions: meanOf('functions')
      .filter((f) => !f.name.startsWith('(idle)'))
      .slice(0, 15),
  }
}
