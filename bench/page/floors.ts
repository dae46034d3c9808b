// The floors under a logout, measured in the page beside the libraries: the revocation requests
// with no library around them. Two of them:
// - bare: the requests as `fetch()` calls sent together, nothing before or after: what no
//   library can beat on this machine;
// - durable: the same requests, sent only once one IndexedDB transaction has read the session
//   and queued both tokens, sealed (AES-GCM, a non-extractable key), and sent with `keepalive`
//   (so that they outlive the page): the least a library must do to keep promise 6 (a page that
//   dies mid-logout leaves every token queued or revoked), promise 9 (tokens sealed at rest) and
//   a logout followed by navigation reaching the server. tokenwarden's logout does that and more
//   (its events, the snapshot, telling the other tabs, ky).
// Each reports Resource Timing as measureLogout does, so their phases compare with a library's.

import { promisifyRequest } from 'idb-keyval'
import type { BenchTokens } from './adapters/adapter.js'
import { revocationRequests, type RequestTiming } from './measure.js'

export interface FloorMeasure {
  /** ms from the first step to every answer's body read. */
  ms: number
  statuses: number[]
  requests: RequestTiming[]
}

type Target = { token: string; hint: string }

const targetsOf = (tokens: BenchTokens): Target[] => [
  { token: tokens.refresh_token, hint: 'refresh_token' },
  { token: tokens.access_token, hint: 'access_token' },
]

/** The revocation requests, together, as bare fetch() calls; resolves once every body is read. */
function post(endpoint: string, clientId: string, targets: readonly Target[], keepalive = false): Promise<number[]> {
  return Promise.all(
    targets.map(async ({ token, hint }) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        keepalive,
        body: new URLSearchParams({ token, token_type_hint: hint, client_id: clientId }),
      })
      await response.arrayBuffer()
      return response.status
    }),
  )
}

/** Any set of revocations as bare fetch() calls sent together (the logout with resources' floor). */
export async function bareRevocationsOf(endpoint: string, clientId: string, targets: readonly Target[]): Promise<FloorMeasure> {
  performance.clearResourceTimings()
  const started = performance.now()
  const statuses = await post(endpoint, clientId, targets)
  const ms = performance.now() - started
  return { ms, statuses, requests: await revocationRequests(started, targets.length) }
}

/** The bare floor under a logout: its two revocations. */
export const bareRevocations = (endpoint: string, clientId: string, tokens: BenchTokens) =>
  bareRevocationsOf(endpoint, clientId, targetsOf(tokens))

/** The durable floor's database and key, made once per page, outside any timing. */
let queue: Promise<{ db: IDBDatabase; key: CryptoKey }> | undefined
function durableQueue() {
  queue ??= (async () => {
    const opening = indexedDB.open('bench-durable-floor')
    opening.onupgradeneeded = () => opening.result.createObjectStore('records')
    const db = await promisifyRequest(opening)
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    return { db, key }
  })()
  return queue
}

async function seal(key: CryptoKey, secret: unknown, boundTo: string) {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const encode = (text: string) => new TextEncoder().encode(text)
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encode(boundTo) }, key, encode(JSON.stringify(secret)))
  return { iv, data: new Uint8Array(data) }
}

/** Stores the session the durable floor takes next, sealed, with its key record: the set-up, not timed. */
export async function seedDurable(tokens: BenchTokens): Promise<void> {
  const { db, key } = await durableQueue()
  const session = { kind: 'session', sealed: await seal(key, tokens, 'session') }
  const transaction = db.transaction('records', 'readwrite')
  transaction.objectStore('records').put(session, 'session')
  transaction.objectStore('records').put({ kind: 'key', key }, 'key')
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve
    transaction.onerror = () => reject(transaction.error)
  })
}

/**
 * The durable floor: both tokens sealed, then one readwrite transaction that reads the session
 * and the key record and, in the same transaction, queues the sealed tokens and ends the session;
 * the requests leave once those writes are issued (as tokenwarden's do, with keepalive), and it resolves once
 * every answer's body is read. `seedDurable` first.
 */
export async function durableRevocations(endpoint: string, clientId: string, tokens: BenchTokens): Promise<FloorMeasure> {
  const { db, key } = await durableQueue()
  const targets = targetsOf(tokens)
  performance.clearResourceTimings()
  const started = performance.now()
  const sealed = await Promise.all(targets.map(({ token, hint }) => seal(key, { token }, `outbox:${hint}`)))
  await new Promise<void>((resolve, reject) => {
    const transaction = db.transaction('records', 'readwrite')
    const store = transaction.objectStore('records')
    const reads = ['session', 'key'].map((name) => ({ name, read: store.get(name) }))
    let reading = reads.length
    for (const { read } of reads) {
      read.onsuccess = () => {
        if (--reading > 0) return
        const missing = reads.find(({ read }) => read.result === undefined)
        if (missing) return reject(new Error(`bench: durable floor: no ${missing.name} record (seedDurable first)`))
        for (const [index, entry] of sealed.entries()) store.put({ kind: 'revocation', sealed: entry }, `outbox:${targets[index]!.hint}`)
        store.put({ kind: 'ended' }, 'session')
        transaction.commit()
        resolve()
      }
    }
    transaction.onerror = () => reject(transaction.error)
  })
  const statuses = await post(endpoint, clientId, targets, true)
  const ms = performance.now() - started
  return { ms, statuses, requests: await revocationRequests(started, targets.length) }
}
