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

/**
 * Like summary(), for samples where `null` means "did not happen within the bound": those
 * count as slower than everything, so a median or p95 that lands on one is Infinity.
 * @param {Array<number | null>} samples
 */
export function summaryWithMissing(samples) {
  const present = samples.filter((s) => s !== null)
  const missing = samples.length - present.length
  const sorted = [...present].sort((a, b) => a - b)
  const at = (p) => {
    if (samples.length === 0) return Number.NaN
    const rank = (p / 100) * (samples.length - 1)
    const high = Math.ceil(rank)
    if (high >= sorted.length) return Number.POSITIVE_INFINITY
    const low = Math.floor(rank)
    return round(sorted[low] + (sorted[high] - sorted[low]) * (rank - low))
  }
  return {
    runs: samples.length,
    missing,
    median: at(50),
    p95: at(95),
    min: present.length ? round(sorted[0]) : null,
    max: missing ? null : present.length ? round(sorted[sorted.length - 1]) : null,
    samples: samples.map((s) => (s === null ? null : round(s))),
  }
}

/**
 * results.json as text: JSON has no Infinity (a figure that never happened within the bound),
 * so it is written as the string "Infinity" and read back as the number.
 */
export function resultsToJson(results) {
  return `${JSON.stringify(results, (_, value) => (value === Number.POSITIVE_INFINITY ? 'Infinity' : value), 2)}\n`
}

/** The inverse of {@link resultsToJson}; also reads files written before it, where Infinity became null. */
export function resultsFromJson(text) {
  return JSON.parse(text, (_, value) => {
    if (value === 'Infinity') return Number.POSITIVE_INFINITY
    // A summary with runs missing: its median and p95 were Infinity when they are null now.
    if (value && typeof value === 'object' && typeof value.missing === 'number' && value.runs > 0) {
      for (const key of ['median', 'p95']) if (value[key] === null) value[key] = Number.POSITIVE_INFINITY
    }
    return value
  })
}
