// WebKitGTK through its WebDriver (WebKitWebDriver + MiniBrowser, Debian's webkit2gtk-driver)
// and webdriverio, on an Xvfb display of its own. A profile is a WebDriver session (each starts
// with empty storage), a tab one of its windows.
//
// WebKit's WebDriver has no offline switch, so every session is pointed (the W3C `proxy`
// capability, which WebKitGTK honours for loopback too) at a small forwarding proxy of ours:
// cutting the network means that proxy drops every connection, so the page's requests really
// fail. The proxy also gives the tests what Playwright's request events give them elsewhere:
// the URLs the browser asked for and the token endpoint's answers.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, request as forward, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { remote } from 'webdriverio'
import { onFreePort } from '../ports.js'
import type { Engine, IssuedTokens, Profile, Tab } from './engine.js'

type WdioBrowser = Awaited<ReturnType<typeof remote>>

/** A WebDriver call that may hang when the browser does: given up after `ms`, the process kill follows. */
const within = (ms: number, work: Promise<unknown>) =>
  Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())])

const children = new Set<ChildProcess>()
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops a child and everything in its process group (it leads one: MiniBrowser and WebKit's
 * network and web processes included), and waits until none of them is left.
 */
async function stop(child: ChildProcess) {
  children.delete(child)
  const pgid = child.pid
  if (pgid === undefined) return
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(-pgid, signal)
    } catch {
      return // nothing left
    }
    const deadline = Date.now() + 3000
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    if (!groupAlive(pgid)) return
  }
}
// Last resort when the worker exits without its afterAll (a crash): no orphaned browsers.
process.once('exit', () => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})

/** The end of each child's stderr, for the error when it dies; read so a full pipe never blocks it. */
const stderrTail = new WeakMap<ChildProcess, string>()

function start(command: string, args: string[], env: NodeJS.ProcessEnv, extraFd = false): ChildProcess {
  const child = spawn(command, args, {
    env,
    detached: true,
    stdio: extraFd ? ['ignore', 'ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'],
  })
  children.add(child)
  child.stderr!.on('data', (chunk: Buffer) => stderrTail.set(child, ((stderrTail.get(child) ?? '') + String(chunk)).slice(-2000)))
  return child
}

async function startXvfb(xvfb: string): Promise<{ display: string; process: ChildProcess }> {
  const child = start(xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], process.env, true)
  const display = await new Promise<string>((resolve, reject) => {
    let text = ''
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      text += String(chunk)
      if (text.includes('\n')) resolve(`:${text.trim()}`)
    })
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before choosing a display: ${stderrTail.get(child) ?? ''}`)))
    setTimeout(() => reject(new Error('Xvfb chose no display within 10 s')), 10_000).unref()
  })
  return { display, process: child }
}

function startDriver(driver: string, display: string): Promise<{ port: number; process: ChildProcess }> {
  return onFreePort((port) => startDriverOn(driver, display, port))
}

async function startDriverOn(driver: string, display: string, port: number): Promise<{ port: number; process: ChildProcess }> {
  const child = start(driver, [`--port=${port}`, '--host=127.0.0.1'], { ...process.env, DISPLAY: display })
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) {
      const said = stderrTail.get(child) ?? ''
      const error = new Error(`WebKitWebDriver exited with ${child.exitCode}: ${said}`)
      // "FATAL: Unable to listen for HTTP server at host 127.0.0.1 and port N": taken meanwhile.
      throw /unable to listen/i.test(said) ? Object.assign(error, { code: 'EADDRINUSE' }) : error
    }
    const ready = await fetch(`http://127.0.0.1:${port}/status`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) return { port, process: child }
    if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer /status within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A forwarding HTTP proxy on loopback that can drop everything ("offline") and logs what passes. */
async function startProxy() {
  const sockets = new Set<Socket>()
  const state = { offline: false, requestedUrls: [] as string[], issued: [] as IssuedTokens[] }
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/')
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      // Only loopback may ever be contacted.
      res.writeHead(502).end()
      return
    }
    state.requestedUrls.push(url.href)
    if (state.offline) {
      req.socket.destroy()
      return
    }
    const upstream = forward(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        if (req.method === 'POST' && url.pathname === '/token') {
          const chunks: Buffer[] = []
          answer.on('data', (chunk: Buffer) => chunks.push(chunk))
          answer.on('end', () => {
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<IssuedTokens>
              if (body.access_token) state.issued.push(body as IssuedTokens)
            } catch {
              // not a token answer
            }
          })
        }
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    // The browser gave up (a timeout, a closed tab): so does the forwarded request.
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

