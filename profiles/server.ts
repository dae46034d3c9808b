/**
 * A small authorization server on loopback that keeps real token state, for the profile
 * suite: discovery, the authorization code grant with PKCE (S256), the refresh grant,
 * userinfo, and a revocation endpoint whose behaviour is the profile's (profiles.ts).
 *
 * A token is alive while the server would accept it: a refresh grant with a refresh token, a
 * userinfo call with an access token. The profile's `revoke` decides what dies.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Grant {
  id: string
  clientId: string
  /** A Keycloak client session, a Google grant, a Cognito refresh token family. */
  alive: boolean
}
export interface IssuedToken {
  value: string
  kind: 'access_token' | 'refresh_token'
  grant: Grant
  alive: boolean
}

export interface RevocationCall {
  form: URLSearchParams
  /** The Authorization header as received. */
  authorization: string | undefined
  /** The client named by the request: Basic user name (decoded as this server decodes it) or `client_id`. */
  clientId: string | undefined
  /** The token presented, if this server knows it. */
  token: IssuedToken | undefined
}

export interface Answer {
  status: number
  body?: string
  headers?: Record<string, string>
}

export interface ServerState {
  /** Kill one token. */
  kill(token: IssuedToken): void
  /** Kill a grant: every token issued under it. */
  killGrant(grant: Grant): void
}

export interface Profile {
  name: string
  /** The public sources the behaviour is taken from. */
  sources: string[]
  /** Path of the issuer under the server's origin, e.g. `/realms/demo`; '' for the root. */
  issuerPath: string
  paths: { token: string; userinfo: string; authorize: string; revocation?: string; endSession?: string }
  /** How this server reads HTTP Basic: `raw` base64(id:secret), or `form` (RFC 6749 §2.3.1, decoded). */
  basicDecoding: 'raw' | 'form'
  /** The revocation endpoint's behaviour. */
  revoke(call: RevocationCall, state: ServerState): Answer
  /**
   * What the server does with RFC 8707's `resource` (a destination's `resource`, sent at sign-in
   * and on the refresh grant), as its sources say; README's servers table quotes it.
   */
  resource: { says: string; sources: string[] }
}

export interface Client {
  id: string
  secret?: string
}

export interface SeenCall {
  method: string
  path: string
  authorization: string | undefined
  form: URLSearchParams
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
})
export const answers = {
  json,
  /** 200 with an empty body. */
  ok: (): Answer => ({ status: 200, body: '' }),
  error: (status: number, error: string, description?: string): Answer =>
    json(status, { error, ...(description ? { error_description: description } : {}) }),
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url')
const token = (prefix: string) => `${prefix}.${randomBytes(18).toString('base64url')}`

/** Reads HTTP Basic credentials the way the profile's server does. */
function readBasic(header: string | undefined, decoding: 'raw' | 'form'): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  const [id, secret] = [text.slice(0, colon), text.slice(colon + 1)]
  if (decoding === 'raw') return { id, secret }
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '))
  try {
    return { id: decode(id), secret: decode(secret) }
  } catch {
    return undefined // a malformed percent-escape: the credentials cannot be read
  }
}

