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

describe('session.sendsTokenTo', () => {
  it('says yes exactly where session.http would send the token: declared destinations and this origin', () => {
    const session = createWorld().tab({ destinations: ['https://api.example.test', 'https://files.example.test/v1/'] })
    expect(session.sendsTokenTo('https://api.example.test/me')).toBe(true)
    expect(session.sendsTokenTo(new URL('https://files.example.test/v1/a'))).toBe(true)
    expect(session.sendsTokenTo(`${location.origin}/api/me`)).toBe(true)
    expect(session.sendsTokenTo('/api/me')).toBe(true) // relative: resolved against the page, as fetch does
    expect(session.sendsTokenTo('https://files.example.test/v10/a')).toBe(false) // a segment boundary
    expect(session.sendsTokenTo('https://api.example.test.evil.test/me')).toBe(false)
    expect(session.sendsTokenTo('http://api.example.test/me')).toBe(false) // another scheme is another origin
    expect(session.sendsTokenTo('https://[')).toBe(false) // not a URL
  })

  it('touches no storage and sends nothing (it can run before start)', () => {
    const world = createWorld()
    const session = world.tab({ destinations: ['https://api.example.test'] })
    expect(session.sendsTokenTo('https://api.example.test/')).toBe(true)
    expect(session.getSnapshot().status).toBe('loading')
    expect(world.server.requests).toEqual([])
  })
})
