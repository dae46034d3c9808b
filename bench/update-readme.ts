// Copies bench/results/results.md (written by bench/run.ts) into docs/benchmarks.md between
// `<!-- bench:start -->` and `<!-- bench:end -->`, and bench/results/size.md (bench/size.ts)
// between `<!-- size:start -->` and `<!-- size:end -->`, so the README's figures are never typed
// by hand. Run by `npm run bench` after the measurements (`npm run size` rewrites the size
// section itself); `npx tsx bench/update-readme.ts` alone re-applies the last results. Touches
// nothing outside the markers (dev/readme.ts).

import { existsSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { benchmarksPath, replaceBetweenMarkers, rewriteReadmeSection } from '../dev/readme.js'
import { resultsDir, silentRenewSection } from './results-file.js'
import { sizeReadmeCommand, sizeReadmeSection } from './size.js'

// test/contracts/docs.test.ts imports it from here; it lives in dev/readme.ts.
export { replaceBetweenMarkers }

const command = 'npx tsx bench/update-readme.ts'

/**
 * The README section from results.md: its title and "written by" line dropped, its headings
 * one level down (the README's own `## Benchmarks` heading sits above the markers).
 */
export function readmeSection(results: string): string {
  const body = results
    .replace(/^# .*\n+/, '')
    .replace(/^_Written by .*_\n+/m, '')
    .replace(/^(#{2,5}) /gm, '#$1 ')
    .trim()
  return `<!-- Written by bench/update-readme.ts from bench/results/results.md (npm run bench); do not edit by hand. -->\n\n${body}`
}

/** README with the bench section replaced by what results.md says; throws when the markers are missing. */
export function replaceSection(readme: string, results: string): string {
  return replaceBetweenMarkers(readme, 'bench', readmeSection(results), command)
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url
if (isMain) {
  // Each section of docs/benchmarks.md, from the results file its script writes.
  const sections = [
    { name: 'bench', file: 'results.md', section: readmeSection, command, required: 'npm run bench' },
    { name: 'size', file: 'size.md', section: sizeReadmeSection, command: sizeReadmeCommand, required: 'npm run size' },
    { name: 'silent-renew', file: 'silent-renew.md', section: silentRenewSection, command: 'npm run bench:silent-renew' },
  ]
  try {
    for (const { name, file, section, command: by, required } of sections) {
      const path = `${resultsDir}${file}`
      if (!existsSync(path)) {
        if (!required) continue
        throw new Error(`bench/results/${file} does not exist yet: run \`${required}\` first.`)
      }
      const changed = rewriteReadmeSection(name, section(readFileSync(path, 'utf8')), by, benchmarksPath)
      console.log(`docs/benchmarks.md: ${name} section ${changed ? 'rewritten from' : 'already up to date with'} bench/results/${file}`)
    }
  } catch (error) {
    console.error(`update-readme: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
