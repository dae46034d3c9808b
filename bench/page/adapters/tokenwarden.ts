// tokenwarden as an app uses it: createSession, start(), logout(); its snapshot (subscribe)
// says signed-out in this tab and in the others.

import { createSession, type Session, type SessionSnapshot } from 'tokenwarden'
import { recordKeys, sessionIdOf, sessionRecord } from '../../../src/storage/index.js'
import { type BenchConfig, type BenchTokens, type LibraryAdapter, type LogoutWatch, message, until } from './adapter.js'

/**
 * Writes a session record the way tokenwarden stores one, straight into IndexedDB, so the
 * library under test only ever reads it. `updatedAt` is when the tokens were issued
 * (tokenwarden times its refresh from it): `expiresAt` minus their lifetime.
 */
function seedRecord(config: BenchConfig, tokens: BenchTokens, expiresAt: number): Promise<void> {
  // Built through the storage format (src/storage/records.ts), as a sign-in would have stored
  // it: a plain record, which the session reads (and re-writes in its current form) at start.
  const record = sessionRecord({
    tokens: {
      accessToken: tokens.access_token,
      tokenType: 'Bearer',
      refreshToken: tokens.refresh_token,
      idToken: tokens.id_token,
      scope: tokens.scope,
      expiresAt,
      ...(tokens.resources && {
        resources: Object.fromEntries(
          Object.entries(tokens.resources).map(([resource, accessToken]) => [
            resource,
            { accessToken, tokenType: 'Bearer', expiresAt, issuedAt: expiresAt - tokens.expires_in * 1000 },
          ]),
        ),
      }),
    },
    profile: { ...tokens.claims },
    updatedAt: Math.min(Date.now(), expiresAt - tokens.expires_in * 1000),
  })
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('tokenwarden')
    open.onupgradeneeded = () => open.result.createObjectStore('records')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      const tx = db.transaction('records', 'readwrite')
      tx.objectStore('records').put(record, recordKeys.session(sessionIdOf(config.authority, config.clientId)))
      tx.oncomplete = () => {
        db.close()
        resolve()
      }
      tx.onerror = () => reject(tx.error)
    }
  })
}

function whenStatus(session: Session, status: SessionSnapshot['status']): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.getSnapshot().status !== status) return false
      resolve(performance.now())
      return true
    }
    if (check()) return
    const stop = session.subscribe(() => {
      if (check()) stop()
    })
  })
}

export function tokenwardenAdapter(): LibraryAdapter {
  /** This tab's session: one at a time, a new one replacing the last. */
  let current: Session | undefined

  const create = (config: BenchConfig) => {
    current?.dispose()
    current = createSession({
      authority: config.authority,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scope: config.scope,
      ...(config.destinations && { destinations: config.destinations }),
    })
    return current
  }
  const session = () => {
    if (!current) throw new Error('bench: no tokenwarden session in this tab')
    return current
  }

  return {
    seed: seedRecord,

    // start() reads storage, joins the other tabs and loads discovery.
    async restore(config) {
      const started = create(config)
      await started.start()
      return started.getSnapshot().status === 'signed-in'
    },

    logout: () =>
      session()
        .logout()
        .then((r) => `refresh_token ${r.revocation.refresh_token}, access_token ${r.revocation.access_token}`),

    // The snapshot turns signed-out whichever tab logged out; its reason says which.
    onSignedOut(seen) {
      const watched = session()
      let done = false
      const check = () => {
        const snapshot = watched.getSnapshot()
        if (done || snapshot.status !== 'signed-out') return
        done = true
        seen(snapshot.reason)
      }
      const stop = watched.subscribe(check)
      check()
      return stop
    },

    watchLogout(sinceCall) {
      const marks: NonNullable<LogoutWatch['marks']> = {}
      const stop = session().on((event) => {
        const at = sinceCall()
        if (event.type === 'tab-message' && event.direction === 'sent' && event.message === 'signed-out') marks.taken ??= at
        else if (event.type === 'revocation' && event.source === 'logout') marks.answersRead = at
        else if (event.type === 'logout-finished') marks.outboxSettled = at
      })
      return { marks, errors: [], stop }
    },

    // From start() to the signed-in snapshot (read from IndexedDB, no network), and to start()
    // settling (discovery included).
    async coldStart(config) {
      const started = create(config)
      const calledAt = performance.now()
      const signedIn = whenStatus(started, 'signed-in')
      await started.start()
      const settled = performance.now()
      const status = started.getSnapshot().status
      const snapshotAt = status === 'signed-in' ? await signedIn : Number.NaN
      return { signedIn: status === 'signed-in', ms: snapshotAt - calledAt, settledMs: settled - calledAt }
    },

    // A new session on the stored (expiring) record, started, then asked for the access token.
    async startAt(config, at) {
      await until(at)
      const started = create(config)
      try {
        await started.start()
        await started.getAccessToken()
        return { errors: [] }
      } catch (error) {
        return { errors: [message(error)] }
      }
    },

    async currentToken() {
      try {
        return { token: await session().getAccessToken(), errors: [] }
      } catch (error) {
        return { errors: [message(error)] }
      }
    },
  }
}
