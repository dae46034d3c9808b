// @vitest-environment node
// The published figures (README's browser table, docs/benchmarks.md) come from scripts, and from one tree: the benchmarks (`npm run bench`), the
// bundle sizes (`npm run size`), silent renewal's cost and the browser table (`npm test`) each
// name the commit they were measured on (dev/commit.ts), and they must name the same one, a
// commit and not a tree with changes. Figures from different trees are never shown as one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const read = (file: string) => readFileSync(join(process.cwd(), file), 'utf8')
/** Each generated section, and the page it is on. */
const pages = { bench: 'docs/benchmarks.md', size: 'docs/benchmarks.md', 'silent-renew': 'docs/benchmarks.md', browsers: 'README.md' }
const sections = Object.keys(pages) as Array<keyof typeof pages>

/** The commit a generated section names, or what it says instead. */
function commitOf(name: keyof typeof pages): string {
  const readme = read(pages[name])
  const start = readme.indexOf(`<!-- ${name}:start -->`)
  const end = readme.indexOf(`<!-- ${name}:end -->`)
  if (start === -1 || end < start) return `no ${name} section`
  return /\bcommit `([^`]+)`/.exec(readme.slice(start, end))?.[1] ?? `no commit in the ${name} section`
}

describe("README's measured figures", () => {
  it('each generated section names the commit it was measured on: a commit, with no changes on top', () => {
    for (const name of sections) expect(commitOf(name), name).toMatch(/^[0-9a-f]{7,40}$/)
  })

  it('all of them name the same commit (run `npm run bench` and a full `npm test` on one tree)', () => {
    expect(new Set(sections.map(commitOf)).size, sections.map((name) => `${name}: ${commitOf(name)}`).join(', ')).toBe(1)
  })
})
