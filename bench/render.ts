// `npm run bench:render` (tsx bench/render.ts): writes bench/results/results.md again from
// bench/results/results.json, the targets judged again, and bench/results/size.md with README's
// "Bundle size" section written again (sizes are deterministic: the same sources give the same
// bytes), for when only the report, the targets or the code's size changed. Every timing comes from the measured run in results.json; no timing is measured
// here. Then bench/update-readme.ts carries it into the README.
import { readFileSync, writeFileSync } from 'node:fs'
import { render } from './report.js'
import { measureSizes, writeSizeResults } from './size.js'
import { resultsDir, resultsFromJson, resultsToJson } from './results-file.js'
import { judgeRun } from './targets.js'

const results = resultsFromJson(readFileSync(`${resultsDir}results.json`, 'utf8'))
results.targets = judgeRun(results.logout, {
  ...(results.firstLogout ? { firstLogout: results.firstLogout } : {}),
  ...(results.logoutResources ? { logoutResources: results.logoutResources } : {}),
})
writeSizeResults(await measureSizes())
writeFileSync(`${resultsDir}results.json`, resultsToJson(results))
writeFileSync(`${resultsDir}results.md`, render(results))
process.stderr.write('bench: results.md written again from results.json (timings as measured); size.md built again\n')
