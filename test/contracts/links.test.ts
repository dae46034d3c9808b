// @vitest-environment node
// README.md and docs/ link to each other by relative paths and anchors, and nothing in them
// points outside the repository: every relative link names a file of it, and every anchor a
// heading of that file (GitHub's slugs).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = process.cwd()
const pages = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')

function headings(page: string): Set<string> {
  const slugs = new Set<string>()
  let fence = false
  for (const line of readFileSync(join(root, page), 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence
    const match = !fence && /^#{1,6} (.+)$/.exec(line)
    if (match) slugs.add(slug(match[1]!.trim()))
  }
  return slugs
}

/** Every markdown link outside code, as written. */
function links(page: string): string[] {
  const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!)
}

describe('README and docs/: links that resolve inside the repository', () => {
  it('finds links to check', () => {
    expect(links('README.md').filter((link) => link.startsWith('#')).length).toBeGreaterThan(10)
    expect(links('README.md').filter((link) => link.startsWith('docs/')).length).toBeGreaterThan(3)
  })

  it.each(pages)('%s: every relative link names a file of the repository, every anchor a heading', (page) => {
    const broken: string[] = []
    for (const link of links(page)) {
      if (/^[a-z]+:/i.test(link)) continue
      const [path, anchor] = link.split('#') as [string, string | undefined]
      const target = path === '' ? page : relative(root, join(dirname(join(root, page)), path))
      if (target.startsWith('..') || !existsSync(join(root, target))) {
        broken.push(`${link}: no such file in the repository`)
        continue
      }
      if (anchor !== undefined && target.endsWith('.md') && !headings(target).has(anchor)) broken.push(`${link}: no such heading`)
    }
    expect(broken).toEqual([])
  })
})
