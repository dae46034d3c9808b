/**
 * Sessions against a profile server, signed in through the real code path: `login()` builds the
 * authorization request with oidc-client-ts (PKCE), the profile server plays the user signing in
 * and redirects back with a code, and `handleCallback()` lets oidc-client-ts redeem it at the
 * server's token endpoint over real HTTP. Discovery is the server's own
 * `/.well-known/openid-configuration`; no protocol seam is used.
 */
import { tokenRecordKeys } from '../dev/records.js'
import {
  createMemoryStorage,
  createSession,
  type LogoutResult,
  type Session,
  type SessionOptions,
  type TabChannelFactory,
} from '../src/index.js'
import type { Client, IssuedToken, ProfileServer } from './server.js'

/** A channel that goes nowhere: one tab per test here. */
const quietChannel: TabChannelFactory = () => ({ post: () => {}, subscribe: () => () => {}, close: () => {} })

export interface SignedIn {
  session: Session
  records: Map<string, unknown>
  tokens: { accessToken: string; refreshToken: string }
  warnings: string[]
}

export async function signIn(server: ProfileServer, client: Client, overrides: Partial<SessionOptions> = {}): Promise<SignedIn> {
  const records = new Map<string, unknown>()
  const warnings: string[] = []
  let authorizationUrl: string | undefined
  const session = createSession({
    authority: server.issuer,
    clientId: client.id,
    redirectUri: 'http://127.0.0.1/callback',
    ...(client.secret ? { clientSecret: client.secret } : {}),
    storage: createMemoryStorage(records),
    channel: quietChannel,
    navigate: (url) => {
      authorizationUrl = url
    },
    logger: { warn: (message) => warnings.push(message) },
    autoRefresh: false,
    ...overrides,
  })
  await session.start()
  await session.login()
  if (!authorizationUrl) throw new Error('login() did not navigate')
  await session.handleCallback(server.authorize(authorizationUrl))
  if (session.getSnapshot().status !== 'signed-in') throw new Error(`not signed in: ${JSON.stringify(session.getSnapshot())}`)
  // The token values come from the server that issued them: the session stores them encrypted.
  const issued = server.lastIssued()
  if (!issued) throw new Error('the server issued no tokens')
  if ((await session.getAccessToken()) !== issued.accessToken) throw new Error('the session holds other tokens than the server issued last')
  return { session, records, tokens: issued, warnings }
}

/** What the server says about each token after logout: still accepted or not. */
export async function serverVerdict(server: ProfileServer, client: Client, tokens: SignedIn['tokens']) {
  return {
    refresh_token: (await server.accepts(tokens.refreshToken, 'refresh_token', client)) ? 'accepted' : 'refused',
    access_token: (await server.accepts(tokens.accessToken, 'access_token', client)) ? 'accepted' : 'refused',
  } as Record<IssuedToken['kind'], 'accepted' | 'refused'>
}

/** The promise of the product: no token is reported `revoked` while its server still accepts it. */
export function lies(result: LogoutResult, verdict: Awaited<ReturnType<typeof serverVerdict>>): string[] {
  return (['refresh_token', 'access_token'] as const).filter(
    (kind) => result.revocation[kind] === 'revoked' && verdict[kind] === 'accepted',
  )
}

/** True when no record in storage holds either token. */
export function storageHolds(records: Map<string, unknown>, tokens: SignedIn['tokens']): string[] {
  // In plaintext (encryption off, or a bug) the token strings themselves would show.
  const text = JSON.stringify([...records.entries()])
  const plain = (['accessToken', 'refreshToken'] as const).filter((name) => text.includes(tokens[name]))
  if (plain.length) return plain
  // Sealed, they do not: count the records that hold a token by what they are.
  return tokenRecordKeys(records)
}
