// bench/results/results.json: everything one `npm run bench` measured, as run.ts writes it and
// render.ts reads it back to write results.md again. bench/results/ holds every file the bench
// writes: results.json and results.md (run.ts), encryption.json and encryption.md
// (encryption.ts), size.md (size.ts, which run.ts also calls).
import { fileURLToPath } from 'node:url'

import type { ColdStartResults } from './scenarios/cold-start.js'
import type { CrossTabResults } from './scenarios/cross-tab.js'
import type { FirstLogoutResults } from './scenarios/first-logout.js'
import type { LogoutResults } from './scenarios/logout.js'
import type { LogoutResourcesResults } from './scenarios/logout-resources.js'
import type { StormRow } from './scenarios/refresh-storm.js'
import type { TargetVerdict } from './targets.js'

export const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))

export interface BenchResults {
  /** ISO time the run ended. */
  date: string
  /** The commit measured (dev/commit.ts); absent in results from before it was recorded. */
  commit?: string
  machine: {
    os: string
    cpu: string
    cores: number
    memoryGiB: number
    /** 1-minute load averages: the bench shares its cores with whatever else runs. */
    loadAverage: { start: number; end: number }
  }
  node: string
  /** 'Chromium <version>' */
  chromium: string
  oidcClientTs: string
  axaOidcClient: string
  latencyMs: number
  stormSettleMs: number
  durationSeconds: number
  logout: LogoutResults
  targets: TargetVerdict[]
  /** Logout with two resources beside its floor (absent from results written before it existed). */
  logoutResources?: LogoutResourcesResults
  /** The first logout after start (absent from results written before it was measured). */
  firstLogout?: FirstLogoutResults
  crossTab: CrossTabResults
  refreshStorm: StormRow[]
  coldStart: ColdStartResults
}

/**
 * results.json as text: JSON has no Infinity (a figure that never happened within the bound),
 * so it is written as the string "Infinity" and read back as the number.
 */
export function resultsToJson(results: BenchResults): string {
  return `${JSON.stringify(results, (_, value) => (value === Number.POSITIVE_INFINITY ? 'Infinity' : value), 2)}\n`
}

/** The inverse of {@link resultsToJson}; also reads files written before it, where Infinity became null. */
export function resultsFromJson(text: string): BenchResults {
  return JSON.parse(text, (_, value) => {
    if (value === 'Infinity') return Number.POSITIVE_INFINITY
    // A summary with runs missing: its median and p95 were Infinity when they are null now.
    if (value && typeof value === 'object' && typeof value.missing === 'number' && value.runs > 0) {
      for (const key of ['median', 'p95']) if (value[key] === null) value[key] = Number.POSITIVE_INFINITY
    }
    return value
  })
}

/** docs/benchmarks.md's `silent-renew` section from bench/results/silent-renew.md. */
export function silentRenewSection(markdown: string): string {
  return `<!-- Written by bench/silent-renew.ts (npm run bench:silent-renew); do not edit by hand. -->\n\n${markdown.trim()}`
}
