// What encryption at rest costs, in Debian's Chromium: cold start (a fresh page's `start()` to
// its signed-in snapshot) and `logout()`, with `encryptAtRest` on and off, on real IndexedDB
// and WebCrypto. The protocol and revocation endpoint answer in the page, so network time is
// not in the numbers: what differs between the two modes is sealing and opening.
//
//   npm run bench:encryption -- [--runs 40] [--out bench/.tmp]   (or BENCH_ENCRYPTION_RUNS)
//
// Writes bench/results/encryption.md and encryption.json and prints the table. Target: at most
// 2 ms added at p95 (issue 14).

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { launchChromium, missingEngine } from '../dev/browsers/index.js'
import { onFreePort } from '../dev/ports.js'
import type { EncryptionBench } from './encryption-page/main.js'
import { resultsDir } from './results-file.js'
import { type Cleanup, log, servePage } from './stack.js'
import { percentile, round } from './stats.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const pageRoot = join(here, 'encryption-page')
const pageOut = join(here, '.tmp', 'encryption-page')

const { values: flags } = parseArgs({ options: { runs: { type: 'string' }, out: { type: 'string' } } })
const rawRuns = flags.runs ?? process.env.BENCH_ENCRYPTION_RUNS ?? '40'
const runs = Number(rawRuns)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`bench: --runs must be an integer ≥ 1, got ${rawRuns}`)
const outDir = flags.out ? join(process.cwd(), flags.out) : resultsDir
const targetMs = 2

interface Figures {
  runs: number
  median: number
  p95: number
}
const summary = (samples: number[]): Figures => ({
  runs: samples.length,
  median: round(percentile(samples, 50)),
  p95: round(percentile(samples, 95)),
})

const cleanups: Cleanup[] = []
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
  /** Calls `window.bench[name](...args)` in the encryption page (bench/encryption-page/main.ts). */
  const call = <K extends keyof EncryptionBench>(name: K, ...args: Parameters<EncryptionBench[K]>) =>
    page.evaluate(
      ([fn, params]) => ((window as unknown as { bench: EncryptionBench }).bench[fn] as (...args: unknown[]) => unknown)(...params),
      [name, args] as const,
    ) as Promise<Awaited<ReturnType<EncryptionBench[K]>>>

  await page.goto(origin)
  for (const encrypt of [true, false]) {
    const atRest = await call('seed', encrypt)
    if (atRest !== (encrypt ? 'encrypted' : 'off')) throw new Error(`bench: seeding with encryptAtRest ${encrypt} gave ${atRest}`)
  }

  const samples = {
    coldStart: { encrypted: [] as number[], plaintext: [] as number[] },
    logout: { encrypted: [] as number[], plaintext: [] as number[] },
  }
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

  const result = (name: keyof typeof samples) => {
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
  const row = (label: string, r: ReturnType<typeof result>) =>
    `| ${label} | ${r.plaintext.median} | ${r.plaintext.p95} | ${r.encrypted.median} | ${r.encrypted.p95} | ${r.addedMedian} | ${r.addedP95} | ${r.addedP95 <= targetMs ? 'yes' : '**no**'} |`
  const markdown = `# Encryption at rest: what it costs

_Written by bench/encryption.ts (npm run bench:encryption); do not edit by hand._

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
