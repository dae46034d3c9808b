// README's code blocks, read the way test/readme.test.ts reads them (a fenced block and its
// language), but by section: the consumer-app test (e2e/consumer-app.test.ts) turns the blocks
// of "Quick start", "React" and "Vue" into the files of an app, so what it type-checks and
// bundles is what README shows, never a copy.
import { readFileSync } from 'node:fs'

export interface CodeBlock {
  /** The fence's language: `ts`, `tsx`, `vue`, `sh`. */
  language: string
  code: string
  /** README's line of the opening fence, for messages. */
  line: number
}

const readmePath = new URL('../README.md', import.meta.url)

/** The fenced code blocks of README's `## <heading>` section (up to the next `## ` heading). */
export function readmeSection(heading: string, readme = readFileSync(readmePath, 'utf8')): CodeBlock[] {
  const start = readme.indexOf(`\n## ${heading}\n`)
  if (start === -1) throw new Error(`README has no "## ${heading}" section`)
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map((match) => ({
    language: match[1]!,
    code: match[2]!,
    line: readme.slice(0, start + match.index).split('\n').length,
  }))
}

/**
 * The file a block names in its first line (`// main.ts`, `<!-- App.vue -->`), as README's Vue
 * example does for its two files; undefined for a block that names none.
 */
export function namedFile(block: CodeBlock): string | undefined {
  return /^(?:\/\/\s*|<!--\s*)([\w.-]+\.(?:ts|tsx|vue))(?:\s*-->)?\s*$/m.exec(block.code.split('\n', 1)[0]!)?.[1]
}
