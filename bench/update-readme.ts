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
  const resultsPath = `${resultsDir}results.md`
  try {
    if (!existsSync(resultsPath)) throw new Error('bench/results/results.md does not exist yet: run `npm run bench` first.')
    const changed = rewriteReadmeSection('bench', readmeSection(readFileSync(resultsPath, 'utf8')), command, benchmarksPath)
    console.log(
      changed
        ? 'docs/benchmarks.md: benchmark section rewritten from bench/results/results.md'
        : 'docs/benchmarks.md: benchmark section already up to date',
    )
    const sizePath = `${resultsDir}size.md`
    if (!existsSync(sizePath)) throw new Error('bench/results/size.md does not exist yet: run `npm run size` first.')
    const sizeChanged = rewriteReadmeSection('size', sizeReadmeSection(readFileSync(sizePath, 'utf8')), sizeReadmeCommand, benchmarksPath)
    console.log(
      sizeChanged
        ? 'docs/benchmarks.md: bundle-size section rewritten from bench/results/size.md'
        : 'docs/benchmarks.md: bundle-size section already up to date',
    )
    const silentPath = `${resultsDir}silent-renew.md`
    if (existsSync(silentPath)) {
      rewriteReadmeSection(
        'silent-renew',
        silentRenewSection(readFileSync(silentPath, 'utf8')),
        'npm run bench:silent-renew',
        benchmarksPath,
      )
    }
  } catch (error) {
    console.error(`update-readme: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
