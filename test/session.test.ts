import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWorld } from './helpers/session.js'
import { createSession } from '../src/index.js'

describe('session', () => {
  it('a disposed session refuses work with a typed error', async () => {
    const world = createWorld()
    const session = world.tab()
    session.dispose()
    expect(() => session.start()).toThrow(expect.objectContaining({ code: 'disposed' }))
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'disposed' })
  })
})

describe('a page that is not a secure context', () => {
  afterEach(() => vi.unstubAllGlobals())
  const options = { authority: 'https://id.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/cb' }

  it('gets insecure-context from createSession, saying to serve over https, never a TypeError (plain http on a LAN address)', () => {
    // What a browser gives a page on http://192.168.1.20: isSecureContext false, no randomUUID, no subtle.
    vi.stubGlobal('isSecureContext', false)
    vi.stubGlobal('crypto', { getRandomValues: crypto.getRandomValues.bind(crypto) })
    const error = (() => {
      try {
        createSession(options)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toMatchObject({ name: 'TokenwardenError', code: 'insecure-context', message: expect.stringContaining('https') })
  })

  it('bad options are still reported first, as invalid-options', () => {
    vi.stubGlobal('isSecureContext', false)
    expect(() => createSession({ ...options, clientId: '' })).toThrow(expect.objectContaining({ code: 'invalid-options' }))
  })
})
