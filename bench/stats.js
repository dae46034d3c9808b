// Summaries of timed samples, shared by the scenarios and the report.

/** Percentile by linear interpolation between the closest ranks (numpy's default). */
export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low)
}

const round = (n) => Math.round(n * 100) / 100

/** @param {number[]} samples */
export function summary(samples) {
  return {
    runs: samples.length,
    median: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    samples: samples.map(round),
  }
}

/** @param {number[]} values */
export function mean(values) {
  return values.length ? round(values.reduce((a, b) => a + b, 0) / values.length) : null
}
