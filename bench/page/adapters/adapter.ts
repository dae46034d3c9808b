// What the bench asks of a library, the same for every one of them: one adapter per library
// (tokenwarden.ts, oidc-client-ts.ts, axa.ts) does it the way an app would with that library,
// and keeps whatever it started to itself. The measures around them (../measure.ts) and the
// scenarios in Node never know which library they hold.

export type Library = 'tokenwarden' | 'oidc-client-ts' | 'axa'

export interface BenchConfig {
  authority: string
  clientId: string
  redirectUri: string
  scope: string
  /** tokenwarden only: its `destinations` option (the logout-with-resources scenario declares two resources). */
  destinations?: ReadonlyArray<string | { url: string; resource: string; scope?: string }>
}

/** A token response from the server (signInHeadless), plus the ID token's claims. */
export interface BenchTokens {
  access_token: string
  refresh_token: string
  id_token: string
  token_type: string
  scope: string
  /** Lifetime of the access token, in seconds. */
  expires_in: number
  /** tokenwarden only: each resource's access token (RFC 8707), by resource indicator. */
  resources?: Record<string, string>
  claims: { sub: string } & Record<string, unknown>
}

/** A library's own account of a logout in progress, beside its promise. */
export interface LogoutWatch {
  /**
   * tokenwarden only: ms after the call at which its own events said where the logout was
   * (session.on, which never carries a token): the tokens taken and the other tabs told (the
   * `signed-out` tab message sent), the answers read (`revocation` events), the outbox settled
   * (`logout-finished`).
   */
  marks?: { taken?: number; answersRead?: number; outboxSettled?: number }
  /** Errors the library reported on the way (@axa-fr/oidc-client's `logoutAsync_error` events). */
  errors: string[]
  stop(): void
}

export interface LibraryAdapter {
  /**
   * Stores a signed-in session where this library keeps one, in a store every tab of the
   * browser context reads, without starting anything: what an app finds at load.
   * `expiresAt`: the access token's expiry, ms since the epoch.
   */
  seed(config: BenchConfig, tokens: BenchTokens, expiresAt: number): Promise<void>
  /**
   * Starts the library in this tab on the stored session, as an app does at load, with the
   * server's metadata loaded (so no logout pays for discovery). True when it is signed in.
   */
  restore(config: BenchConfig): Promise<boolean>
  /** Logs out without leaving the page, as close to the library's own logout as that allows; resolves with what it reported. */
  logout(): Promise<string>
  /**
   * Calls `seen` once when this tab shows signed-out, the way an app's UI would learn it:
   * because this tab logged out, or (`otherTab`) because another one did. `reason` is the
   * library's own word for it, where it gives one. Returns the function that stops watching.
   */
  onSignedOut(seen: (reason: string | null) => void, otherTab: boolean): () => void
  /** Starts listening to what the library says during a logout; `sinceCall` is ms since logout was called. */
  watchLogout(sinceCall: () => number): LogoutWatch
  /**
   * A fresh page's start on the stored session: `ms` to the library knowing the user is signed
   * in; `settledMs`, where the library has a start step that does more (discovery), to its end.
   */
  coldStart?(config: BenchConfig): Promise<{ signedIn: boolean; ms: number; settledMs?: number }>
  /**
   * A tab restored by the browser at `at` (ms since the epoch, shared by every tab and Node)
   * on a stored session whose access token is about to expire, doing what an app's tab does at
   * load; the library's own timers may carry on after this resolves.
   */
  startAt?(config: BenchConfig, at: number): Promise<{ errors: string[] }>
  /** The access token this tab holds now, and the errors the library reported since startAt. */
  currentToken?(): Promise<{ token?: string; errors: string[] }>
}

/** A message for an error of any shape. */
export const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/** Resolves at the absolute time `at` (Date.now() based, shared by every page and Node). */
export function until(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))
}
