// The package as npm publishes it: `npm pack` from a tree without dist/, as a fresh clone is
// (the prepack script builds it), the tarball unpacked and read. Every path of the exports map
// is in it, nothing an app does not need is, the dependencies stay external, and publint and
// @arethetypeswrong/core run on the tarball itself. e2e/consumer-app.test.ts installs the same
// tarball into an app.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packTarball, root } from './tarball.js'

interface PackageJson {
  exports: Record<string, string | { types: string; default: string }>
  typesVersions?: Record<string, Record<string, string[]>>
}

let work: string
let tarball: string
/** The unpacked tarball: npm puts every file under package/. */
let unpacked: string
/** Its files, relative to package/. */
let files: string[]

const read = (file: string) => readFileSync(join(unpacked, file), 'utf8')

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(directory, entry.name)) : [relative(unpacked, join(directory, entry.name))],
  )
}

describe('the packed tarball', () => {
  beforeAll(() => {
    rmSync(join(root, 'dist'), { recursive: true, force: true })
    work = mkdtempSync(join(tmpdir(), 'tokenwarden-pack-'))
    tarball = packTarball(work)
    execFileSync('tar', ['-xzf', tarball, '-C', work])
    unpacked = join(work, 'package')
    files = walk(unpacked).sort()
  }, 180_000)

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('is built by packing: a tree without dist/ packs dist/index.js and its types', () => {
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'package.json', 'README.md']))
  })

  it("holds dist/'s JavaScript, source maps and declarations, README and package.json, and nothing else", () => {
    const outside = files.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file))
    expect(outside).toEqual([])
    const otherKinds = files.filter((file) => file.startsWith('dist/') && !/\.(js|js\.map|d\.ts)$/.test(file))
    expect(otherKinds).toEqual([])
    // No test, fixture or build leftover, whatever src/ holds one day.
    expect(files.filter((file) => /\.(test|spec)\.|(^|\/)(__tests__|fixtures?|__fixtures__)\/|\.tsbuildinfo$/.test(file))).toEqual([])
  })

  it('has every file that its exports map and typesVersions name', () => {
    const pkg = JSON.parse(read('package.json')) as PackageJson
    const named = [
      ...Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : [target.types, target.default])),
      ...Object.values(pkg.typesVersions ?? {}).flatMap((paths) => Object.values(paths).flat()),
    ].map((path) => path.replace(/^\.\//, ''))
    expect(named.filter((file) => !files.includes(file))).toEqual([])
  })

  it('ships source maps that work without src/: each names library sources only and carries their text', () => {
    const maps = files.filter((file) => file.endsWith('.js.map'))
    expect(maps.length).toBeGreaterThan(0)
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      expect(read(file), file).toContain(`//# sourceMappingURL=${file.slice('dist/'.length)}.map`)
      expect(files, file).toContain(`${file}.map`)
    }
    for (const file of maps) {
      const map = JSON.parse(read(file)) as { sources: string[]; sourcesContent?: Array<string | null> }
      expect(
        map.sources.filter((source) => !/^\.\.\/src\/[\w/.-]+\.tsx?$/.test(source) || /\.(test|spec)\./.test(source)),
        file,
      ).toEqual([])
      expect(map.sourcesContent?.length, file).toBe(map.sources.length)
      expect(
        map.sourcesContent!.every((text) => typeof text === 'string' && text.length > 0),
        file,
      ).toBe(true)
    }
  })

  it('keeps oidc-client-ts, ky and idb-keyval external, and the bindings import the core by name', () => {
    // The core is dist/index.js and the chunks it loads on demand (oidc, sign-in, DPoP, …).
    const core = files
      .filter(
        (file) =>
          /^dist\/[^/]+\.js$/.test(file) &&
          !['dist/react.js', 'dist/vue.js', 'dist/angular.js', 'dist/testing.js', 'dist/testing-jest-setup.js'].includes(file),
      )
      .map(read)
      .join('\n')
    for (const name of ['oidc-client-ts', 'ky', 'idb-keyval']) expect(core).toMatch(new RegExp(`from "${name}"`))
    // Imported, never bundled in: no copy of idb-keyval's or ky's own code.
    expect(core).not.toMatch(/function promisifyRequest|class HTTPError/)
    for (const binding of ['react', 'vue', 'angular', 'testing']) expect(read(`dist/${binding}.js`)).toMatch(/from "tokenwarden"/)
  })

  it('exports from dist/index.js the values index.d.ts declares, and besides them only the short internal names its chunks import', () => {
    // The names of every `export { … }` list in a file; with `types`, only its value exports.
    const exported = (text: string, { types }: { types: boolean }) =>
      [...text.matchAll(/^export (type )?\{([^}]*)\}/gm)]
        .filter(([, typeOnly]) => !(types && typeOnly))
        .flatMap(([, , list]) => list!.split(','))
        .map((item) => item.trim())
        .filter((item) => item !== '' && !(types && item.startsWith('type ')))
        .map((item) => item.split(/\s+as\s+/).pop()!)
    const declared = exported(read('dist/index.d.ts'), { types: true })
    const built = exported(read('dist/index.js'), { types: false })
    expect(declared).toEqual(expect.arrayContaining(['createSession', 'revokeToken', 'TokenwardenError']))
    expect(
      built.filter((name) => !declared.includes(name)).every((name) => /^[\w$]{1,2}$/.test(name)),
      built.join(', '),
    ).toBe(true)
    expect(declared.filter((name) => !built.includes(name))).toEqual([])
  })

  it('keeps the test kit out of the core: an app that imports tokenwarden bundles none of it', () => {
    const core = read('dist/index.js')
    for (const name of ['createTestAuthority', 'createTestClock', 'createChannelHub', 'test-access-']) expect(core).not.toContain(name)
  })

  it('passes publint with no error, warning or suggestion', async () => {
    const buffer = readFileSync(tarball)
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)
    const { messages, pkg } = await publint({ pack: { tarball: data }, level: 'suggestion', strict: true })
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`)).toEqual([])
  })

  it('passes @arethetypeswrong/core but for require() of an ESM-only package under node16 (README: "The published package")', async () => {
    // The library the attw CLI wraps, called in-process: the CLI prints its JSON and then calls
    // process.exit, which cuts a large report short when stdout is a pipe under load.
    const buffer = readFileSync(tarball)
    const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(buffer)))
    if (!analysis.types) throw new Error('attw found no types in the tarball')
    expect(Object.keys(analysis.entrypoints)).toEqual([
      '.',
      './react',
      './vue',
      './angular',
      './testing',
      './testing/jest-setup',
      './package.json',
    ])
    const unexplained = analysis.problems.filter(
      (problem) => !(problem.kind === 'CJSResolvesToESM' && 'resolutionKind' in problem && problem.resolutionKind === 'node16-cjs'),
    )
    expect(unexplained).toEqual([])
  }, 60_000)
})
