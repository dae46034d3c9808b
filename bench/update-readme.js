// Copies bench/results.md (written by bench/run.js) into README.md between
// `<!-- bench:start -->` and `<!-- bench:end -->`, so the README's figures are never typed by
// hand. Run by `npm run bench` after the measurements; `node bench/update-readme.js` alone
// re-applies the last results. Touches nothing outside the markers.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const START = '<!-- bench:start -->'
const END = '<!-- bench:end -->'

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
 * @param {string} readme
 * @param {string} results
 */
export function replaceSection(readme, results) {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start === -1 || end === -1 || end < start || readme.indexOf(START, start + 1) !== -1) {
    throw new Error(
      `README.md needs exactly one "${START}" followed by one "${END}" (on lines of their own) where the benchmark section goes; found ${start === -1 ? 'no start marker' : end === -1 ? 'no end marker' : 'them out of order or twice'}. Add them, then run \`node bench/update-readme.js\`.`,
    )
  }
  return `${readme.slice(0, start + START.length)}\n${readmeSection(results)}\n${readme.slice(end)}`
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
