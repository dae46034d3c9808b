/**
 * The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days): a longer one
 * overflows and fires at once, so every timer and bound is clamped to it.
 */
export const maxTimerMs = 2_147_483_647

/**
 * Every default of tokenwarden, in one place. `options.ts` applies them, `revokeToken` uses
 * the `revocation` ones, and README's options table is generated from this object
 * (`npm run docs`; test/docs.test.ts fails when the README or a `@default` tag disagrees).
 */
export const defaults = {
  scope: 'openid profile offline_access',
  allowInsecureHttp: false,
  refreshLeewaySeconds: 60,
  autoRefresh: true,
  silentRenew: 'fallback',
  silentRenewTimeoutSeconds: 10,
  idleWarningSeconds: 60,
  databaseName: 'tokenwarden',
  dpop: false,
  encryptAtRest: true,
  persistStorage: false,
  revocation: {
    timeoutMs: 5000,
    retryLimit: 2,
    maxRetryAfterMs: 2000,
    keepalive: true,
    outbox: true,
    outboxMaxAgeMs: 7 * 24 * 3600 * 1000,
  },
} as const
