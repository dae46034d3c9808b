import { createSession, isTokenwardenError, type LogoutResult, type SessionOptions, type SessionSnapshot } from 'tokenwarden'

export const config = __DEMO_CONFIG__

/** The demo's idle-limit switch (a setting, never a token), kept for the tab's next page loads. */
export const idleSwitch = {
  key: 'tokenwarden-demo:idle',
  /** Seconds, or undefined for off: the switch's choice, else the server's default. */
  get(): number | undefined {
    const chosen = sessionStorage.getItem(this.key)
    if (chosen !== null) return Number(chosen) > 0 ? Number(chosen) : undefined
    return config.idleTimeoutSeconds ?? undefined
  },
  set(seconds: number) {
    sessionStorage.setItem(this.key, String(seconds))
  },
}

/** The authorization server's base URL, for building URLs on it. */
const issuer = config.issuer

/** The idle limit the switch chose, with a ten-second countdown before it. */
function idleOptions(): Partial<SessionOptions> {
  const seconds = idleSwitch.get()
  return seconds ? { idleTimeoutSeconds: seconds, idleWarningSeconds: 10 } : {}
}

/** The same session settings on every demo page; only the redirect path differs. */
export function createDemoSession(basePath: string, overrides: Partial<SessionOptions> = {}) {
  const base = `${location.origin}${basePath}`
  return createSession({
    authority: config.issuer,
    clientId: config.clientId,
    redirectUri: `${base}callback`,
    postLogoutRedirectUri: base,
    scope: 'openid profile email offline_access',
    dpop: config.dpop,
    // The demo's API lives on the authorization server's origin: session.http sends the
    // token there, and nowhere else but this page's own origin (README, "Where tokens go").
    // API A and API B are resources of their own (README, "Resources"): each gets its own
    // token, for its audience and scope, and refuses the other's.
    destinations: [
      `${config.issuer}/api/`,
      { url: `${config.issuer}/api-a/`, resource: `${config.issuer}/api-a`, scope: 'a:read' },
      { url: `${config.issuer}/api-b/`, resource: `${config.issuer}/api-b`, scope: 'b:read' },
    ],
    // The default, written out because the demo shows it (README, "Encryption at rest").
    encryptAtRest: true,
    // README, "Staying signed in": the page in demo/public, a frame that only posts its URL back.
    ...(config.silentRenew ? { silentRedirectUri: `${location.origin}/silent-callback.html` } : {}),
    // README, "Idle limit": the countdown shows in the Events panel (idle-warning).
    ...idleOptions(),
    ...overrides,
  })
}

/** The dev server's test switches and its view of what it received (token values masked). */
export const control = {
  issuer,
  async faults(partial?: Record<string, unknown>) {
    const response = await fetch(
      `${config.issuer}/__control/faults`,
      partial ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(partial) } : {},
    )
    return (await response.json()) as Record<string, unknown>
  },
  /** Revocation requests received since `since`, and whether each token is still active. */
  async verdict(since: number) {
    const response = await fetch(`${config.issuer}/__control/verdict?since=${since}`)
    return (await response.json()) as Array<{ hint: string; token: string; status: number | null; active: boolean; clientId: string }>
  },
}

/** One line for an error, with its code when it is ours. */
export const describeError = (error: unknown) => (isTokenwardenError(error) ? `${error.code}: ${error.message}` : String(error))

/** The status pill's text. */
export function statusText(snapshot: SessionSnapshot) {
  return snapshot.status === 'signed-out' ? `signed out (${snapshot.reason})` : snapshot.status
}

/** What logout() said about one token, with the error code when there is one. */
export function outcome(result: LogoutResult, name: 'refresh_token' | 'access_token') {
  const error = result.errors[name]
  return error ? `${result.revocation[name]} (${error.code})` : result.revocation[name]
}
