// @vitest-environment node
// README sections produced from the code, and checked against it: the options table from
// options.ts (TSDoc) and defaults.ts, the error codes from errors.ts. A mismatch fails here;
// `npm run docs` rewrites the sections.
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { replaceBetweenMarkers } from '../../dev/readme.js'
import { defaults } from '../../src/index.js'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const readmePath = new URL('../../README.md', import.meta.url)

interface Member {
  name: string
  optional: boolean
  doc: string
  defaultTag: string | undefined
}

/** The members of `interface <name>` in `source`, each with its TSDoc text and `@default`. */
function membersOf(source: string, name: string): Member[] {
  const start = source.indexOf(`export interface ${name} {`)
  const body = source.slice(start, source.indexOf('\n}\n', start))
  const members: Member[] = []
  for (const match of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(\w+)(\??):/g)) {
    const text = match[1]!
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, '').trim())
      .join('\n')
    const defaultTag = /@default\s+(.+)/.exec(text)?.[1]?.trim()
    const doc = text
      .replace(/@default.*$/m, '')
      .replace(/\s+/g, ' ')
      .trim()
    members.push({ name: match[2]!, optional: match[3] === '?', doc, defaultTag })
  }
  return members
}

const format = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value))

function defaultOf(path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], defaults)
}

function optionRows() {
  const source = read('src/options.ts')
  const rows: Array<Member & { path: string }> = [
    ...membersOf(source, 'SessionOptions').flatMap((member) =>
      member.name === 'revocation'
        ? membersOf(source, 'RevocationOptions').map((inner) => ({ ...inner, path: `revocation.${inner.name}` }))
        : [{ ...member, path: member.name }],
    ),
  ]
  return rows
}

export function optionsTable(): string {
  const lines = [
    '<!-- Written by `npm run docs` from src/options.ts and src/defaults.ts; do not edit by hand. -->',
    '',
    '| Option | Default | Meaning |',
    '| --- | --- | --- |',
  ]
  for (const row of optionRows()) {
    const value = defaultOf(row.path)
    // The value from defaults.ts, with what the tag adds after it (e.g. "(7 days)").
    const shown =
      value !== undefined
        ? `\`${format(value)}\`${row.defaultTag?.slice(format(value).length) ?? ''}`
        : (row.defaultTag ?? (row.optional ? 'none' : 'required'))
    lines.push(`| \`${row.path}\` | ${shown.replace(/\|/g, '\\|')} | ${row.doc.replace(/\|/g, '\\|')} |`)
  }
  return lines.join('\n')
}

export function errorsTable(): string {
  const source = read('src/errors.ts')
  const list = source.slice(source.indexOf('/**'), source.indexOf('export type TokenwardenErrorCode'))
  const lines = ['<!-- Written by `npm run docs` from src/errors.ts; do not edit by hand. -->', '', '| Code | Meaning |', '| --- | --- |']
  for (const match of list.matchAll(/^ \* - `([a-z-]+)`: ([\s\S]*?)(?=^ \* - `|^ \*\/)/gm)) {
    lines.push(
      `| \`${match[1]}\` | ${match[2]!
        .replace(/\n \* ?/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()} |`,
    )
  }
  return lines.join('\n')
}

describe('docs produced from the code', () => {
  it('every option with a default in defaults.ts says the same value in its @default tag', () => {
    for (const row of optionRows()) {
      const value = defaultOf(row.path)
      if (value === undefined || typeof value === 'object') continue
      expect(row.defaultTag, `@default of ${row.path}`).toBeDefined()
      expect(
        row.defaultTag!.startsWith(format(value)),
        `@default of ${row.path} is "${row.defaultTag}", defaults.ts says ${format(value)}`,
      ).toBe(true)
    }
  })

  it("revokeToken's @default tags say the same values as defaults.revocation", () => {
    const members = membersOf(read('src/revocation/request.ts'), 'RevokeTokenOptions')
    for (const name of ['timeoutMs', 'retryLimit', 'maxRetryAfterMs'] as const) {
      const tag = members.find((member) => member.name === name)?.defaultTag
      expect(tag, `RevokeTokenOptions.${name}`).toBe(format(defaults.revocation[name]))
    }
  })

  it('every default in defaults.ts belongs to a documented option', () => {
    const paths = new Set(optionRows().map((row) => row.path))
    const walk = (value: object, prefix: string): string[] =>
      Object.entries(value).flatMap(([key, inner]) =>
        typeof inner === 'object' && inner !== null ? walk(inner, `${prefix}${key}.`) : [`${prefix}${key}`],
      )
    for (const path of walk(defaults, '')) expect(paths.has(path), `defaults.${path} has no option in options.ts`).toBe(true)
  })

  it('every error code of the TokenwardenErrorCode union is documented', () => {
    const source = read('src/errors.ts')
    const union = source.slice(
      source.indexOf('export type TokenwardenErrorCode'),
      source.indexOf('export interface TokenwardenErrorDetails'),
    )
    const codes = [...union.matchAll(/'([a-z-]+)'/g)].map((match) => match[1])
    const documented = [...errorsTable().matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1])
    expect(documented).toEqual(codes)
  })

  it("README's options and error tables are the ones the code produces (npm run docs rewrites them)", () => {
    const readme = readFileSync(readmePath, 'utf8')
    let next = replaceBetweenMarkers(readme, 'options', optionsTable(), 'npm run docs')
    next = replaceBetweenMarkers(next, 'errors', errorsTable(), 'npm run docs')
    if (process.env.UPDATE_README && next !== readme) writeFileSync(readmePath, next)
    else expect(next).toBe(readme)
  })
})
