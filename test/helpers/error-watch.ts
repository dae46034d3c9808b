// Promise: no token in errors. Every error a unit test makes tokenwarden raise is searched here,
// after the test, for every token the fakes issued during it (as sent, encoded or in base64): the fake protocol's
// (dev/fake-protocol.ts) and the test kit's (`test-access-…`, `test-refresh-…`, `test-id-…`). A
// file that checks its own errors by name still does; this catches the errors nobody looked at.
//
// Errors are seen as they are made: `Error` is wrapped once per worker, before the sources
// define `class TokenwardenError extends Error`, so the subclass's `super()` goes through the
// wrapper. The list lives on globalThis because each test file evaluates this module anew.
import { afterEach, beforeEach } from 'vitest'
import { forgetIssuedTokens, issuedTokens } from '../../dev/fake-protocol.js'
import { decodings } from '../../dev/secrets.js'

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

/**
 * What a reporter could print of a tokenwarden error, by path: its message, its OAuth fields,
 * every other own property, the message lines of its stack (the frames are source locations),
 * and the same of its cause chain (TokenwardenError keeps causes stripped to these).
 */
function textsOf(value: unknown, path: string, depth = 0): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]]
  if (typeof value !== 'object' || value === null || depth > 8) return []
  const found: Array<[string, string]> = []
  const record = value as Record<string, unknown>
  for (const key of new Set(['message', 'stack', 'cause', ...Object.keys(record)])) {
    const item = record[key]
    if (key === 'stack' && typeof item === 'string') {
      found.push([
        `${path}.stack`,
        item
          .split('\n')
          .filter((line) => !/^\s+at /.test(line))
          .join('\n'),
      ])
    } else found.push(...textsOf(item, `${path}.${key}`, depth + 1))
  }
  return found
}

/**
 * The tokenwarden errors made since the last call, each with the issued tokens it shows (as
 * sent, percent- or form-encoded, or inside base64). Tokens are looked up word by word in a set,
 * so a run that issued thousands of them (the race property) costs what its errors' text does.
 */
export function takeLeakingErrors(): string[] {
  const errors = made.splice(0).filter((error) => error.name === 'TokenwardenError')
  const issued = new Set(issuedTokens())
  const findings = new Set<string>()
  for (const error of errors) {
    for (const [path, text] of textsOf(error, '$')) {
      for (const form of decodings(text)) {
        const shown = [
          ...(form.match(/[A-Za-z0-9._~-]+/g) ?? []).filter((word) => issued.has(word)),
          ...kitTokenPrefixes.filter((prefix) => form.includes(prefix)),
        ]
        for (const token of shown) {
          findings.add(`${(error as { code?: string }).code ?? error.name} (${error.message}) ${path}: ${JSON.stringify(token)}`)
        }
      }
    }
  }
  return [...findings]
}

export function watchErrorsForTokens(): void {
  beforeEach(() => {
    made.length = 0
    forgetIssuedTokens()
  })
  afterEach(async () => {
    const leaks = takeLeakingErrors()
    if (leaks.length > 0) throw new Error(`A tokenwarden error shows a token:\n${leaks.join('\n')}`)
  })
}
