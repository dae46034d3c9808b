import { afterEach, describe, expect, it, vi } from 'vitest'
import { runSilentFrame } from '../../src/protocol/silent-frame.js'

const state = 'state-1'
const answer = `${location.origin}/silent-callback.html?code=c&state=${state}`
const frame = () => document.querySelector('iframe')

/** The silent-callback page's message, as the frame would post it (or as another window might). */
function post(data: unknown, { origin = location.origin, source = frame()?.contentWindow ?? null } = {}) {
  dispatchEvent(new MessageEvent('message', { data, origin, source: source as MessageEventSource | null }))
}

afterEach(() => {
  vi.useRealTimers()
  for (const element of document.querySelectorAll('iframe')) element.remove()
})

describe('the silent renewal frame', () => {
  it("takes the URL the frame's page posts for this state, and removes the frame", async () => {
    const result = runSilentFrame('https://id.example.test/auth?prompt=none', state, 10_000)
    expect(frame()?.style.visibility).toBe('hidden')
    post({ source: 'oidc-client', url: answer, keepOpen: false })
    await expect(result).resolves.toBe(answer)
    expect(frame()).toBeNull()
  })

  it('ignores messages from another origin, another window, another state or another sender; times out as login-required', async () => {
    vi.useFakeTimers()
    const result = runSilentFrame('https://id.example.test/auth?prompt=none', state, 5_000)
    const settled = vi.fn()
    result.then(settled, settled)
    post({ source: 'oidc-client', url: answer }, { origin: 'https://evil.example.test' })
    post({ source: 'oidc-client', url: answer }, { source: window })
    post({ source: 'oidc-client', url: answer.replace(state, 'other') })
    post({ source: 'someone-else', url: answer })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(settled).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    await expect(result).rejects.toMatchObject({ code: 'login-required' })
    expect(frame()).toBeNull()
  })
})
