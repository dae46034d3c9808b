// `npm run bench:render` (tsx bench/render.ts): writes bench/results.md again from
// bench/results.json, the targets judged again and the bundle sizes built again (deterministic:
// the same sources give the same bytes), for when only the report, the targets or the code's
// size changed. Every timing comes from the measured run in results.json; no timing is measured
// here. Then bench/update-readme.ts carries it into the README.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { render } from './report.js'
import { measureSizes } from './size.js'
import { resultsFromJson, resultsToJson } from './results-file.js'
import { judgeTargets } from './targets.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const results = resultsFromJson(readFileSync(`${here}results.json`, 'utf8'))
results.targets = judgeTargets(results.logout)
results.size = await measureSizes()
writeFileSync(`${here}results.json`, resultsToJson(results))
writeFileSync(`${here}results.md`, render(results))
process.stderr.write('bench: results.md written again from results.json (timings as measured; sizes built again)\n')
