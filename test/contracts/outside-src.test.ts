// @vitest-environment node
// Outside src/: the dev authorization server, the browsers, ports and the rest of dev/ are the
// one shared place that the demo, e2e, bench and profiles import, and nobody reaches into
// another folder's internals. Imports into src/ go through a front door (an index.ts: the
// public API, or a subsystem's), imports into a folder of dev/ through its index.ts, and the
// four users of dev/ do not import each other. (test/ is the unit suite: it tests src/'s files
// one by one, and is not held to this.)
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = process.cwd()
const users = ['demo', 'e2e', 'bench', 'profiles'] as const
const folders = ['dev', ...users]

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'artifacts' || entry.name === 'results' ? [] : files(path)
    return /\.(ts|tsx|mts|vue)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Every relative import of every file outside src/, resolved to a path from the root. */
const imports = folders
  .filter((folder) => existsSync(join(root, folder)))
  .flatMap((folder) => files(join(root, folder)))
  .flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:^(?:import|export)[^'"]*from |\bimport\()'(\.[^']+)'/gm)].map((match) => ({
      from: relative(root, file),
      to: relative(root, join(file, '..', match[1]!)).replace(/\.js$/, '.ts'),
    })),
  )

const topOf = (path: string) => path.split('/')[0]!

describe('outside src/: one shared dev/, front doors only', () => {
  it('finds the imports it checks', () => {
    expect(imports.filter(({ to }) => to.startsWith('src/')).length).toBeGreaterThan(3)
    expect(imports.filter(({ to }) => to.startsWith('dev/auth-server/')).length).toBeGreaterThan(3)
  })

  it('imports into src/ go through an index.ts: the public API or a subsystem’s front door', () => {
    const reaching = imports.filter(({ to }) => to.startsWith('src/') && !to.endsWith('/index.ts'))
    expect(reaching.map(({ from, to }) => `${from} → ${to}`)).toEqual([])
  })

  it('imports into a folder of dev/ from outside it go through its index.ts', () => {
    const reaching = imports.filter(({ from, to }) => {
      const parts = to.split('/')
      if (parts[0] !== 'dev' || parts.length < 3) return false
      const folder = `${parts[0]}/${parts[1]}/`
      return !from.startsWith(folder) && parts.slice(2).join('/') !== 'index.ts'
    })
    expect(reaching.map(({ from, to }) => `${from} → ${to}`)).toEqual([])
  })

  it('dev/ imports none of its users, and the demo, e2e, bench and profiles import none of each other', () => {
    const crossing = imports.filter(({ from, to }) => {
      const [a, b] = [topOf(from), topOf(to)]
      return a !== b && (users as readonly string[]).includes(b)
    })
    expect(crossing.map(({ from, to }) => `${from} → ${to}`)).toEqual([])
  })
})