export async function startProfileServer(profile: Profile, clients: Client[]) {
  const codes = new Map<string, { clientId: string; challenge: string; redirectUri: string; nonce: string | null; scope: string }>()
  const tokens = new Map<string, IssuedToken>()
  const calls: SeenCall[] = []
  /** Test switch: answer the revocation endpoint with this instead of the profile's behaviour. */
  let revocationOverride:
    | ((call: RevocationCall) => Answer | 'hang' | { stream: () => AsyncIterable<Buffer>; headers: Record<string, string> })
    | undefined

  const state: ServerState = {
    kill: (issued) => {
      issued.alive = false
    },
    killGrant: (grant) => {
      grant.alive = false
    },
  }
  const alive = (value: string | undefined, kind: IssuedToken['kind']) => {
    const issued = value ? tokens.get(value) : undefined
    return issued && issued.kind === kind && issued.alive && issued.grant.alive ? issued : undefined
  }

  let origin = ''
  const issuer = () => `${origin}${profile.issuerPath}`

  const authenticate = (request: IncomingMessage, form: URLSearchParams): Client | undefined => {
    const basic = readBasic(request.headers.authorization, profile.basicDecoding)
    const id = basic?.id ?? form.get('client_id') ?? undefined
    const client = clients.find((c) => c.id === id)
    if (!client) return undefined
    if (client.secret === undefined) return client
    const secret = basic?.secret ?? form.get('client_secret')
    return secret === client.secret ? client : undefined
  }

  const issue = (clientId: string, grant: Grant, nonce: string | null, scope: string) => {
    const access = token('at')
    const refresh = token('rt')
    tokens.set(access, { value: access, kind: 'access_token', grant, alive: true })
    tokens.set(refresh, { value: refresh, kind: 'refresh_token', grant, alive: true })
    const now = Math.floor(Date.now() / 1000)
    const claims = {
      iss: issuer(),
      aud: clientId,
      sub: 'user-1',
      name: 'Profile User',
      iat: now,
      exp: now + 3600,
      ...(nonce ? { nonce } : {}),
    }
    const idToken = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`
    return { access_token: access, refresh_token: refresh, id_token: idToken, token_type: 'Bearer', expires_in: 3600, scope }
  }

  const route = async (
    request: IncomingMessage,
    body: string,
  ): Promise<Answer | 'hang' | { stream: () => AsyncIterable<Buffer>; headers: Record<string, string> }> => {
    const url = new URL(request.url ?? '/', origin)
    const path = url.pathname
    const form = new URLSearchParams(body)
    calls.push({ method: request.method ?? 'GET', path, authorization: request.headers.authorization, form })

    if (path === `${profile.issuerPath}/.well-known/openid-configuration`) {
      return json(200, {
        issuer: issuer(),
        authorization_endpoint: `${origin}${profile.paths.authorize}`,
        token_endpoint: `${origin}${profile.paths.token}`,
        userinfo_endpoint: `${origin}${profile.paths.userinfo}`,
        jwks_uri: `${issuer()}/jwks`,
        response_types_supported: ['code'],
        ...(profile.paths.revocation ? { revocation_endpoint: `${origin}${profile.paths.revocation}` } : {}),
        ...(profile.paths.endSession ? { end_session_endpoint: `${origin}${profile.paths.endSession}` } : {}),
      })
    }
    if (path === profile.paths.token && request.method === 'POST') {
      const client = authenticate(request, form)
      if (!client) return answers.error(401, 'invalid_client')
      if (form.get('grant_type') === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '')
        codes.delete(form.get('code') ?? '')
        const verifier = form.get('code_verifier') ?? ''
        if (!code || code.clientId !== client.id || code.redirectUri !== form.get('redirect_uri'))
          return answers.error(400, 'invalid_grant')
        if (b64url(createHash('sha256').update(verifier).digest()) !== code.challenge) return answers.error(400, 'invalid_grant', 'PKCE')
        const grant: Grant = { id: token('grant'), clientId: client.id, alive: true }
        return json(200, issue(client.id, grant, code.nonce, code.scope))
      }
      if (form.get('grant_type') === 'refresh_token') {
        const refresh = alive(form.get('refresh_token') ?? undefined, 'refresh_token')
        if (!refresh || refresh.grant.clientId !== client.id) return answers.error(400, 'invalid_grant')
        const access = token('at')
        tokens.set(access, { value: access, kind: 'access_token', grant: refresh.grant, alive: true })
        return json(200, { access_token: access, token_type: 'Bearer', expires_in: 3600 })
      }
      return answers.error(400, 'unsupported_grant_type')
    }
    if (path === profile.paths.userinfo) {
      const bearer = request.headers.authorization?.replace(/^Bearer /, '')
      return alive(bearer, 'access_token')
        ? json(200, { sub: 'user-1' })
        : { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }
    }
    if (profile.paths.revocation && path === profile.paths.revocation && request.method === 'POST') {
      const basic = readBasic(request.headers.authorization, profile.basicDecoding)
      const call: RevocationCall = {
        form,
        authorization: request.headers.authorization,
        clientId: basic?.id ?? form.get('client_id') ?? undefined,
        token: tokens.get(form.get('token') ?? ''),
      }
      if (revocationOverride) return revocationOverride(call)
      // Credentials that were sent must be right (a wrong secret, or a Basic pair this server
      // reads as an unknown client): 401 invalid_client everywhere (RFC 6749 §5.2).
      const named = clients.find((c) => c.id === call.clientId)
      if ((named?.secret !== undefined || request.headers.authorization !== undefined) && !authenticate(request, form)) {
        return answers.error(401, 'invalid_client')
      }
      return profile.revoke(call, state)
    }
    if (path === '/login') return { status: 200, body: '<!doctype html><form>Sign in</form>', headers: { 'content-type': 'text/html' } }
    return { status: 404, body: 'not found' }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      void route(request, Buffer.concat(chunks).toString('utf8')).then(async (answer) => {
        if (answer === 'hang') return
        if ('stream' in answer) {
          response.writeHead(200, answer.headers)
          response.on('error', () => undefined)
          for await (const chunk of answer.stream()) {
            if (response.destroyed) break
            if (!response.write(chunk)) {
              await new Promise<void>((resolve) => {
                const done = () => {
                  response.off('drain', done).off('close', done)
                  resolve()
                }
                response.on('drain', done).on('close', done)
              })
            }
          }
          response.end()
          return
        }
        response.writeHead(answer.status, answer.headers ?? {})
        response.end(answer.body ?? '')
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    origin,
    get issuer() {
      return issuer()
    },
    calls,
    /** What the authorization endpoint does after the user signed in: a code for this request. */
    authorize(authorizationUrl: string): string {
      const url = new URL(authorizationUrl)
      if (url.origin + url.pathname !== `${origin}${profile.paths.authorize}`)
        throw new Error(`not this server's authorize endpoint: ${url.pathname}`)
      const params = url.searchParams
      if (params.get('code_challenge_method') !== 'S256') throw new Error('PKCE S256 expected')
      const code = token('code')
      codes.set(code, {
        clientId: params.get('client_id') ?? '',
        challenge: params.get('code_challenge') ?? '',
        redirectUri: params.get('redirect_uri') ?? '',
        nonce: params.get('nonce'),
        scope: params.get('scope') ?? 'openid',
      })
      const back = new URL(params.get('redirect_uri')!)
      back.searchParams.set('code', code)
      back.searchParams.set('state', params.get('state') ?? '')
      return back.href
    },
    /** Tokens issued directly, without a browser (for revokeToken tests). */
    issueDirect(clientId: string) {
      const grant: Grant = { id: token('grant'), clientId, alive: true }
      const set = issue(clientId, grant, null, 'openid offline_access')
      return { accessToken: set.access_token, refreshToken: set.refresh_token }
    },
    /** The tokens the server issued last (the test learns them here: the client stores them encrypted). */
    lastIssued(): { accessToken: string; refreshToken: string } | undefined {
      const issued = [...tokens.values()]
      const access = issued.filter((token) => token.kind === 'access_token').at(-1)
      const refresh = issued.filter((token) => token.kind === 'refresh_token').at(-1)
      return access && refresh ? { accessToken: access.value, refreshToken: refresh.value } : undefined
    },
    /** Does the server still accept it? A refresh grant for a refresh token, userinfo for an access token. */
    async accepts(value: string, kind: IssuedToken['kind'], client: Client): Promise<boolean> {
      if (kind === 'access_token') {
        const response = await fetch(`${origin}${profile.paths.userinfo}`, { headers: { authorization: `Bearer ${value}` } })
        return response.ok
      }
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: value, client_id: client.id })
      if (client.secret) form.set('client_secret', client.secret)
      const response = await fetch(`${origin}${profile.paths.token}`, { method: 'POST', body: form })
      return response.ok
    },
    setRevocationOverride(override: typeof revocationOverride) {
      revocationOverride = override
    },
    revocationCalls: () => calls.filter((call) => call.path === profile.paths.revocation),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type ProfileServer = Awaited<ReturnType<typeof startProfileServer>>
