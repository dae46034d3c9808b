// Promise: no token in errors. Every error a unit test makes tokenwarden raise is searched here,
// after the test, for every token the fakes issued during it: the fake protocol's
// (dev/fake-protocol.ts) and the test kit's (`test-access-…`, `test-refresh-…`, `test-id-…`). A
// file that checks its own errors by name still does; this catches the errors nobody looked at.
//
// Errors are seen as they are made: `Error` is wrapped once per worker, before the sources
// define `class TokenwardenError extends Error`, so the subclass's `super()` goes through the
// wrapper. The list lives on globalThis because each test file evaluates this module anew.
import { afterEach, beforeEach } from 'vitest'
import { forgetIssuedTokens, issuedTokens } from '../../dev/fake-protocol.js'
import { findSecrets } from './secrets.js'

const key = Symbol.for('tokenwarden.test.errors-made')
type Made = Error[]

function madeErrors(): Made {
  const global = globalThis as unknown as Record<symbol, Made | undefined>
  const existing = global[key]
  if (existing) return existing
  const made: Made = []
  global[key] = made
  const Original = globalThis.Error
  globalThis.Error = new Proxy(Original, {
    construct(target, args, newTarget) {
      const error = Reflect.construct(target, args, newTarget) as Error
      made.push(error)
      return error
    },
  })
  return made
}

const made = madeErrors()

/** The test kit's token shapes (src/testing/authority.ts): any of them in an error is a leak. */
const kitTokenPrefixes = ['test-access-', 'test-refresh-', 'test-id-']

/** The tokenwarden errors made since the last call, each with what of the issued tokens it shows. */
export async function takeLeakingErrors(): Promise<string[]> {
  const errors = made.splice(0).filter((error) => error.name === 'TokenwardenError')
  const secrets = [...issuedTokens(), ...kitTokenPrefixes]
  const findings: string[] = []
  for (const error of errors) {
    for (const line of await findSecrets(error, secrets)) {
      const secret = secrets[Number(line.replace(/^.*secret #/, ''))]
      findings.push(
        `${(error as { code?: string }).code ?? error.name} (${error.message}) ${line.replace(/secret #\d+$/, JSON.stringify(secret))}`,
      )
    }
  }
  return findings
}

export function watchErrorsForTokens(): void {
  beforeEach(() => {
    made.length = 0
    forgetIssuedTokens()
  })
  afterEach(async () => {
    const leaks = await takeLeakingErrors()
    if (leaks.length > 0) throw new Error(`A tokenwarden error shows a token:\n${leaks.join('\n')}`)
  })
}
