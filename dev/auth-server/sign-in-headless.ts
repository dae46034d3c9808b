// Headless sign-in (Node): authorization code + PKCE through the auto-approving interaction,
// following the redirects with a small cookie jar, then the token request with the SPA's Origin.

import { createHash, randomBytes } from 'node:crypto'
import type { HeadlessTokenSet, SignInHeadlessOptions } from './types.js'

function cookieJar() {
  const cookies = new Map<string, { name: string; value: string; path: string }>()
  return {
    store(response: Response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attrs] = line.split(';')
        const eq = pair.indexOf('=')
        const name = pair.slice(0, eq).trim()
        const value = pair.slice(eq + 1).trim()
        let path = '/'
        let expired = value === ''
        for (const attr of attrs) {
          const [k = '', v = ''] = attr.split('=')
          const key = k.trim().toLowerCase()
          if (key === 'path') path = v.trim() || '/'
          if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true
          if (key === 'max-age' && Number(v) <= 0) expired = true
        }
        const id = `${name}\u0000${path}`
        if (expired) cookies.delete(id)
        else cookies.set(id, { name, value, path })
      }
    },
    header(url: string) {
      const { pathname } = new URL(url)
      return [...cookies.values()]
        .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
        .map((c) => `${c.name}=${c.value}`)
        .join('; ')
    },
  }
}

/** Signs 'demo-user' in without a browser and returns the token response. */
export async function signInHeadless(
  server: { issuer: string; clientId: string; spaOrigins?: readonly string[] | undefined },
  options: SignInHeadlessOptions = {},
): Promise<HeadlessTokenSet> {
  const origin = options.origin ?? server.spaOrigins?.[0] ?? 'http://127.0.0.1:5173'
  const scope = options.scope ?? 'openid profile email offline_access'
  const redirectUri = options.redirectUri ?? `${origin}/callback`
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const state = randomBytes(12).toString('base64url')

  const authUrl = new URL(`${server.issuer}/auth`)
  authUrl.search = new URLSearchParams({
    client_id: server.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString()
  for (const resource of options.resources ?? []) authUrl.searchParams.append('resource', resource)

  const jar = cookieJar()
  let url = authUrl.href
  let code: string | null | undefined
  for (let hop = 0; hop < 20; hop += 1) {
    const cookie = jar.header(url)
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
    jar.store(res)
    const location = res.headers.get('location')
    await res.arrayBuffer()
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`headless sign-in stopped at ${url}: HTTP ${res.status}`)
    }
    const next = new URL(location, url)
    if (next.href.startsWith(redirectUri) && next.origin === new URL(redirectUri).origin) {
      if (next.searchParams.get('error')) {
        throw new Error(`authorization failed: ${next.searchParams.get('error')}: ${next.searchParams.get('error_description')}`)
      }
      if (next.searchParams.get('state') !== state) throw new Error('state mismatch')
      code = next.searchParams.get('code')
      break
    }
    url = next.href
  }
  if (!code) throw new Error('headless sign-in: no authorization code')

  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: server.clientId,
      code_verifier: verifier,
    }),
  })
  const body: unknown = await res.json()
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`)
  return body as HeadlessTokenSet
}
