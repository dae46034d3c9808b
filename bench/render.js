// `node bench/render.js`: writes bench/results.md again from bench/results.json, the targets
// judged again, for when only the report's wording or the targets changed. Every figure comes
// from the measured run in results.json; nothing is measured here. Then `node
// bench/update-readme.js` carries it into the README.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { render } from './report.js'
import { judgeTargets } from './targets.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const results = JSON.parse(readFileSync(`${here}results.json`, 'utf8'))
results.targets = judgeTargets(results.logout)
writeFileSync(`${here}results.json`, `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(`${here}results.md`, render(results))
process.stderr.write('bench: results.md written again from results.json (no new measurements)\n')
