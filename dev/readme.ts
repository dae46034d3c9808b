// README.md's (and docs/benchmarks.md's) generated sections: each lies between `<!-- NAME:start -->` and `<!-- NAME:end -->`
// and is written by a script from what was measured or run (the benchmarks by
// bench/update-readme.ts, the browser table by e2e/browser-table.ts), never typed by hand.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const readmePath = fileURLToPath(new URL('../README.md', import.meta.url))
/** The benchmarks' page: its `bench`, `size` and `silent-renew` sections are written by the bench scripts. */
export const benchmarksPath = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url))

/**
 * README with everything between `<!-- NAME:start -->` and `<!-- NAME:end -->` replaced by
 * `body`; touches nothing outside the markers. `command` is what rewrites the section, for the
 * error message.
 */
export function replaceBetweenMarkers(readme: string, name: string, body: string, command: string): string {
  const startMarker = `<!-- ${name}:start -->`
  const endMarker = `<!-- ${name}:end -->`
  const start = readme.indexOf(startMarker)
  const end = readme.indexOf(endMarker)
  if (start === -1 || end === -1 || end < start || readme.indexOf(startMarker, start + 1) !== -1) {
    throw new Error(
      `README.md needs exactly one "${startMarker}" followed by one "${endMarker}" (on lines of their own) where the section goes; found ${start === -1 ? 'no start marker' : end === -1 ? 'no end marker' : 'them out of order or twice'}. Add them, then run \`${command}\`.`,
    )
  }
  return `${readme.slice(0, start + startMarker.length)}\n${body}\n${readme.slice(end)}`
}

/** Rewrites the section `name` of README.md (or of `path`) with `body`; says whether anything changed. */
export function rewriteReadmeSection(name: string, body: string, command: string, path = readmePath): boolean {
  const readme = readFileSync(path, 'utf8')
  const next = replaceBetweenMarkers(readme, name, body, command)
  if (next !== readme) writeFileSync(path, next)
  return next !== readme
}
