import { describe, expect, it } from 'vitest'
import { readSessionRecord, sessionRecord, toSeal, unsealed } from '../../src/storage/records.js'

const tokens = { accessToken: 'at', tokenType: 'Bearer', refreshToken: 'rt', expiresAt: 2_000 }
const resources = { 'https://a.example.test/': { accessToken: 'at-a', tokenType: 'Bearer', expiresAt: 2_000, issuedAt: 1_000 } }

describe('the session record holds the resources’ tokens (RFC 8707)', () => {
  it('a record written before resources existed still reads, unchanged', () => {
    const old = { v: 2, kind: 'tokenwarden/session', signInId: 's', tokens, profile: {}, updatedAt: 1 }
    expect(readSessionRecord(old)).toEqual(old)
  })

  it('a record with resource tokens reads back, and its resource tokens go into the sealed part', () => {
    const record = sessionRecord({ signInId: 's', tokens: { ...tokens, resources }, profile: {}, updatedAt: 1 })
    expect(readSessionRecord(record)?.tokens.resources).toEqual(resources)
    const plan = toSeal(record)!
    expect(JSON.stringify(plan.clear)).not.toContain('at-a')
    expect(
      readSessionRecord(unsealed({ ...plan.clear, sealed: { iv: new Uint8Array(), data: new Uint8Array() } } as never, plan.secret))?.tokens
        .resources,
    ).toEqual(resources)
  })

  it.each([
    ['an empty token', { 'https://a.example.test/': { ...resources['https://a.example.test/'], accessToken: '' } }],
    ['no issue time', { 'https://a.example.test/': { accessToken: 'at-a', tokenType: 'Bearer' } }],
    ['not an object', { 'https://a.example.test/': 'at-a' }],
    ['null where the map should be', null],
  ])('a record whose resource token has %s is refused, not thrown on', (_, bad) => {
    expect(
      readSessionRecord({
        v: 2,
        kind: 'tokenwarden/session',
        signInId: 's',
        tokens: { ...tokens, resources: bad },
        profile: {},
        updatedAt: 1,
      }),
    ).toBeUndefined()
  })
})
