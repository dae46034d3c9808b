import { TokenwardenError } from '../errors.js'
import type { Timers } from './timers.js'

/** What a number option may be: at least `min`, at most `max`, whole when `integer`. */
export interface NumberRule {
  min: number
  max?: number
  integer?: boolean
}

/**
 * `value` when it is a finite number within `rule`, else `invalid-options` naming the option
 * and what it must be. The one number validator of `createSession` and `revokeToken`.
 */
export function checkNumber(name: string, value: unknown, rule: NumberRule): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    (rule.max === undefined || value <= rule.max) &&
    (!rule.integer || Number.isInteger(value))
  if (!ok) {
    const range = rule.max === undefined ? `at least ${rule.min}` : `from ${rule.min} to ${rule.max}`
    throw new TokenwardenError(
      'invalid-options',
      `\`${name}\` must be ${rule.integer ? 'a whole number' : 'a finite number'} ${range}; got ${String(value)}.`,
    )
  }
  return value
}

/** `value` when it is a boolean; `fallback` when it is undefined. */
export function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TokenwardenError('invalid-options', `\`${name}\` must be a boolean.`)
  return value
}

/** `value` as an absolute URL; `invalid-options` when it is not one. */
export function checkUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || value === '')
    throw new TokenwardenError('invalid-options', `\`${name}\` must be a non-empty URL string.`)
  try {
    return new URL(value)
  } catch (cause) {
    throw new TokenwardenError('invalid-options', `\`${name}\` is not an absolute URL: ${JSON.stringify(value)}.`, { cause })
  }
}

/** `value` when it is a function, undefined when absent; `invalid-options` otherwise. */
export function checkFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TokenwardenError('invalid-options', `\`${name}\` must be a function.`)
  return value
}

/** The `timers` seam, when given: it must have both methods. */
export function checkTimers(value: Timers | undefined): Timers | undefined {
  if (value === undefined) return undefined
  const timers = value as Partial<Timers> | null
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    throw new TokenwardenError('invalid-options', '`timers` must have `setTimeout` and `clearTimeout` methods.')
  }
  return value
}
