/**
 * revokeToken where `AbortSignal.any` is missing (Safari before 17.4). A file of its own: the
 * stub must be in place before anything is imported, because ky decides once, when it loads,
 * whether `AbortSignal.any` exists (and then calls it with every signal it is given). Deleting
 * it later, or deleting it from happy-dom's AbortSignal (which inherits it from Node's, so the
 * delete removes nothing) tests nothing.
 */
import { describe, expect, it, vi } from 'vitest'

vi.hoisted(() => {
  // Shadow it on the very object the code sees, whatever it inherits from.
  Object.defineProperty(globalThis.AbortSignal, 'any', { value: undefined, configurable: true, writable: true })
})

const { revokeToken } = await import('../../src/revocation/request.js')
const { createFakeServer } = await import('../helpers/fake-server.js')

describe("revokeToken: the caller's signal where AbortSignal.any is missing", () => {
  const endpoint = 'https://id.example.test/token/revocation'
  const request = { token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'spa' } as const

  it('the stub is in place: AbortSignal.any is not callable here', () => {
    expect(typeof AbortSignal.any).toBe('undefined')
    expect(() => (AbortSignal as unknown as { any: (s: AbortSignal[]) => AbortSignal }).any([])).toThrow(TypeError)
  })

  it('combines deadline and caller signal by hand: fetch gets a signal that the caller aborts, with its reason', async () => {
    const signals: AbortSignal[] = []
    const server = createFakeServer(() => 'hang')
    const seeing: typeof fetch = (input, init) => {
      signals.push(init?.signal ?? (input as Request).signal)
      return server.fetch(input, init)
    }
    const controller = new AbortController()
    const reason = new Error('the caller gave up')
    const pending = revokeToken(request, { endpoint, fetch: seeing, signal: controller.signal, timeoutMs: 5000 })
    await vi.waitFor(() => expect(server.requests).toHaveLength(1))
    expect(signals[0]!.aborted).toBe(false)
    controller.abort(reason)
    const outcome = await pending
    // Aborted: not the TypeError of calling a missing AbortSignal.any (that would be `network`).
    expect(outcome).toMatchObject({
      status: 'failed',
      retryable: true,
      error: { code: 'revocation-failed', message: expect.stringMatching(/aborted/) },
    })
    expect(signals).toHaveLength(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBe(reason)
  })

  it('the deadline still ends a request that never answers', async () => {
    const server = createFakeServer(() => 'hang')
    const outcome = await revokeToken(request, { endpoint, fetch: server.fetch, signal: new AbortController().signal, timeoutMs: 200 })
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'timeout' } })
  })
})
