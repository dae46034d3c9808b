import { describe, expect, it } from 'vitest'
import { issueGrant } from '../../dev/fake-protocol.js'
import { TokenwardenError, toTokenwardenError } from '../../src/errors.js'
import { takeLeakingErrors } from '../helpers/error-watch.js'

// test/setup.ts searches every TokenwardenError a unit test makes for the tokens issued in it.
describe('the suite-wide error watch (test setup): every tokenwarden error is searched for issued tokens', () => {
  it('finds an issued token in an error the sources made, in its message or down its cause (the watch can fail)', async () => {
    const { refreshToken } = issueGrant().tokens
    toTokenwardenError(new Error(`invalid_grant: ${refreshToken} is unknown`), 'refresh-failed', 'The refresh grant failed.')
    new TokenwardenError('refresh-failed', `echoed ${encodeURIComponent(refreshToken!)}`)
    const leaks = takeLeakingErrors()
    expect(leaks).toEqual([
      expect.stringMatching(/^refresh-failed \(The refresh grant failed\.\) \$\.cause\.message: "rt-\d+"$/),
      expect.stringMatching(/^refresh-failed \(The refresh grant failed\.\) \$\.cause\.stack: "rt-\d+"$/),
      expect.stringMatching(/^refresh-failed \(echoed rt-\d+\) \$\.message: "rt-\d+"$/),
      expect.stringMatching(/^refresh-failed \(echoed rt-\d+\) \$\.stack: "rt-\d+"$/),
    ])
  })

  it('finds a token percent-encoded, or inside base64 (an HTTP Basic header), in an OAuth field', () => {
    const { accessToken, refreshToken } = issueGrant().tokens
    new TokenwardenError('revocation-failed', 'The revocation endpoint answered 400.', {
      error_description: `token=${encodeURIComponent(`${accessToken} `)}`,
      error_uri: `Basic ${btoa(`spa:${refreshToken}`)}`,
    })
    expect(takeLeakingErrors()).toEqual([
      expect.stringMatching(/\$\.error_description: "at-\d+"$/),
      expect.stringMatching(/\$\.error_uri: "rt-\d+"$/),
    ])
  })

  it('finds the test kit’s token shapes too', async () => {
    new TokenwardenError('unexpected', 'saw test-access-7')
    expect(takeLeakingErrors()).toEqual([expect.stringContaining('"test-access-"'), expect.stringContaining('"test-access-"')])
  })

  it('passes an error made with the secrets redacted, once: no unredacted copy is left behind', async () => {
    const { refreshToken, accessToken } = issueGrant().tokens
    const error = toTokenwardenError(
      new Error(`invalid_grant: ${refreshToken} is unknown`),
      'refresh-failed',
      'The refresh grant failed.',
      [refreshToken, accessToken],
    )
    expect((error.cause as Error).message).toBe('invalid_grant: [redacted] is unknown')
    expect(takeLeakingErrors()).toEqual([])
  })
})
