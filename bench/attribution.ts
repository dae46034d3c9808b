// Who owns each byte of a bundle: a chunk's minified code split by its source map into the
// stretches each source file produced, each stretch given an owner (a src/ file, or a
// dependency by package name), and the chunk's gzip size shared among the owners.
//
// A source map names a source position for the *start* of each generated stretch; the stretch
// runs to the next mapping. Bytes before the first mapping, and stretches whose mapping names
// no source (code the bundler wrote: its export list, its helpers), belong to UNMAPPED.
//
// Gzip does not compress files independently, so a file's gzip "share" needs a rule. Here each
// owner's bytes are gzipped alone, and the chunk's real gzip size is divided among the owners
// in proportion to those figures: the shares add up to what the server sends, and an owner
// whose text compresses poorly (long unique strings) carries more than its raw length says.

import { relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { type RawSourceMapInput, SourceMapConsumer } from 'source-map-js'

export const UNMAPPED = '(bundler: export lists, helpers; no source)'

export interface Share {
  /** Bytes (UTF-8) of minified code this owner produced. */
  minified: number
  /** This owner's share of the chunk's gzip size (not rounded). */
  gzip: number
}

/**
 * The owner of a source as a source map names it, resolved against `mapDir` (the folder the
 * map's paths are relative to): `src/…` files stay files; anything under node_modules is its
 * package (`ky`, `@scope/name`); anything else, its path relative to `root`.
 */
export function ownerOf(source: string, mapDir: string, root: string): string {
  const path = relative(root, resolve(mapDir, source)).replaceAll('\\', '/')
  const inModules = path.lastIndexOf('node_modules/')
  if (inModules === -1) return path
  const parts = path.slice(inModules + 'node_modules/'.length).split('/')
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
}

/** Splits `code` among the owners its source map names; the gzip shares sum to `gzip(code)`. */
export function attribute(code: string, map: RawSourceMapInput, owner: (source: string) => string): Map<string, Share> {
  const lineStarts = [0]
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1)
  const marks: Array<{ at: number; owner: string }> = []
  new SourceMapConsumer(map).eachMapping((m) => {
    const lineStart = lineStarts[m.generatedLine - 1]
    if (lineStart === undefined) return
    marks.push({ at: lineStart + m.generatedColumn, owner: m.source ? owner(m.source) : UNMAPPED })
  })
  marks.sort((a, b) => a.at - b.at)
  const texts = new Map<string, string[]>()
  const add = (who: string, from: number, to: number) => {
    if (to <= from) return
    const list = texts.get(who) ?? []
    texts.set(who, list)
    list.push(code.slice(from, to))
  }
  add(UNMAPPED, 0, marks[0]?.at ?? code.length)
  for (const [i, mark] of marks.entries()) add(mark.owner, mark.at, marks[i + 1]?.at ?? code.length)

  const total = gzipSync(code, { level: 9 }).length
  const alone = new Map([...texts].map(([who, parts]) => [who, gzipSync(parts.join(''), { level: 9 }).length]))
  const aloneSum = [...alone.values()].reduce((sum, n) => sum + n, 0)
  return new Map(
    [...texts].map(([who, parts]) => [
      who,
      { minified: Buffer.byteLength(parts.join('')), gzip: aloneSum ? (total * alone.get(who)!) / aloneSum : 0 },
    ]),
  )
}
