import type { TokenwardenError } from './errors.js'
import type { Emit } from './events.js'
import type { Protocol } from './protocol/index.js'
import type { Outbox, Queued, RevocationReport } from './revocation/index.js'
import { type IssuedTransaction, type SessionStore, transactIssued } from './storage/index.js'
import type { EndReason, TabMessage } from './tabs/index.js'
import type { TokenSet } from './tokens.js'
import { bound } from './util/index.js'
import type { LocalSession } from './view/index.js'
/** Options of `logout()`. */
export interface LogoutOptions {
  /**
   * After revoking and clearing, send the browser to the server's `end_session_endpoint`
   * (RP-initiated logout), back to `postLogoutRedirectUri`.
   * @default false
   */
  redirect?: boolean
}

/** What `logout()` did. It never rejects because the server failed. */
export interface LogoutResult extends RevocationReport {
  /**
   * For each token: `revoked`; `not-present` (the session had none); `unsupported` (the
   * server does not revoke that type); `queued` (failed for a retryable reason, kept in the
   * outbox and sent again later); `failed` (see `errors`).
   */
  readonly revocation: RevocationReport['revocation']
  /** Why a token is `unsupported`, `queued` or `failed`. */
  readonly errors: RevocationReport['errors']
  /** True when neither storage nor memory holds a token of the session any more. */
  readonly cleared: boolean
  /** Set when clearing storage failed (memory is cleared regardless). */
  readonly storageError?: TokenwardenError
  /** The end-session URL the browser was sent to, with `redirect: true`. */
  readonly endSessionUrl?: string
}

/** What logging out needs from the session. */
export interface LogoutPort {
  store: SessionStore
  local: LocalSession
  outbox: Outbox
  /** Stops the proactive refresh before the tokens are taken. */
  cancelRefresh(): void
  /** Tokens of that sign-in newer than storage's: a refresh storage could not keep. */
  unsavedTokens(signInId: string | undefined): TokenSet | undefined
  broadcast(type: TabMessage['type'], signInId: string | null, reason?: EndReason): void
  protocol: Pick<Protocol, 'signOutUrl'>
  navigate(url: string): void
  /** The one bound for everything logout waits on: discovery and revocation. */
  timeoutMs: number
  emit: Emit
}

/** The tokens a logout took out of the session, and where they were queued. */
interface Taken {
  tokens: TokenSet | undefined
  signInId: string | undefined
  queued: Queued
}

/**
 * Logout: signed out on screen at once, then take the tokens (out of the session record, into
 * the outbox, in one transaction) and tell every tab, then revoke them together and settle
 * the outbox. Resolves with what became of each token; it never rejects because the server
 * failed. `reason`: the logout was not the user's (the idle limit), and every tab shows why.
 */
export async function logout(port: LogoutPort, options: LogoutOptions, reason?: EndReason): Promise<LogoutResult> {
  const { local } = port
  const within = bound(port.timeoutMs)
  const startedAt = Date.now()
  port.emit({ type: 'logout-started' })
  port.cancelRefresh()
  // What this tab holds, should storage fail: read before the snapshot lets go of it.
  const held = { tokens: port.unsavedTokens(local.current?.signInId) ?? local.current?.tokens, signInId: local.current?.signInId }
  // The user asked to leave: this tab shows it now, not after the server answers. No token is
  // handed out from here on (the session's logging-out flag and the ended sign-in see to it).
  local.end(undefined, reason)

  const { issued, committed } = take(port, reason)
  const storageError = committed.then(
    () => undefined,
    (error: TokenwardenError) => error,
  )
  // Storage failed before the take was issued: revoke what this tab held, queue nothing.
  const taken = await issued.catch((): Taken => ({ ...held, queued: {} }))
  // The logout took effect when it took the tokens: the sign-in it removed is over here too
  // (another tab may have stored it since), and every tab hears it before any request leaves.
  // A sign-in that completes after this is a newer session, and it stays.
  if (taken.signInId) local.end(taken.signInId, reason)
  port.broadcast('signed-out', taken.signInId ?? null, reason)

  // The answers take a round trip: the take committed long before, or failed. If it failed,
  // nothing was queued, and the session record may still be there (`cleared: false`).
  const queued = storageError.then((failed): Queued => (failed ? {} : taken.queued))
  const reported = await port.outbox.send(taken.tokens, queued, within)
  const failed = await storageError

  port.emit({ type: 'logout-finished', durationMs: Date.now() - startedAt, cleared: failed === undefined, revocation: reported.revocation })

  let endSessionUrl: string | undefined
  if (options.redirect) {
    endSessionUrl = await port.protocol.signOutUrl().catch(() => undefined)
    if (endSessionUrl) port.navigate(endSessionUrl)
  }
  return {
    ...reported,
    cleared: failed === undefined,
    ...(failed ? { storageError: failed } : {}),
    ...(endSessionUrl ? { endSessionUrl } : {}),
  }
}

/**
 * Crash safety: the tokens leave the session record and enter the outbox in one transaction,
 * which reads the newest tokens first (another tab may have refreshed since this one last
 * looked). `issued` resolves as soon as that transaction has issued its writes (sealed
 * storage: once the entries are sealed and written); on IndexedDB (and memory) nothing can
 * then stop it from committing but a storage failure, and every transaction begun after it,
 * in any tab, sees the session gone (see `onIssued` of `KeyValueStorage.transact`). So the
 * revocations may leave at once, while it commits: a page that dies from here on is signed
 * out on its next start, and that start sends what is queued.
 *
 * No cross-tab lock is taken: a refresh in flight elsewhere cannot write the session back
 * (its write checks the sign-in in the same transaction, and queues the tokens it got for
 * revocation instead), so waiting for it would only keep the other tabs from hearing, and the
 * requests from leaving, for up to a token round trip.
 */
function take(port: LogoutPort, reason: EndReason | undefined): IssuedTransaction<Taken> {
  const { store, outbox } = port
  return transactIssued((onIssued) =>
    store.end(
      undefined,
      (current) => {
        const tokens = port.unsavedTokens(current?.signInId) ?? current?.tokens
        const queued = tokens ? outbox.queue(tokens) : undefined
        return { changes: queued?.changes, result: { tokens, signInId: current?.signInId, queued: queued?.entries ?? {} } }
      },
      onIssued,
      reason,
    ),
  )
}
