import { gzipSync } from 'node:zlib'
import { SourceMapGenerator } from 'source-map-js'
import { expect, test } from 'vitest'
import { attribute, ownerOf, UNMAPPED } from './attribution.js'

const root = '/repo'
const mapDir = '/repo/dist'
const owner = (source: string) => ownerOf(source, mapDir, root)

/** A two-line "bundle": a src/ file, a dependency, a scoped dependency, bundler glue. */
function fixture() {
  const own = 'function a(){return"tokenwarden"}'
  const dep = 'function k(){return 42}'
  const scoped = 'class S{}'
  const glue = 'export{a,k,S};'
  const code = `${own}${dep}\n${scoped}${glue}`
  const map = new SourceMapGenerator({ file: 'entry.js' })
  const at = (line: number, column: number, source?: string) =>
    map.addMapping(source ? { generated: { line, column }, source, original: { line: 1, column: 0 } } : { generated: { line, column } })
  at(1, 0, '../src/session.ts')
  at(1, own.length, '../node_modules/ky/distribution/index.js')
  at(2, 0, '../node_modules/@scope/pkg/dist/s.js')
  at(2, scoped.length) // a mapping with no source: code the bundler wrote
  return { code, map: map.toJSON(), own, dep, scoped, glue }
}

test('ownerOf names a src/ file by its path and a dependency by its package, scoped or not', () => {
  expect(owner('../src/protocol/oidc.ts')).toBe('src/protocol/oidc.ts')
  expect(owner('../node_modules/ky/distribution/core/Ky.js')).toBe('ky')
  expect(owner('../node_modules/@axa-fr/oidc-client/dist/index.js')).toBe('@axa-fr/oidc-client')
  expect(owner('../node_modules/a/node_modules/b/index.js')).toBe('b')
})

test('attribute gives every byte of the chunk to the file its source map names, glue to the bundler', () => {
  const { code, map, own, dep, scoped, glue } = fixture()
  const shares = attribute(code, map, owner)
  expect([...shares.keys()].sort()).toEqual(['@scope/pkg', UNMAPPED, 'ky', 'src/session.ts'].sort())
  expect(shares.get('src/session.ts')?.minified).toBe(own.length)
  // A stretch runs to the next mapping, across the line break.
  expect(shares.get('ky')?.minified).toBe(dep.length + 1)
  expect(shares.get('@scope/pkg')?.minified).toBe(scoped.length)
  expect(shares.get(UNMAPPED)?.minified).toBe(glue.length)
  const minified = [...shares.values()].reduce((sum, share) => sum + share.minified, 0)
  expect(minified).toBe(Buffer.byteLength(code))
})

test('the gzip shares add up to the chunk gzipped whole, in proportion to each owner gzipped alone', () => {
  const { code, map, own, dep } = fixture()
  const shares = attribute(code, map, owner)
  const gzip = [...shares.values()].reduce((sum, share) => sum + share.gzip, 0)
  expect(gzip).toBeCloseTo(gzipSync(code, { level: 9 }).length, 6)
  const ratio = shares.get('src/session.ts')!.gzip / shares.get('ky')!.gzip
  expect(ratio).toBeCloseTo(gzipSync(own, { level: 9 }).length / gzipSync(`${dep}\n`, { level: 9 }).length, 6)
})

test('bytes before the first mapping belong to the bundler', () => {
  const map = new SourceMapGenerator({ file: 'entry.js' })
  map.addMapping({ generated: { line: 1, column: 4 }, source: '../src/a.ts', original: { line: 1, column: 0 } })
  const shares = attribute('/**/x=1', map.toJSON(), owner)
  expect(shares.get(UNMAPPED)?.minified).toBe(4)
  expect(shares.get('src/a.ts')?.minified).toBe(3)
})
