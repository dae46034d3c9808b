import { TokenwardenError, toTokenwardenError } from './errors.js'
import type { Emit } from './events.js'
import type { IssuedTokens, TokenSet } from './tokens.js'
import type { Outbox } from './revocation/index.js'
import type { SessionRecord, SessionStore } from './storage/index.js'
import type { TabLock, TabMessage } from './tabs/index.js'
import type { Protocol, SignInArgs } from './protocol/index.js'
import type { LocalSession, SessionSnapshot } from './view/index.js'

/** What signing in needs from the session. */
export interface SignInPort {
  store: SessionStore
  local: LocalSession
  lock: TabLock
  protocol: Pick<Protocol, 'signInUrl' | 'processCallback'>
  outbox: Outbox
  /** The sign-in stored now: tokens this tab held only in memory for another one are revoked. */
  release(stored: string): void
  broadcast(type: TabMessage['type'], signInId: string | null): void
  navigate(url: string): void
  snapshot(): SessionSnapshot
  emit: Emit
}

/** The parameters the authorization server adds to the redirect URI (RFC 6749 §4.1.2, RFC 9207). */
const callbackParams = ['code', 'state', 'session_state', 'iss', 'error', 'error_description', 'error_uri']

/** Sends the browser to the authorization server (authorization code + PKCE). */
export async function login(port: SignInPort, args: SignInArgs): Promise<void> {
  port.navigate(await port.protocol.signInUrl(args))
}

/**
 * Completes sign-in on the redirect URI (`given`, else the current location): exchanges the
 * code, stores the new session and tells the other tabs. On the current location, the code and
 * state are removed from the address bar afterwards.
 */
export async function handleCallback(port: SignInPort, given: string | undefined): Promise<SessionSnapshot> {
  const { store, local, lock, protocol, outbox, broadcast } = port
  const url = given ?? currentUrl()
  const cleanUrl = given === undefined
  let issued: IssuedTokens
  try {
    issued = await protocol.processCallback(url)
  } catch (error) {
    // A server may echo the authorization code it refused.
    const reported = toTokenwardenError(error, 'callback-failed', 'The sign-in callback failed.', [codeOf(url)])
    // A cancelled "switch account" or a reloaded callback URL ends nothing: a session that is
    // stored stays. Only without one is this tab signed out, with the reason.
    const stored = await store.read().catch(() => undefined)
    if (stored?.status === 'present') local.adopt(stored.record)
    else local.signOut('callback-failed', reported)
    port.emit({ type: 'sign-in-failed', code: reported.code, ...(reported.error ? { error: reported.error } : {}) })
    throw reported
  } finally {
    if (cleanUrl) cleanCallbackUrl()
  }
  const record = store.newSignIn(issued)
  // A session signed in before (another tab, another user) is replaced: its tokens would
  // otherwise stay valid at the server with nobody holding them, so they are revoked.
  let replaced: TokenSet | undefined
  try {
    replaced = await lock(() =>
      store.transact((current: SessionRecord | undefined) => {
        const queued = current ? outbox.queue(current.tokens) : undefined
        return { session: record, ...(queued ? { changes: queued.changes } : {}), result: current?.tokens }
      }),
    )
  } catch (error) {
    // The server issued tokens that storage will not keep: nobody would hold them, so they
    // are revoked now rather than left valid at the server.
    void outbox.revokeUnqueued(issued.tokens)
    throw toTokenwardenError(error, 'storage-failed', 'The new session could not be stored.')
  }
  local.adopt(record)
  port.release(record.signInId)
  broadcast('signed-in', record.signInId)
  port.emit({ type: 'signed-in', replaced: replaced !== undefined })
  if (replaced) void outbox.revokeOrphans(replaced)
  return port.snapshot()
}

const codeOf = (url: string): string | undefined => {
  try {
    return new URL(url).searchParams.get('code') ?? undefined
  } catch {
    return undefined
  }
}

/** The URL `handleCallback` reads when it is given none: the current location. */
function currentUrl(): string {
  const href = globalThis.location?.href
  if (!href) throw new TokenwardenError('invalid-request', 'handleCallback needs a URL outside a browser.')
  return href
}

/** The code and state are single-use, but they have no business in history or bookmarks. */
function cleanCallbackUrl(): void {
  if (typeof history === 'undefined' || typeof location === 'undefined') return
  const clean = new URL(location.href)
  for (const name of callbackParams) clean.searchParams.delete(name)
  // A server that answered in the fragment (response_mode=fragment is refused, but a server
  // may do it anyway) leaves `#code=…&state=…`: that goes too, an app's own hash stays.
  const fragment = new URLSearchParams(clean.hash.slice(1))
  if (callbackParams.some((name) => fragment.has(name))) {
    for (const name of callbackParams) fragment.delete(name)
    clean.hash = fragment.toString()
  }
  if (clean.href !== location.href) history.replaceState(history.state, '', clean.href)
}
