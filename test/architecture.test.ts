// @vitest-environment node
// The rules of `src/` that docs/architecture.md states, checked on the import graph, so the
// layout stays what `ls src/` promises.
import { readFileSync, readdirSync } from 'node:fs'
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

/** Every file's imports (dynamic `import()` included): relative ones resolved to file names under src/, packages by name. */
const graph = new Map(
  sourceFiles(root).map((file) => {
    const source = readFileSync(file, 'utf8')
    const specifiers = [
      ...[...source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map((match) => match[1]!),
      ...[...source.matchAll(/\bimport\('([^']+)'\)/g)].map((match) => match[1]!),
    ]
    return [relative(root, file), specifiers.map((specifier) => resolve(file, specifier))] as const
  }),
)

/** Only the imports that load code at start: no `import type`, no `import()`. */
const staticGraph = new Map(
  sourceFiles(root).map((file) => {
    const source = readFileSync(file, 'utf8')
    const specifiers = [...source.matchAll(/^(?:import|export)(?! type )[^'"]*from '([^']+)'/gm)].map((match) => match[1]!)
    return [relative(root, file), specifiers.map((specifier) => resolve(file, specifier))] as const
  }),
)

describe('src/ architecture', () => {
  it('has no import circle, types included', () => {
    const cycles: string[] = []
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '))
        return
      }
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file])
    }
    for (const file of graph.keys()) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('nothing but index.ts imports session.ts', () => {
    const importers = [...graph].filter(([, imports]) => imports.includes('session.ts')).map(([file]) => file)
    expect(importers).toEqual(['index.ts'])
  })

  it('nothing but session.ts imports parts.ts (the wiring), and only those two and index.ts read the options', () => {
    const importersOf = (target: string) =>
      [...graph]
        .filter(([, imports]) => imports.includes(target))
        .map(([file]) => file)
        .sort()
    expect(importersOf('parts.ts')).toEqual(['session.ts'])
    expect(importersOf('options.ts')).toEqual(['index.ts', 'parts.ts', 'session.ts'])
  })

  it('each third-party library is imported by the files named for it, and no other', () => {
    const owners: Record<string, string[]> = {
      'oidc-client-ts': ['oidc.ts'],
      ky: ['http.ts', 'revocation.ts', 'revocation-outcome.ts', 'session.ts'],
      'idb-keyval': ['storage.ts'],
      react: ['react/index.ts'],
      vue: ['vue/index.ts'],
    }
    for (const [library, allowed] of Object.entries(owners)) {
      const importers = [...graph]
        .filter(([, imports]) => imports.includes(library))
        .map(([file]) => file)
        .sort()
      expect(
        importers.every((file) => allowed.includes(file)),
        `${library} imported by ${importers.join(', ')}`,
      ).toBe(true)
    }
  })

  it('the bindings import only the public core, by its package name', () => {
    for (const [file, imports] of graph) {
      if (!/^(react|vue|testing)\//.test(file)) continue
      const internal = imports.filter(
        (specifier) => !['react', 'vue', 'tokenwarden'].includes(specifier) && !specifier.startsWith('tokenwarden'),
      )
      expect(
        internal.filter((specifier) => !specifier.startsWith(file.split('/')[0]!)),
        file,
      ).toEqual([])
    }
  })

  it('the parts loaded on demand are reached only by import(), never statically, so they stay out of the entry', () => {
    // oidc.ts (oidc-client-ts) and dpop.ts are chunks of their own (bench/size.js measures them
    // apart): a static import anywhere would pull them back into the entry. (The sealing code is
    // in the entry: encryption at rest is on by default, so every default app needs it at start.)
    const lazy = { 'oidc.ts': ['default-protocol.ts'], 'dpop.ts': ['parts.ts'] }
    for (const [file, loaders] of Object.entries(lazy)) {
      const staticImporters = [...staticGraph].filter(([, imports]) => imports.includes(file)).map(([from]) => from)
      expect(staticImporters, `${file} imported statically`).toEqual([])
      const dynamicImporters = [...graph].filter(([, imports]) => imports.includes(file)).map(([from]) => from)
      for (const loader of loaders) expect(dynamicImporters, file).toContain(loader)
    }
  })

  it('low-level files never import the session options (no arrow up)', () => {
    const primitives = [
      'revocation.ts',
      'storage.ts',
      'records.ts',
      'protocol.ts',
      'oidc.ts',
      'discovery.ts',
      'default-protocol.ts',
      'on-demand.ts',
      'tab-sync.ts',
      'tab-lock.ts',
      'timers.ts',
      'signals.ts',
      'defaults.ts',
      'errors.ts',
    ]
    for (const file of primitives) expect(graph.get(file)?.includes('options.ts'), file).toBe(false)
  })
})
