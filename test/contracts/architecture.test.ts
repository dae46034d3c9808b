// @vitest-environment node
// The rules of `src/` that docs/architecture.md states, checked on the import graph, so the
// layout stays what `ls src/` promises. The rules speak of folders, not files: a new file is
// covered by its folder's row without editing this test.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(process.cwd(), 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

const resolve = (file: string, specifier: string) =>
  specifier.startsWith('.') ? relative(root, join(file, '..', specifier)).replace(/\.js$/, '.ts') : specifier

interface Import {
  target: string
  /** `import type` / `export type`: erased, loads no code. */
  typeOnly: boolean
  /** `import()`: a chunk of its own, loaded on demand. */
  dynamic: boolean
}

/** Every file's imports, relative ones resolved to file names under src/, packages by name. */
const graph = new Map(
  sourceFiles(root).map((file) => {
    const source = readFileSync(file, 'utf8')
    const imports: Import[] = [
      ...[...source.matchAll(/^(?:import|export)( type)?[^'"]*from '([^']+)'/gm)].map((match) => ({
        target: resolve(file, match[2]!),
        typeOnly: match[1] !== undefined,
        dynamic: false,
      })),
      ...[...source.matchAll(/\bimport\('([^']+)'\)/g)].map((match) => ({
        target: resolve(file, match[1]!),
        typeOnly: false,
        dynamic: true,
      })),
    ]
    return [relative(root, file), imports] as const
  }),
)

/**
 * Which group a file belongs to: its folder, or for a file at the top of src/, `base` (the
 * nouns every part speaks: errors, defaults, tokens), `entry` (index.ts) or `session` (the
 * workflows, the session, options and events).
 */
const base = ['errors.ts', 'defaults.ts', 'tokens.ts']
function groupOf(file: string): string {
  if (file.includes('/')) return file.split('/')[0]!
  if (base.includes(file)) return 'base'
  return file === 'index.ts' ? 'entry' : 'session'
}

/** The folder table: what each group may import (besides itself). docs/architecture.md says it in words. */
const mayImport: Record<string, readonly string[]> = {
  entry: ['session', 'ui', 'limits', 'view', 'http', 'revocation', 'storage', 'tabs', 'protocol', 'util', 'base'],
  ui: ['session', 'view', 'util', 'base'],
  session: ['limits', 'view', 'http', 'revocation', 'storage', 'tabs', 'protocol', 'util', 'base'],
  limits: ['storage', 'tabs', 'util', 'base'],
  http: ['util', 'base'],
  view: ['storage', 'util', 'base'],
  protocol: ['storage', 'util', 'base'],
  revocation: ['storage', 'tabs', 'util', 'base'],
  tabs: ['util', 'base'],
  storage: ['util', 'base'],
  util: ['base'],
  base: [],
  // The bindings and the test kit import only the public core, by its package name.
  react: [],
  vue: [],
  angular: [],
  testing: [],
}

/** The subsystems: folders whose files outside them reach only through `index.ts`, their front door. */
const subsystems = ['limits', 'http', 'revocation', 'storage', 'tabs', 'protocol', 'view', 'ui', 'util']

/** Each third-party library, and the only folders (or top-level files) that may import it. */
const libraryOwners: Record<string, readonly string[]> = {
  'oidc-client-ts': ['protocol/oidc.ts'],
  ky: ['revocation', 'http', 'session.ts'],
  'idb-keyval': ['storage/indexeddb.ts'],
  react: ['react'],
  vue: ['vue'],
  '@angular/core': ['angular'],
  '@angular/common': ['angular'],
  '@angular/common/http': ['angular'],
  '@angular/router': ['angular'],
  rxjs: ['angular'],
}

const internal = (target: string) => graph.has(target)

describe('src/ architecture', () => {
  it('puts every file in a group of the folder table', () => {
    const unknown = [...graph.keys()].filter((file) => !(groupOf(file) in mayImport))
    expect(unknown, 'a new folder needs a row in the table (and in docs/architecture.md)').toEqual([])
  })

  it('keeps the top of src/ small: at most 16 files', () => {
    expect([...graph.keys()].filter((file) => !file.includes('/')).length).toBeLessThanOrEqual(16)
  })

  it('has no import circle between files, types and import() included', () => {
    const cycles: string[] = []
    const done = new Set<string>()
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '))
        return
      }
      if (done.has(file)) return
      for (const { target } of graph.get(file) ?? []) if (internal(target)) visit(target, [...path, file])
      done.add(file)
    }
    for (const file of graph.keys()) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('imports only what the folder table allows, so no circle runs between folders', () => {
    const wrong: string[] = []
    for (const [file, imports] of graph) {
      const from = groupOf(file)
      for (const { target } of imports) {
        if (!internal(target)) continue
        const to = groupOf(target)
        if (to !== from && !mayImport[from]?.includes(to)) wrong.push(`${file} -> ${target}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('the folder table itself has no circle', () => {
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (mayImport[from] ?? []).some((next) => {
        if (next === to) return true
        if (seen.has(next)) return false
        seen.add(next)
        return reaches(next, to, seen)
      })
    for (const group of Object.keys(mayImport)) expect(reaches(group, group), group).toBe(false)
  })

  it('reaches a subsystem from outside only through its front door (index.ts)', () => {
    const wrong: string[] = []
    for (const [file, imports] of graph) {
      for (const { target, dynamic } of imports) {
        const folder = groupOf(target)
        if (!internal(target) || !subsystems.includes(folder) || groupOf(file) === folder || dynamic) continue
        if (target !== `${folder}/index.ts`) wrong.push(`${file} -> ${target}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('nothing but index.ts imports session.ts, and nothing but session.ts imports compose.ts (the wiring)', () => {
    const importersOf = (target: string) =>
      [...graph]
        .filter(([, imports]) => imports.some((entry) => entry.target === target && !entry.typeOnly))
        .map(([file]) => file)
        .sort()
    expect(importersOf('session.ts')).toEqual(['index.ts'])
    expect(importersOf('compose.ts')).toEqual(['session.ts'])
  })

  it('imports each third-party library only where it is named for it', () => {
    for (const [library, owners] of Object.entries(libraryOwners)) {
      const importers = [...graph].filter(([, imports]) => imports.some((entry) => entry.target === library)).map(([file]) => file)
      const strays = importers.filter((file) => !owners.includes(file) && !owners.includes(groupOf(file)))
      expect(strays, `${library} imported by`).toEqual([])
    }
  })

  it('the bindings and the test kit import only the public core, by its package name', () => {
    for (const [file, imports] of graph) {
      const folder = groupOf(file)
      if (!['react', 'vue', 'angular', 'testing'].includes(folder)) continue
      // Jest's setup file fills in the environment (README "Jest"): fake-indexeddb is its IndexedDB.
      const environment = file === 'testing/jest-setup.ts' ? ['fake-indexeddb/auto'] : []
      const strays = imports.filter(
        ({ target }) =>
          !environment.includes(target) &&
          (internal(target)
            ? groupOf(target) !== folder
            : !/^(tokenwarden|react|vue|@angular\/(core|common|router)|rxjs)(\/|$)/.test(target)),
      )
      expect(
        strays.map(({ target }) => target),
        file,
      ).toEqual([])
    }
  })

  it('reaches the parts loaded on demand only by import(), so they stay out of the entry', () => {
    // oidc.ts (oidc-client-ts), dpop.ts, the idle limit, the sign-in, the refresh grant (with silent renewal) and
    // the resources' tokens are chunks of their own (bench/size.ts measures them apart): a static
    // import anywhere would pull them back into the entry.
    const lazy = {
      'protocol/oidc.ts': 'protocol/default-protocol.ts',
      'protocol/dpop.ts': 'protocol/index.ts',
      'limits/idle.ts': 'limits/index.ts',
      'sign-in.ts': 'compose.ts',
      'refresh-grant.ts': 'refresh.ts',
      'resources.ts': 'compose.ts',
    }
    for (const [file, loader] of Object.entries(lazy)) {
      const staticImporters = [...graph]
        .filter(([, imports]) => imports.some((entry) => entry.target === file && !entry.typeOnly && !entry.dynamic))
        .map(([from]) => from)
      expect(staticImporters, `${file} imported statically`).toEqual([])
      const loaders = [...graph]
        .filter(([, imports]) => imports.some((entry) => entry.target === file && entry.dynamic))
        .map(([from]) => from)
      expect(loaders, file).toEqual([loader])
    }
    // silent-renew.ts comes with the refresh grant, which alone imports it.
    const renewers = [...graph]
      .filter(([, imports]) => imports.some((entry) => entry.target === 'silent-renew.ts' && !entry.typeOnly))
      .map(([from]) => from)
    expect(renewers).toEqual(['refresh-grant.ts'])
  })
})
