import { describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, DPoPKeyStore } from '../../src/storage/index.js'
import { DPoP } from '../../src/protocol/dpop.js'
import { commit, dpopKeyRecord, recordKeys, sessionIdOf, sessionNames } from '../../src/storage/index.js'
import { switchable, ok } from '../helpers/fake-server.js'
import { issuer } from '../helpers/protocol.js'
import { createWorld } from '../helpers/session.js'

// Client ids that share a prefix: plain, URN-shaped, URL-shaped (a port is a `:` too).
const pairs = [
  ['spa', 'spa:admin'],
  ['urn:example:spa', 'urn:example:spa:admin'],
  ['https://app.example.test', 'https://app.example.test:8443'],
] as const

const tokensSent = (world: ReturnType<typeof createWorld>) => world.server.requests.map((request) => request.form.get('token'))

describe('session ids that share a prefix', () => {
  it.each(pairs)('no name of %s is a prefix of a name of %s, nor the other way', (short, long) => {
    const [a, b] = [sessionIdOf(issuer, short), sessionIdOf(issuer, long)]
    for (const [one, other] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const prefix of [recordKeys.outboxPrefix(one), recordKeys.dpopPrefix(one), recordKeys.statePrefix(one)]) {
        for (const key of [
          recordKeys.outboxEntry(other),
          recordKeys.dpopKey(other, crypto.randomUUID()),
          `${recordKeys.statePrefix(other)}s1`,
        ]) {
          expect(key.startsWith(prefix), `${key} under ${prefix}`).toBe(false)
        }
      }
      const names = Object.values(sessionNames(one))
      for (const name of Object.values(sessionNames(other))) expect(names).not.toContain(name)
    }
  })

  it.each(pairs)('a session of client %s neither sends nor deletes the queued revocations of client %s', async (short, long) => {
    const server = switchable(() => 'network-error')
    const world = createWorld(server.handler)
    const admin = await world.signedInTab({ clientId: long })
    const access = await admin.getAccessToken()
    await admin.logout()
    const queued = () => [...world.records.keys()].filter((key) => key.startsWith('outbox:'))
    const before = queued()
    expect(before).toHaveLength(2)
    admin.dispose()

    server.set(() => ok())
    world.server.requests.length = 0
    const spa = world.tab({ clientId: short })
    await spa.start()
    window.dispatchEvent(new Event('online'))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(tokensSent(world)).toEqual([])
    expect(queued()).toEqual(before)
    spa.dispose()

    // Its owner sends them.
    const again = world.tab({ clientId: long })
    await again.start()
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(queued()).toEqual([]))
    expect(tokensSent(world).sort()).toEqual([access, access.replace('at-', 'rt-')].sort())
  })

  it("a DPoP key sweep leaves the keys of a client whose id starts like this one's", async () => {
    const storage = createMemoryStorage()
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
    for (const [, long] of pairs) {
      // Old keys of those clients.
      await commit(storage, { set: [[recordKeys.dpopKey(sessionIdOf(issuer, long), crypto.randomUUID()), dpopKeyRecord(keys, 0)]] })
    }
    const before = (await storage.entries('dpop:')).map(([key]) => key).sort()
    for (const [short] of pairs) await new DPoP(new DPoPKeyStore(storage, sessionIdOf(issuer, short)), () => 3600_000).sweep()
    expect((await storage.entries('dpop:')).map(([key]) => key).sort()).toEqual(before)
  })
})
