// The first hour, as README tells it: `npm run demo -- --spa-origin <your app's origin>` (README,
// "Your app against the dev server"), then a fresh app on that origin that pastes the values the
// command printed into the quick start's createSession, signs in, calls the printed API through
// session.http and logs out; the server's verdict says both tokens are dead. The app's
// createSession and its start/callback lines are README's quick start, read from README. The command runs as
// a person runs it (a child process, its output read as printed), on free loopback ports
// (AUTH_PORT, DEMO_PORT); the app is a page of its own on a third port, served by Vite.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchEngine, type Engine } from '../../dev/browsers/index.js'
import { freePort } from '../../dev/ports.js'
import { sourceAliases } from '../../dev/sources.js'
import { artifacts, describeInEngine, engineName, textOf, waitForSelector, waitInTab } from '../harness.js'
import { readmeSection } from '../readme-examples.js'
import { npmEnv, root } from '../tarball.js'

/** What `npm run demo -- --spa-origin` prints for "your app", read as a person reads it. */
interface Printed {
  authority: string
  clientId: string
  redirectUris: string[]
  scope: string
  api: string
  destinations: string[]
}

function readSummary(output: string): Printed {
  const field = (label: string) => {
    const match = new RegExp(`^\\s*${label}:\\s+(.+)$`, 'm').exec(output)
    if (!match?.[1]) throw new Error(`npm run demo printed no "${label}:" line:\n${output}`)
    return match[1].trim()
  }
  const redirects = /redirect URIs:\s+([\s\S]*?)\n\s*scope:/.exec(output)?.[1] ?? ''
  const apiLine = field('API')
  const destinations =
    /destinations: \[([^\]]*)\]/
      .exec(apiLine)?.[1]
      ?.split(',')
      .map((d) => d.trim().replace(/^'|'$/g, '')) ?? []
  return {
    authority: field('authority'),
    clientId: field('clientId'),
    redirectUris: redirects.split(/\s+/).filter(Boolean),
    scope: field('scope'),
    api: apiLine.split(/\s+/)[0] ?? '',
    destinations,
  }
}

/** `find` replaced by `by` in `text`; a README that no longer says `find` fails the test, loudly. */
function paste(text: string, find: string | RegExp, by: string) {
  if (!(typeof find === 'string' ? text.includes(find) : find.test(text))) {
    throw new Error(`README's quick start no longer has ${String(find)}: update this test with it`)
  }
  return text.replace(find, by)
}

/**
 * The app's main.ts: README's quick start as a person uses it, its `createSession({...})` and its
 * start/callback lines taken from README itself, the example values replaced by the printed
 * ones; then a button per step (sign-in, the API, logout) instead of the quick start's sequence.
 */
function appMain(printed: Printed) {
  const [quickStart] = readmeSection('Quick start').filter((block) => block.language === 'ts')
  if (!quickStart) throw new Error("README's Quick start has no ts example")
  const lines = quickStart.code.split('\n')
  const create = /const session = createSession\(\{[\s\S]*?\n\}\)/.exec(quickStart.code)?.[0]
  const start = lines.find((line) => line.startsWith('await session.start()'))
  const callback = lines.find((line) => line.includes('session.handleCallback()'))
  if (!create || !start || !callback) throw new Error("README's quick start lacks createSession({...}), start() or handleCallback()")
  let session = paste(create, "'https://id.example.com'", JSON.stringify(printed.authority))
  session = paste(session, "'my-spa'", JSON.stringify(printed.clientId))
  session = paste(session, /scope: '[^']*'/, `scope: ${JSON.stringify(printed.scope)}`)
  session = paste(session, "['https://api.example.com']", JSON.stringify(printed.destinations))
  return `import { createSession } from 'tokenwarden'

${session}

const $ = (id: string) => document.getElementById(id)!
function render(snapshot: ReturnType<typeof session.getSnapshot>) {
  $('status').textContent = snapshot.status
  $('status').dataset.status = snapshot.status
}
const show = (promise: Promise<unknown>) =>
  promise.then((value) => ($('out').textContent = JSON.stringify(value)), (error) => ($('out').textContent = String(error)))

${start}
${callback}
session.subscribe(() => render(session.getSnapshot()))
render(session.getSnapshot())

$('login').onclick = () => void session.login()
$('api').onclick = () => void show(session.http.get(${JSON.stringify(printed.api)}).json())
$('logout').onclick = () => void show(session.logout().then((result) => ({ cleared: result.cleared, revocation: result.revocation })))
`
}

const appHtml = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>my app</title></head>
  <body>
    <p id="status">loading</p>
    <button id="login">Sign in</button> <button id="api">Call the API</button> <button id="logout">Log out</button>
    <pre id="out"></pre>
    <script type="module" src="/main.ts"></script>
  </body>
</html>
`

/** Starts `npm run demo -- --spa-origin <origin>` and resolves with what it printed once it is up. */
function startDemoCommand(appOrigin: string, ports: { auth: number; demo: number }) {
  // Its own process group, so that stopping it stops npm, tsx and the servers together.
  const child = spawn('npm', ['run', 'demo', '--', '--spa-origin', appOrigin], {
    cwd: root,
    env: { ...npmEnv(), AUTH_PORT: String(ports.auth), DEMO_PORT: String(ports.demo) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const printed = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run demo did not come up in 30 s:\n${output}`)), 30_000)
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ctrl+C stops both.')) {
        clearTimeout(timer)
        resolve(output)
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`npm run demo exited (${code}):\n${output}`))
    })
  })
  return { child, printed }
}

