import { describe, expect, it } from 'vitest'
import { isTokenwardenError, TokenwardenError } from '../src/index.js'

describe('TokenwardenError', () => {
  it('carries code, protocol fields and cause, and is recognised across realms', () => {
    const cause = new Error('underlying')
    const error = new TokenwardenError('refresh-failed', 'nope', { status: 400, error: 'invalid_grant', error_description: 'gone', cause })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'TokenwardenError',
      code: 'refresh-failed',
      status: 400,
      error: 'invalid_grant',
      error_description: 'gone',
      cause,
    })
    const foreign = Object.assign(new Error('from an iframe'), { name: 'TokenwardenError', code: 'network' })
    expect(isTokenwardenError(foreign)).toBe(true)
    expect(isTokenwardenError(foreign, 'network')).toBe(true)
    expect(isTokenwardenError(foreign, 'timeout')).toBe(false)
    expect(isTokenwardenError(new Error('plain'))).toBe(false)
  })
})
