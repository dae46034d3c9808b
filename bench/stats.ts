// Summaries of timed samples, shared by the scenarios and the report.

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

/** Percentile by linear interpolation between the closest ranks (numpy's default). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low)
}

export const round = (n: number) => Math.round(n * 100) / 100

export function summary(samples: number[]): Summary {
  return {
    runs: samples.length,
    median: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    samples: samples.map(round),
  }
}

export function mean(values: number[]): number | null {
  return values.length ? round(values.reduce((a, b) => a + b, 0) / values.length) : null
}

/**
 * Like summary(), for samples where `null` means "did not happen within the bound": those
 * count as slower than everything, so a median or p95 that lands on one is Infinity.
 */
export function summaryWithMissing(samples: Array<number | null>): SummaryWithMissing {
  const present = samples.filter((s): s is number => s !== null)
  const missing = samples.length - present.length
  const sorted = [...present].sort((a, b) => a - b)
  const at = (p: number) => {
    if (samples.length === 0) return Number.NaN
    const rank = (p / 100) * (samples.length - 1)
    const high = Math.ceil(rank)
    if (high >= sorted.length) return Number.POSITIVE_INFINITY
    const low = Math.floor(rank)
    return round(sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low))
  }
  return {
    runs: samples.length,
    missing,
    median: at(50),
    p95: at(95),
    min: present.length ? round(sorted[0]!) : null,
    max: missing ? null : present.length ? round(sorted[sorted.length - 1]!) : null,
    samples: samples.map((s) => (s === null ? null : round(s))),
  }
}
