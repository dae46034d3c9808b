// What encryption at rest costs, in Debian's Chromium: cold start (a fresh page's `start()` to
// its signed-in snapshot) and `logout()`, with `encryptAtRest` on and off, on real IndexedDB
// and WebCrypto. The protocol and revocation endpoint answer in the page, so network time is
// not in the numbers: what differs between the two modes is sealing and opening.
//
//   node bench/encryption.js [--runs 40] [--out bench/.tmp]   (or BENCH_ENCRYPTION_RUNS)
//
// Writes bench/encryption.md and bench/encryption.json and prints the table. Target: at most
// 2 ms added at p95 (issue 14).

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { launchChromium, missingEngine } from '../dev/browsers/index.js'
import { onFreePort } from '../dev/ports.js'
import { servePage } from './stack.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const pageRoot = join(here, 'encryption-page')
const pageOut = join(here, '.tmp', 'encryption-page')

const { values: flags } = parseArgs({ options: { runs: { type: 'string' }, out: { type: 'string' } } })
const rawRuns = flags.runs ?? process.env.BENCH_ENCRYPTION_RUNS ?? '40'
const runs = Number(rawRuns)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`bench: --runs must be an integer ≥ 1, got ${rawRuns}`)
const outDir = flags.out ? join(process.cwd(), flags.out) : here
const targetMs = 2

const log = (line) => process.stderr.write(`${line}\n`)

/** Percentile by linear interpolation between the closest ranks (numpy's default), as bench/run.js. */
function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low)
}
const round = (n) => Math.round(n * 100) / 100
const summary = (samples) => ({ runs: samples.length, median: round(percentile(samples, 50)), p95: round(percentile(samples, 95)) })

const cleanups = []
async function cleanup() {
  for (const step of cleanups.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined)
}

async function main() {
  const missing = missingEngine('chromium')
  if (missing) throw new Error(`bench: ${missing}`)
  const started = Date.now()
  log('bench: building the encryption bench page (tokenwarden from src/)')
  const origin = await onFreePort(async (port) => {
    cleanups.push(await servePage({ from: pageRoot, to: pageOut, port }))
    return `http://127.0.0.1:${port}`
  })
  const browser = await launchChromium()
  cleanups.push(() => browser.close())
  const context = await browser.newContext()
  const page = await context.newPage()
  const call = (name, ...args) => page.evaluate(([fn, params]) => window.bench[fn](...params), [name, args])

  await page.goto(origin)
  for (const encrypt of [true, false]) {
    const atRest = await call('seed', encrypt)
    if (atRest !== (encrypt ? 'encrypted' : 'off')) throw new Error(`bench: seeding with encryptAtRest ${encrypt} gave ${atRest}`)
  }

  const samples = { coldStart: { encrypted: [], plaintext: [] }, logout: { encrypted: [], plaintext: [] } }
  log(`bench: cold start and logout, ${runs} runs per mode (+1 warm-up), modes interleaved`)
  for (let run = -1; run < runs; run += 1) {
    // Alternate which mode goes first, so neither always meets a warmer browser.
    const order = run % 2 === 0 ? [true, false] : [false, true]
    for (const encrypt of order) {
      const mode = encrypt ? 'encrypted' : 'plaintext'
      await page.goto(origin) // a fresh page: new JavaScript realm, new IndexedDB connection
      const cold = await call('coldStart', encrypt)
      if (cold.status !== 'signed-in' || cold.atRest !== (encrypt ? 'encrypted' : 'off')) {
        throw new Error(`bench: cold start (${mode}) ended ${cold.status} / ${cold.atRest}`)
      }
      const out = await call('logout', encrypt)
      if (!out.revoked) throw new Error(`bench: logout (${mode}) did not revoke both tokens`)
      // The logout ended the seeded session: seed it again for the next cold start.
      await call('seed', encrypt)
      if (run >= 0) {
        samples.coldStart[mode].push(cold.ms)
        samples.logout[mode].push(out.ms)
      }
    }
  }

  const result = (name) => {
    const encrypted = summary(samples[name].encrypted)
    const plaintext = summary(samples[name].plaintext)
    return { encrypted, plaintext, addedMedian: round(encrypted.median - plaintext.median), addedP95: round(encrypted.p95 - plaintext.p95) }
  }
  const results = {
    date: new Date().toISOString(),
    chromium: browser.version(),
    runs,
    targetAddedP95Ms: targetMs,
    coldStart: result('coldStart'),
    logout: result('logout'),
    durationSeconds: Math.round((Date.now() - started) / 1000),
  }
  const row = (label, r) =>
    `| ${label} | ${r.plaintext.median} | ${r.plaintext.p95} | ${r.encrypted.median} | ${r.encrypted.p95} | ${r.addedMedian} | ${r.addedP95} | ${r.addedP95 <= targetMs ? 'yes' : '**no**'} |`
  const markdown = `# Encryption at rest: what it costs

_Written by bench/encryption.js (node bench/encryption.js); do not edit by hand._

Chromium ${results.chromium}, real IndexedDB and WebCrypto; the protocol and the revocation endpoint answer in the page, so no network time is counted. ${runs} runs per mode, interleaved, after one warm-up each. Milliseconds.

| Step | plaintext median | plaintext p95 | encrypted median | encrypted p95 | added at median | added at p95 | p95 within ${targetMs} ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |
${row('Cold start (`start()` → signed-in snapshot, fresh page)', results.coldStart)}
${row('`logout()` (take, revoke both, settle)', results.logout)}

Cold start reads the key beside the record and opens the record (one AES-GCM decryption). Logout seals the two outbox entries and, in its one write transaction, checks that the record is still the one this tab last saw (no extra read when it is). The machine's other load shows in the p95 of both modes alike; the medians show the cost of sealing. This run took ${results.durationSeconds} s.
`
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'encryption.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(outDir, 'encryption.md'), markdown)
  process.stdout.write(markdown)
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130))
  })
}

main()
  .catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(cleanup)