export async function launchWebKit(paths: { driver: string; browser: string; xvfb: string }): Promise<Engine> {
  const cleanups: Array<() => Promise<void>> = []
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
  }
  try {
    const x = await startXvfb(paths.xvfb)
    cleanups.push(() => stop(x.process))
    const driver = await startDriver(paths.driver, x.display)
    cleanups.push(() => stop(driver.process))
    const sessions = new Set<WdioBrowser>()
    cleanups.push(async () => {
      await within(10_000, Promise.allSettled([...sessions].map((session) => session.deleteSession())))
    })
    let version = 'unknown'

    const newProfile = async () => {
      const proxy = await startProxy()
      let session: WdioBrowser
      try {
        session = await remote({
          hostname: '127.0.0.1',
          port: driver.port,
          path: '/',
          logLevel: 'error',
          connectionRetryCount: 0,
          capabilities: {
            browserName: 'MiniBrowser',
            'wdio:enforceWebDriverClassic': true,
            proxy: { proxyType: 'manual', httpProxy: `127.0.0.1:${proxy.port}`, noProxy: [] },
            'webkitgtk:browserOptions': { binary: paths.browser, args: ['--automation'] },
          } as WebdriverIO.Capabilities,
        })
      } catch (error) {
        await proxy.close()
        throw error
      }
      sessions.add(session)
      version = String((session.capabilities as { browserVersion?: string }).browserVersion ?? version)
      const profile = wrapSession(session, proxy, async () => {
        sessions.delete(session)
        await within(10_000, session.deleteSession())
        await proxy.close()
      })
      return { profile, tab: await profile.firstTab() }
    }

    // One session up front: it tells the version, and proves the engine works before any test.
    const probe = await newProfile()
    await probe.profile.close()
    return { name: 'webkit', version, newProfile, close: closeAll }
  } catch (error) {
    await closeAll()
    throw error
  }
}

function wrapSession(
  session: WdioBrowser,
  proxy: Awaited<ReturnType<typeof startProxy>>,
  close: () => Promise<void>,
): Profile & { firstTab(): Promise<Tab> } {
  // WebDriver talks to one window at a time: every tab operation switches to its window first,
  // and operations run one after another so no other tab switches in between.
  let current: string | undefined
  let queue: Promise<unknown> = Promise.resolve()
  const inWindow = <R>(handle: string, action: () => Promise<R>): Promise<R> => {
    const run = queue.then(async () => {
      if (current !== handle) {
        await session.switchToWindow(handle)
        current = handle
      }
      return action()
    })
    queue = run.catch(() => undefined)
    return run
  }

  const tab = (handle: string): Tab => ({
    goto: (url) => inWindow(handle, async () => void (await session.url(url))),
    evaluate: (fn, arg) => inWindow(handle, () => session.execute(fn as never, arg as never) as never),
    click: (selector) => inWindow(handle, async () => (await session.$(selector)).click()),
    url: () => inWindow(handle, () => session.getUrl()),
    setViewport: (width, height) => inWindow(handle, async () => void (await session.setWindowSize(width, height))),
    screenshot: (path) => inWindow(handle, async () => void (await session.saveScreenshot(path))),
    close: () =>
      inWindow(handle, async () => {
        const handles = await session.getWindowHandles()
        // Closing a session's last window ends the session (and the profile with it): keep
        // an empty window open, which runs no page script.
        if (handles.length === 1) await session.createWindow('tab')
        const left = await session.closeWindow()
        // WebDriver keeps pointing at the closed window: point it at one that exists.
        const next = (Array.isArray(left) ? left : await session.getWindowHandles())[0]!
        await session.switchToWindow(next)
        current = next
      }),
  })

  return {
    offlineBy: 'proxy',
    requestedUrls: proxy.state.requestedUrls,
    issued: proxy.state.issued,
    setOffline: async (offline) => {
      proxy.state.offline = offline
    },
    firstTab: async () => tab(await session.getWindowHandle()),
    newTab: () =>
      queue.then(async () => {
        const { handle } = await session.createWindow('tab')
        return tab(handle)
      }),
    close,
  }
}
