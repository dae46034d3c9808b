// Types of bench/stats.js (plain ESM, run by node directly).

export interface Summary {
  runs: number
  median: number
  p95: number
  min: number
  max: number
  samples: number[]
}

export interface SummaryWithMissing {
  runs: number
  /** Samples that did not happen within the bound. */
  missing: number
  /** Infinity when it lands on a missing sample. */
  median: number
  p95: number
  min: number | null
  /** null when a sample is missing. */
  max: number | null
  samples: Array<number | null>
}

export function percentile(samples: number[], p: number): number
export function summary(samples: number[]): Summary
export function summaryWithMissing(samples: Array<number | null>): SummaryWithMissing
export function mean(values: number[]): number | null
export function resultsToJson(results: unknown): string
export function resultsFromJson(text: string): unknown
