import type { OutboxEntry } from '../storage/index.js'
import type { RevocationOutcome } from './answer.js'

/**
 * How many times an entry is sent again after an answer the browser hid for want of CORS
 * headers (`maybeCors`): the server may well have revoked it, and retrying will not make the
 * headers appear, so it is not re-sent for days.
 */
const corsAttemptLimit = 3

/** Backoff after the n-th failed attempt: 2 s, 4 s, 8 s … up to 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(300_000, 2000 * 2 ** Math.max(0, attempts - 1))
}

/**
 * When a failed entry is tried again: after a backoff, or the server's `Retry-After` (RFC 9110
 * §10.2.3) when longer, even past the cap logout's own wait had (the outbox has time); never
 * when it was refused for good, expired, or hidden by CORS too often.
 */
export function retryAt(entry: OutboxEntry, outcome: RevocationOutcome, now: number): number | undefined {
  const tries = entry.attempts + 1
  if (outcome.status !== 'failed' || !outcome.retryable || entry.expiresAt <= now || (outcome.maybeCors && tries >= corsAttemptLimit)) {
    return undefined
  }
  return now + Math.max(backoffMs(tries), outcome.retryAfterMs ?? 0)
}