/** Whether any process of the group `pgid` is still there. */
function groupAlive(pgid: number) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops the command's process group (npm, tsx, node and its servers) and waits until all of it is gone. */
async function stop(child: ChildProcess | undefined) {
  const pgid = child?.pid
  if (!pgid || !groupAlive(pgid)) return
  process.kill(-pgid, 'SIGTERM')
  const deadline = Date.now() + 5000
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) process.kill(-pgid, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describeInEngine("README's first hour: your own app against `npm run demo -- --spa-origin`", () => {
  const appDir = join(artifacts, `first-hour-app-${engineName}`)
  let command: ChildProcess | undefined
  let app: ViteDevServer | undefined
  let engine: Engine | undefined
  let appOrigin = ''
  let printed: Printed

  beforeAll(async () => {
    const [auth, demo, appPort] = [await freePort(), await freePort(), await freePort()]
    appOrigin = `http://127.0.0.1:${appPort}`
    const started = startDemoCommand(appOrigin, { auth, demo })
    command = started.child
    printed = readSummary(await started.printed)

    rmSync(appDir, { recursive: true, force: true })
    mkdirSync(appDir, { recursive: true })
    writeFileSync(join(appDir, 'index.html'), appHtml)
    writeFileSync(join(appDir, 'main.ts'), appMain(printed))
    app = await createServer({
      configFile: false,
      root: appDir,
      // Its own dependency cache: the demo's server shares the repository's.
      cacheDir: join(appDir, '.vite'),
      logLevel: 'warn',
      clearScreen: false,
      // The app imports `tokenwarden` as an installed app does; here that is this repository's sources.
      resolve: { alias: sourceAliases },
      server: { host: '127.0.0.1', port: appPort, strictPort: true, hmr: false, watch: null },
    })
    await app.listen()
    engine = await launchEngine(engineName)
  }, 60_000)

  afterAll(async () => {
    await engine?.close()
    await app?.close()
    await stop(command)
    rmSync(appDir, { recursive: true, force: true })
  })

  it('the command prints what the app needs; the app signs in, calls the printed API with its token, and after logout the server says both tokens are dead', async () => {
    // What README promises the command prints for the app's origin.
    expect(printed.redirectUris).toContain(`${appOrigin}/callback`)
    expect(printed.api).toBe(`${printed.authority}/api/me`)
    expect(printed.destinations).toEqual([`${printed.authority}/api/`])
    expect(printed.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access']))

    const { profile, tab } = await engine!.newProfile()
    try {
      await tab.goto(`${appOrigin}/`)
      await waitForSelector(tab, '#status[data-status="signed-out"]')
      await tab.click('#login')
      // Back on the redirect URI, code and state gone from the address (handleCallback's promise).
      await waitInTab(tab, (expected) => location.href === expected && document.readyState === 'complete', `${appOrigin}/callback`, {
        what: 'back at the app',
      })
      await waitForSelector(tab, '#status[data-status="signed-in"]')

      const since = Date.now()
      await tab.click('#api')
      await waitInTab(tab, () => document.querySelector('#out')?.textContent?.includes('demo-user'), undefined, { what: 'the API answer' })
      // The server's log (token values masked): the API got a bearer token from the app's origin.
      const requests = (await (await fetch(`${printed.authority}/__control/requests?since=${since}`)).json()) as Array<{
        endpoint: string
        status?: number
        headers: Record<string, string>
      }>
      const api = requests.filter((r) => r.endpoint === 'api')
      expect(api.map((r) => ({ status: r.status, scheme: r.headers.authorization?.split(' ')[0], origin: r.headers.origin }))).toEqual([
        { status: 200, scheme: 'Bearer', origin: appOrigin },
      ])

      await tab.click('#logout')
      await waitForSelector(tab, '#status[data-status="signed-out"]')
      await waitInTab(tab, () => document.querySelector('#out')?.textContent?.includes('revocation'), undefined, {
        what: 'the logout result',
      })
      expect(JSON.parse((await textOf(tab, '#out')) ?? '')).toEqual({
        cleared: true,
        revocation: { refresh_token: 'revoked', access_token: 'revoked' },
      })
      // The verdict the demo page shows: each revocation the server received, and introspection now.
      const verdict = (await (await fetch(`${printed.authority}/__control/verdict?since=${since}`)).json()) as Array<{
        hint: string
        status: number | null
        active: boolean
        clientId: string
      }>
      expect(verdict.map(({ hint, status, active, clientId }) => ({ hint, status, active, clientId }))).toEqual(
        expect.arrayContaining([
          { hint: 'refresh_token', status: 200, active: false, clientId: printed.clientId },
          { hint: 'access_token', status: 200, active: false, clientId: printed.clientId },
        ]),
      )
      expect(verdict).toHaveLength(2)
    } finally {
      await profile.close()
    }
  })
})
