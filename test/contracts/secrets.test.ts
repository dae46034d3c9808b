import { describe, expect, it } from 'vitest'
import { findSecrets } from '../helpers/secrets.js'

const token = 'tok-abc-123456'
const secret = 'sec:ret/é 42'

describe('findSecrets (test helper): finds a secret wherever an error reporter could see it', () => {
  it('a clean value has no findings', async () => {
    const error = Object.assign(new Error('revocation failed', { cause: new Error('HTTP 400') }), { status: 400, error: 'invalid_request' })
    expect(await findSecrets(error, { token, secret })).toEqual([])
  })

  it.each<[string, () => unknown]>([
    ['the message', () => new Error(`bad ${token}`)],
    ['a cause two levels down', () => new Error('a', { cause: new Error('b', { cause: new Error(`c ${token}`) }) })],
    ['an own enumerable property', () => Object.assign(new Error('a'), { sent: token })],
    ['an inherited enumerable property', () => Object.create({ inherited: { deep: [token] } })],
    ['a non-enumerable property', () => Object.defineProperty(new Error('a'), 'hidden', { value: token, enumerable: false })],
    ['a URLSearchParams body in options', () => ({ options: { body: new URLSearchParams({ token }) } })],
    ['Headers', () => ({ headers: new Headers({ 'x-sent': token }) })],
    ['a Map value', () => new Map([['k', { v: token }]])],
    ['a Set', () => new Set([token])],
    ['a Request body', () => ({ request: new Request('https://x.test/', { method: 'POST', body: `token=${token}` }) })],
    ['bytes', () => new TextEncoder().encode(`..${token}..`)],
  ])('in %s', async (_, make) => {
    const found = await findSecrets(make(), { token, secret })
    expect(found.length).toBeGreaterThan(0)
    for (const line of found) expect(line).toMatch(/^\$.*: token$/)
  })

  it('a secret percent- or form-encoded, and inside HTTP Basic (base64 of the encoded pair)', async () => {
    const encoded = new URLSearchParams({ s: secret }).toString().slice(2)
    expect(await findSecrets({ body: `client_secret=${encoded}` }, { secret })).toEqual(['$.body: secret'])
    expect(await findSecrets({ authorization: `Basic ${btoa(`id:${encoded}`)}` }, { secret })).toEqual(['$.authorization: secret'])
    expect(await findSecrets({ authorization: `Basic ${btoa(`id:${token}`)}` }, { token })).toEqual(['$.authorization: token'])
  })

  it('cycles are walked once', async () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    a.token = token
    expect(await findSecrets(a, { token })).toEqual(['$.token: token'])
  })

  it('refuses secrets too short to mean anything', async () => {
    await expect(findSecrets({}, { short: 'ab' })).rejects.toThrow(/too short/)
  })
})
