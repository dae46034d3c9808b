import { expect, test } from 'vitest'
import { summary, summaryWithMissing } from './stats.js'

test('summary interpolates the median and p95 between the closest ranks', () => {
  const s = summary([40, 10, 30, 20])
  expect(s.median).toBe(25)
  expect(s.p95).toBe(38.5)
  expect([s.min, s.max, s.runs]).toEqual([10, 40, 4])
})

test('summaryWithMissing counts a sample that never happened as slower than all the others', () => {
  const one = summaryWithMissing([10, null, 20])
  expect(one.missing).toBe(1)
  expect(one.median).toBe(20)
  expect(one.p95).toBe(Number.POSITIVE_INFINITY)
  expect(one.max).toBeNull()

  const most = summaryWithMissing([null, 5, null])
  expect(most.median).toBe(Number.POSITIVE_INFINITY)
  expect(most.min).toBe(5)

  expect(summaryWithMissing([3, 1, 2])).toMatchObject({ missing: 0, median: 2, min: 1, max: 3 })
})
