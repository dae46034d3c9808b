// The test authority's shapes: what an app's test configures, sees and drives.
import type { Profile, Session, SessionOptions, SessionSnapshot, TokenTypeHint } from 'tokenwarden'
import type { ChannelHub } from './channel.js'
import type { TestClock } from './clock.js'
import type { Answer, SeenRequest } from './fetch.js'

/** Options of {@link createTestAuthority}. */
export interface TestAuthorityOptions {
  /** The issuer the sessions use. @default 'https://id.example.test' */
  issuer?: string
  /** The client id. @default 'spa' */
  clientId?: string
  /** The app's redirect URI. @default 'https://app.example.test/callback' */
  redirectUri?: string
  /** The claims `signIn()` gives a user when it is given none. @default { sub: 'user-1', name: 'Test User' } */
  claims?: Profile
  /** How long issued access tokens live, in ms. @default 3600000 (1 hour) */
  accessTokenLifetimeMs?: number
  /** Where the test clock starts, in ms since the epoch. @default Date.now() */
  startTime?: number
  /**
   * Answers the app's own API calls (anything but the revocation endpoint) made through
   * `session.http`. `caller` says which access token came with the request and whether the
   * authority still considers it live. By default: 401 without a live token, else 200 with
   * the user's claims as JSON.
   */
  api?: (request: SeenRequest, caller: { accessToken: string | undefined; live: boolean; claims: Profile | undefined }) => Answer
}

/** How the next refresh grant fails: the server refuses the grant, answers 5xx, or cannot be reached. */
export type RefreshFailure = 'invalid_grant' | 'server_error' | 'network'

/** How the revocation endpoint answers from now on. */
export type RevocationMode = 'ok' | '503' | 'hang' | 'network'

/** One revocation request the authority received, and what it answered. */
export interface ReceivedRevocation {
  token: string
  hint: TokenTypeHint | undefined
  clientId: string | undefined
  /** The HTTP status, or `hang` / `network` when it gave none. */
  answer: number | 'hang' | 'network'
}

/** An in-process authorization server and the seams that connect sessions to it. */
export interface TestAuthority {
  readonly issuer: string
  readonly clientId: string
  /** The clock every session of this authority runs on: `now` and `timers`. */
  readonly clock: TestClock
  /** The storage every tab shares (as tabs share IndexedDB): key → record. */
  readonly records: Map<string, unknown>
  /** The cross-tab channels, with a log of what was posted. */
  readonly channels: ChannelHub
  /** Every HTTP request the sessions sent (revocations, API calls). */
  readonly requests: readonly SeenRequest[]
  /** Every revocation request received, oldest first. */
  readonly revocations: readonly ReceivedRevocation[]
  /** Every URL a session sent the browser to (sign-in, end session). */
  readonly navigations: readonly string[]
  /** What the sessions wrote to their logger. */
  readonly warnings: readonly string[]
  /**
   * `createSession` options wired to this authority: protocol, fetch, storage, channel,
   * lock, now, timers, navigate and logger. `overrides` win.
   */
  options(overrides?: Partial<SessionOptions>): SessionOptions
  /** A new session on these options: each call is another tab of the same browser. */
  session(overrides?: Partial<SessionOptions>): Session
  /**
   * Signs a user in without a redirect: starts `session` and completes a sign-in callback
   * with tokens for `claims`. Resolves with the session's snapshot.
   */
  signIn(session: Session, claims?: Profile): Promise<SessionSnapshot>
  /** The next refresh grant fails this way (`invalid_grant` ends the session in every tab). */
  failNextRefresh(failure?: RefreshFailure): void
  /** How the revocation endpoint answers from now on: `ok`, `503` (with Retry-After: 0), `hang`, or `network`. */
  setRevocation(mode: RevocationMode): void
  /** Moves the clock forward (the proactive refresh and outbox retries fire on the way). */
  advance(ms: number): Promise<void>
  /**
   * Lets pending work settle (cross-tab messages, storage, sealing on WebCrypto, the fake server,
   * whatever runs under the cross-tab lock: a refresh, with the code it loads) without moving the clock.
   */
  settle(): Promise<void>
  /**
   * Whether the authority would still accept `token`: issued, not revoked, not rotated, not
   * expired. Revoking a refresh token kills every token of its grant (RFC 7009 §2.1);
   * revoking an access token kills that token only; a refresh uses up the refresh token
   * presented, while the access token it replaces lives until it expires.
   */
  isLive(token: string): boolean
  /** Every token the authority issued that it would still accept. */
  liveTokens(): { accessTokens: string[]; refreshTokens: string[] }
  /** Every token value the authority ever issued (access, refresh, ID), for secret scans. */
  issuedTokens(): string[]
  /** Disposes every session this authority created. */
  dispose(): void
}
