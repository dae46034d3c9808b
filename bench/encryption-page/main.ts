// The encryption-at-rest bench page, driven by bench/encryption.ts. It isolates what sealing
// costs: real IndexedDB and WebCrypto in Chromium, and the protocol and revocation endpoint
// answered in the page (no network), so the difference between the two modes is the cost of
// encryption alone. Timed here with performance.now().

import { createSession, type Session, type SessionOptions } from 'tokenwarden'
import { createFakeProtocol, issueGrant, issuer } from '../../dev/fake-protocol.js'

/** Tokens of a real token's length (a JWT's few hundred characters): sealing cost grows with it. */
const grant = () => issueGrant(3600_000, Date.now(), 640)
const protocol = createFakeProtocol({ callbackGrant: grant, refreshGrant: grant }).factory

/** The revocation endpoint: 200 at once. */
const fetchStub: typeof fetch = async () => new Response('', { status: 200 })

function open(encryptAtRest: boolean): Session {
  const options: SessionOptions = {
    authority: issuer,
    clientId: encryptAtRest ? 'sealed' : 'plain',
    redirectUri: `${location.origin}/callback`,
    encryptAtRest,
    protocol,
    fetch: fetchStub,
    navigate: () => {},
    autoRefresh: false,
    logger: { warn: () => {} },
  }
  return createSession(options)
}

/** Signs in once, so that a stored session (sealed or not) waits for the next page load. */
async function seed(encryptAtRest: boolean): Promise<string> {
  const session = open(encryptAtRest)
  await session.start()
  await session.handleCallback(`${location.origin}/callback?code=c&state=s`)
  const snapshot = session.getSnapshot()
  session.dispose()
  return snapshot.status === 'signed-in' ? snapshot.atRest : snapshot.status
}

/** A fresh page's start: from `start()` to the signed-in snapshot. */
async function coldStart(encryptAtRest: boolean): Promise<{ ms: number; status: string; atRest: string | null }> {
  const session = open(encryptAtRest)
  const started = performance.now()
  const signedIn = new Promise<number>((resolve) => {
    const stop = session.subscribe(() => {
      if (session.getSnapshot().status !== 'loading') {
        stop()
        resolve(performance.now())
      }
    })
  })
  void session.start()
  const ms = (await signedIn) - started
  const snapshot = session.getSnapshot()
  session.dispose()
  return { ms, status: snapshot.status, atRest: snapshot.status === 'loading' ? null : snapshot.atRest }
}

/** Signs in, then times `logout()` (both revocations answered at once). */
async function logout(encryptAtRest: boolean): Promise<{ ms: number; revoked: boolean }> {
  const session = open(encryptAtRest)
  await session.start()
  await session.handleCallback(`${location.origin}/callback?code=c&state=s`)
  const started = performance.now()
  const result = await session.logout()
  const ms = performance.now() - started
  session.dispose()
  return { ms, revoked: result.revocation.refresh_token === 'revoked' && result.revocation.access_token === 'revoked' }
}

const bench = { seed, coldStart, logout }
export type EncryptionBench = typeof bench

Object.assign(window, { bench })
