import { describe, expect, it } from 'vitest'
import { createSession, defaults, isTokenwardenError, type SessionOptions } from '../src/index.js'

const valid: SessionOptions = {
  authority: 'https://id.example.test',
  clientId: 'spa',
  redirectUri: 'https://app.example.test/callback',
}

function codeOf(options: unknown): string | undefined {
  try {
    createSession(options as SessionOptions)
    return undefined
  } catch (error) {
    return isTokenwardenError(error) ? `${error.code}: ${error.message}` : `untyped: ${String(error)}`
  }
}

describe('createSession options', () => {
  it('accepts a minimal public client and applies the defaults', () => {
    expect(codeOf(valid)).toBeUndefined()
    expect(defaults.scope).toBe('openid profile offline_access')
    expect(defaults.revocation.timeoutMs).toBeGreaterThan(0)
  })

  it.each<[string, unknown, RegExp]>([
    ['no object', undefined, /options object/],
    ['no authority', { ...valid, authority: undefined }, /authority/],
    ['a relative authority', { ...valid, authority: '/id' }, /absolute URL/],
    ['plain http to a remote host', { ...valid, authority: 'http://id.example.test' }, /https/],
    ['an empty clientId', { ...valid, clientId: ' ' }, /clientId/],
    ['a bad redirectUri', { ...valid, redirectUri: 'callback' }, /redirectUri/],
    ['snake_case by mistake', { ...valid, client_id: 'spa' }, /did you mean `clientId`/],
    ['an unknown option', { ...valid, revokeOnLogout: true }, /Unknown option `revokeOnLogout`/],
    ['an unknown revocation option', { ...valid, revocation: { timeout: 1 } }, /revocation.timeout/],
    ['a zero timeout', { ...valid, revocation: { timeoutMs: 0 } }, /timeoutMs/],
    ['a negative retry limit', { ...valid, revocation: { retryLimit: -1 } }, /retryLimit/],
    ['a secret with "none"', { ...valid, clientSecret: 's', clientAuthentication: 'none' }, /cannot be used with a `clientSecret`/],
    ['basic without a secret', { ...valid, clientAuthentication: 'client_secret_basic' }, /needs a `clientSecret`/],
    ['an unknown authentication', { ...valid, clientAuthentication: 'private_key_jwt' }, /clientAuthentication/],
    ['fetch that is not a function', { ...valid, fetch: 'fetch' }, /fetch/],
    ['PKCE switched off through oidc', { ...valid, oidc: { disablePKCE: true } }, /disablePKCE/],
    ['the code in the fragment through oidc', { ...valid, oidc: { response_mode: 'fragment' } }, /response_mode/],
    ['an implicit flow through oidc', { ...valid, oidc: { response_type: 'token' } }, /response_type/],
    [
      'a plain-http endpoint in oidc.metadata',
      { ...valid, oidc: { metadata: { authorization_endpoint: 'http://id.example.test/auth' } } },
      /oidc.metadata.authorization_endpoint/,
    ],
    ['a second client id through oidc', { ...valid, oidc: { client_id: 'other' } }, /use `clientId`/],
    ['a state store of its own through oidc', { ...valid, oidc: { stateStore: {} } }, /oidc.stateStore/],
    ['DPoP through oidc', { ...valid, oidc: { dpop: {} } }, /`oidc.dpop` .*`dpop: true`/],
    ['the post-logout redirect through oidc', { ...valid, oidc: { post_logout_redirect_uri: 'x' } }, /use `postLogoutRedirectUri`/],
    ['snake_case client authentication by mistake', { ...valid, client_authentication: 'none' }, /did you mean `clientAuthentication`/],
  ])('refuses %s with invalid-options', (_, options, message) => {
    const result = codeOf(options)
    expect(result).toMatch(/^invalid-options: /)
    expect(result).toMatch(message)
  })

  it('allows plain http on loopback hosts, and elsewhere only with the opt-in', () => {
    expect(codeOf({ ...valid, authority: 'http://127.0.0.1:4000' })).toBeUndefined()
    expect(codeOf({ ...valid, authority: 'http://localhost:4000' })).toBeUndefined()
    expect(codeOf({ ...valid, authority: 'http://[::1]:4000' })).toBeUndefined()
    expect(codeOf({ ...valid, authority: 'http://id.example.test', allowInsecureHttp: true })).toBeUndefined()
  })

  it('warns once per logger when a client secret is configured', () => {
    const warnings: string[] = []
    const logger = { warn: (message: string) => warnings.push(message) }
    createSession({ ...valid, clientSecret: 's', logger })
    createSession({ ...valid, clientSecret: 's', logger })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/cannot keep a secret/)
  })
})
