// Copies bench/results.md (written by bench/run.js) into README.md between
// `<!-- bench:start -->` and `<!-- bench:end -->`, so the README's figures are never typed by
// hand. Run by `npm run bench` after the measurements; `node bench/update-readme.js` alone
// re-applies the last results. Touches nothing outside the markers.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * The README section from results.md: its title and "written by" line dropped, its headings
 * one level down (the README's own `## Benchmarks` heading sits above the markers).
 * @param {string} results
 */
export function readmeSection(results) {
  const body = results
    .replace(/^# .*\n+/, '')
    .replace(/^_Written by .*_\n+/m, '')
    .replace(/^(#{2,5}) /gm, '#$1 ')
    .trim()
  return `<!-- Written by bench/update-readme.js from bench/results.md (npm run bench); do not edit by hand. -->\n\n${body}`
}

/**
 * README with everything between `<!-- NAME:start -->` and `<!-- NAME:end -->` replaced by
 * `body`; touches nothing outside the markers. Shared by every generated README section
 * (benchmarks here, the browser table in e2e/browser-table.js).
 * @param {string} readme
 * @param {string} name
 * @param {string} body
 * @param {string} command what rewrites the section, for the error message
 */
export function replaceBetweenMarkers(readme, name, body, command) {
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

/**
 * @param {string} readme
 * @param {string} results
 */
export function replaceSection(readme, results) {
  return replaceBetweenMarkers(readme, 'bench', readmeSection(results), 'node bench/update-readme.js')
}

const isMain = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url
if (isMain) {
  const readmePath = fileURLToPath(new URL('../README.md', import.meta.url))
  const resultsPath = fileURLToPath(new URL('./results.md', import.meta.url))
  try {
    if (!existsSync(resultsPath)) throw new Error('bench/results.md does not exist yet: run `npm run bench` first.')
    const readme = readFileSync(readmePath, 'utf8')
    const next = replaceSection(readme, readFileSync(resultsPath, 'utf8'))
    if (next === readme) console.log('README.md: benchmark section already up to date')
    else {
      writeFileSync(readmePath, next)
      console.log('README.md: benchmark section rewritten from bench/results.md')
    }
  } catch (error) {
    console.error(`update-readme: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
