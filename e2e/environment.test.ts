// The port helper every stack in the suite starts on: a port taken between choosing and
// listening (the CI failure of 2026-12-01, "Port 37529 is already in use") costs a retry, not a red run.
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { onFreePort } from '../dev/ports.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      servers.push(server)
      resolve(server)
    })
  })
}

describe('onFreePort', () => {
  it('starts again on a fresh port when another process took the chosen one first', async () => {
    const tried: number[] = []
    const server = await onFreePort(async (port) => {
      tried.push(port)
      // The first time, something else gets there first: the start fails with EADDRINUSE.
      if (tried.length === 1) await listen(port)
      return listen(port)
    })
    expect(tried).toHaveLength(2)
    expect(tried[1]).not.toBe(tried[0])
    expect(server.address()).toMatchObject({ port: tried[1] })
  })

  it("retries Vite's strictPort refusal too", async () => {
    let calls = 0
    const result = await onFreePort(async (port) => {
      calls += 1
      if (calls === 1) throw new Error(`Port ${port} is already in use`)
      return port
    })
    expect(calls).toBe(2)
    expect(typeof result).toBe('number')
  })

  it('passes any other failure straight through, without a second start', async () => {
    let calls = 0
    const failing = onFreePort(async () => {
      calls += 1
      throw new Error('the server would not build')
    })
    await expect(failing).rejects.toThrow('the server would not build')
    expect(calls).toBe(1)
  })

  it('gives up after its tries, with the last error', async () => {
    let calls = 0
    const failing = onFreePort(
      async (port) => {
        calls += 1
        throw Object.assign(new Error(`listen EADDRINUSE: 127.0.0.1:${port}`), { code: 'EADDRINUSE' })
      },
      { tries: 3 },
    )
    await expect(failing).rejects.toMatchObject({ code: 'EADDRINUSE' })
    expect(calls).toBe(3)
  })
})
