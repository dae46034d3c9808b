import type { TokenwardenError } from './errors.js'
import type { Emit } from './events.js'
import type { LocalSession } from './local-session.js'
import type { TokenSet, RevocationStatus, TokenTypeHint } from './tokens.js'
import { type Outbox, type Queued, type RevocationOutcome, targetsOf, type Revoker, revocationEvent } from './revocation/index.js'
import { type SessionStore, transactIssued, type IssuedTransaction } from './storage/index.js'
import type { TabMessage } from './tabs/index.js'
import type { Protocol } from './protocol/index.js'

/** Options of `logout()`. */
export interface LogoutOptions {
  /**
   * After revoking and clearing, send the browser to the server's `end_session_endpoint`
   * (RP-initiated logout), back to `postLogoutRedirectUri`.
   * @default false
   */
  redirect?: boolean
}

export type { RevocationStatus }

/** What `logout()` did. It never rejects because the server failed. */
export interface LogoutResult {
  /**
   * For each token: `revoked`; `not-present` (the session had none); `unsupported` (the
   * server does not revoke that type); `queued` (failed for a retryable reason, kept in the
   * outbox and sent again later); `failed` (see `errors`).
   */
  readonly revocation: { readonly refresh_token: RevocationStatus; readonly access_token: RevocationStatus }
  /** Why a token is `unsupported`, `queued` or `failed`. */
  readonly errors: { readonly refresh_token?: TokenwardenError; readonly access_token?: TokenwardenError }
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
  revoke: Revoker
  /** Stops the proactive refresh before the tokens are taken. */
  cancelRefresh(): void
  /** Tokens of that sign-in newer than storage's: a refresh storage could not keep. */
  unsavedTokens(signInId: string | undefined): TokenSet | undefined
  broadcast(type: TabMessage['type'], signInId: string | null): void
  protocol: Pick<Protocol, 'signOutUrl'>
  navigate(url: string): void
  /** The one bound for everything logout waits on: discovery and revocation. */
  timeoutMs: number
  emit: Emit
}

const hints: readonly TokenTypeHint[] = ['refresh_token', 'access_token']

/** What became of one token of a logout, before the outbox has its say. */
type TokenOutcome = RevocationOutcome | { status: 'not-present' }

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
 * failed.
 */
export async function logout(port: LogoutPort, options: LogoutOptions): Promise<LogoutResult> {
  const { local, timeoutMs } = port
  const deadline = AbortSignal.timeout(timeoutMs)
  const startedAt = Date.now()
  port.emit({ type: 'logout-started' })
  port.cancelRefresh()
  // What this tab holds, should storage fail: read before the snapshot lets go of it.
  const held = { tokens: port.unsavedTokens(local.current?.signInId) ?? local.current?.tokens, signInId: local.current?.signInId }
  // The user asked to leave: this tab shows it now, not after the server answers. No token is
  // handed out from here on (the session's logging-out flag and the ended sign-in see to it).
  local.end()

  const { issued, committed } = take(port)
  const storageError = committed.then(
    () => undefined,
    (error: TokenwardenError) => error,
  )
  // Storage failed before the take was issued: revoke what this tab held, queue nothing.
  const taken = await issued.catch((): Taken => ({ ...held, queued: {} }))
  // The logout took effect when it took the tokens: the sign-in it removed is over here too
  // (another tab may have stored it since), and every tab hears it before any request leaves.
  // A sign-in that completes after this is a newer session, and it stays.
  if (taken.signInId) local.end(taken.signInId)
  port.broadcast('signed-out', taken.signInId ?? null)

  const targets = targetsOf(taken.tokens)
  const outcomes = await port.revoke(targets, { signal: deadline, timeoutMs: Math.max(1, timeoutMs - (Date.now() - startedAt)) })
  for (const [index, { hint }] of targets.entries()) port.emit(revocationEvent(hint, outcomes[index]!, 'logout'))
  const results = Object.fromEntries(
    hints.map((hint): [TokenTypeHint, TokenOutcome] => {
      const index = targets.findIndex((target) => target.hint === hint)
      return [hint, index < 0 ? { status: 'not-present' } : outcomes[index]!]
    }),
  ) as Record<TokenTypeHint, TokenOutcome>
  // The answers took a round trip: the take committed long before, or failed. If it failed,
  // nothing was queued, and the session record may still be there (`cleared: false`).
  const failed = await storageError
  const reported = await settle(port.outbox, failed ? {} : taken.queued, results)

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
function take(port: LogoutPort): IssuedTransaction<Taken> {
  const { store, outbox } = port
  return transactIssued((onIssued) =>
    store.transact((current) => {
      const tokens = port.unsavedTokens(current?.signInId) ?? current?.tokens
      const queued = tokens ? outbox.enqueue(tokens) : undefined
      const result: Taken = { tokens, signInId: current?.signInId, queued: queued?.entries ?? {} }
      return { session: null, ...(queued ? { changes: queued.changes } : {}), result }
    }, onIssued),
  )
}

/** Drops what is done from the outbox, backs off what is not; says `queued` for those. */
async function settle(
  outbox: Outbox,
  queued: Queued,
  results: Record<TokenTypeHint, TokenOutcome>,
): Promise<Pick<LogoutResult, 'revocation' | 'errors'>> {
  const attempts = hints.flatMap((hint) => {
    const item = queued[hint]
    const outcome = results[hint]
    return item && outcome.status !== 'not-present' ? [{ ...item, outcome }] : []
  })
  if (attempts.length) {
    const gone = await outbox.settle(attempts).catch(() => 0)
    // A timer only for entries kept for a retry: finding the next one reads the whole outbox.
    if (gone < attempts.length) outbox.schedule()
  }
  const status = (hint: TokenTypeHint): RevocationStatus => {
    const outcome = results[hint]
    return outcome.status === 'failed' && outcome.retryable && queued[hint] ? 'queued' : outcome.status
  }
  const error = (hint: TokenTypeHint) => {
    const outcome = results[hint]
    return 'error' in outcome ? { [hint]: outcome.error } : {}
  }
  return {
    revocation: { refresh_token: status('refresh_token'), access_token: status('access_token') },
    errors: { ...error('refresh_token'), ...error('access_token') },
  }
}
