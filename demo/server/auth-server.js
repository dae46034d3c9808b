// Dev authorization server for tokenwarden: node-oidc-provider 9, in-process, on 127.0.0.1.
//
// Plain ESM JavaScript (no build step): `node demo/server/auth-server.js [--port 4000]` runs it
// standalone; tests, benchmarks and the demo import `startAuthServer` / `signInHeadless`.
// Types live next to it in auth-server.d.ts.
//
// What it offers (see startAuthServer below for details):
// - a public SPA client (code + PKCE, rotating refresh tokens), a confidential introspection
//   client, revocation, introspection, RP-initiated logout, CORS for the SPA origins;
// - an auto-approving interaction: /auth signs in 'demo-user' and grants what was asked, no form;
// - a protected resource `GET /api/me` (bearer token, 401 once the token is dead);
// - a log of the requests to the token, revocation, introspection and userinfo endpoints and
//   /api/me, and fault switches (latency, revocation 503/500/hang/unsupported_token_type,
//   revoke-only-the-presented-token), both in JS and over HTTP under /__control.
//
// Faults (all off after reset()):
// - latencyMs: delay before every request except /__control (discovery, /auth, /token, …).
// - tokenLatencyMs: extra delay for POST /token only, before it is processed.
// - tokenResponseDelayMs: delay of the answer to POST /token, after it was processed.
// - revocation (POST /token/revocation only; preflights are never faulted):
//   'ok'        the provider answers (200, empty text/plain body; the whole grant dies);
//   '503-once'  503 + Retry-After once per distinct (token, token_type_hint) pair, then the
//               provider answers; setting `revocation` again (or reset) re-arms it;
//   '503-always' 503 + Retry-After every time; '500' 500 every time;
//   'hang'      never answers (the socket stays open until close(), which destroys it);
//   'unsupported-access-token' 400 unsupported_token_type when the token is a live access
//               token (or is unknown and hinted access_token); refresh tokens go through.
//   Fault answers carry CORS headers for the SPA origins and expose Retry-After.
// - retryAfterSeconds: Retry-After of the 503s (default 1).
// - revokeOnlyPresented: the provider still validates the request and destroys the presented
//   token, but its grant and sibling tokens survive.
//
// This is a test server: it logs token values and trusts the SPA origins with its control API.
// Never expose it beyond loopback.

import { generateKeyPair, randomBytes, randomUUID, createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'

/** @typedef {'ok' | '503-once' | '503-always' | '500' | 'hang' | 'unsupported-access-token'} RevocationFault */

const REVOCATION_MODES = new Set(['ok', '503-once', '503-always', '500', 'hang', 'unsupported-access-token'])
const INTROSPECTOR_ID = 'tokenwarden-introspector'
const ACCOUNT_ID = 'demo-user'
const ACCOUNTS = {
  'demo-user': { sub: 'demo-user', name: 'Demo User', email: 'demo@example.test', email_verified: true },
}
const SCOPES = ['openid', 'profile', 'email', 'offline_access']
const LOGGED_PATHS = new Map([
  ['/token', 'token'],
  ['/token/revocation', 'revocation'],
  ['/token/introspection', 'introspection'],
  ['/me', 'userinfo'],
  ['/api/me', 'api'],
])
const MASKED_FIELDS = new Set([
  'token', 'access_token', 'refresh_token', 'id_token', 'code', 'code_verifier', 'client_secret',
  'id_token_hint', 'client_assertion',
])
const MAX_LOG = 5000
const MAX_BODY = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// Loading oidc-provider (once per process), without its "unsupported runtime" notice on Node 20

let providerModule
function loadProvider(quiet) {
  providerModule ??= (async () => {
    const original = console.warn
    if (quiet) {
      console.warn = (...args) => {
        if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return
        original.apply(console, args)
      }
    }
    try {
      return await import('oidc-provider')
    } finally {
      console.warn = original
    }
  })()
  return providerModule
}

// One RS256 signing key per process (ID tokens default to RS256; generating RSA takes a moment).
let signingKey
function loadSigningKey() {
  signingKey ??= new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, privateKey) => {
      if (err) reject(err)
      else resolve({ ...privateKey.export({ format: 'jwk' }), kid: `dev-${randomUUID()}`, use: 'sig', alg: 'RS256' })
    })
  })
  return signingKey
}

// ---------------------------------------------------------------------------------------------
// In-memory adapter: a plain Map per server (the built-in one is an LRU capped at 1000 entries
// and prints a warning). Expired entries are dropped lazily and by a periodic sweep.

const GRANTABLE = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode',
])

function createMapStore() {
  /** @type {Map<string, { payload: any, expiresAt: number }>} */
  const entries = new Map()
  /** @type {Map<string, Set<string>>} grantId -> keys */
  const grants = new Map()
  /** @type {Map<string, string>} */
  const sessionUids = new Map()
  /** @type {Map<string, string>} */
  const userCodes = new Map()

  const get = (key) => {
    const entry = entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key)
      return undefined
    }
    return entry.payload
  }
  const sweep = () => {
    const now = Date.now()
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key)
  }
  return { entries, grants, sessionUids, userCodes, get, sweep }
}

function createAdapterClass(store, shouldKeepGrantSiblings) {
  return class MapAdapter {
    constructor(model) {
      this.model = model
    }

    key(id) {
      return `${this.model}:${id}`
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id)
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity
      store.entries.set(key, { payload, expiresAt })
      if (this.model === 'Session' && payload.uid) store.sessionUids.set(payload.uid, id)
      if (payload.userCode) store.userCodes.set(payload.userCode, id)
      if (GRANTABLE.has(this.model) && payload.grantId) {
        let keys = store.grants.get(payload.grantId)
        if (!keys) store.grants.set(payload.grantId, (keys = new Set()))
        keys.add(key)
      }
    }

    async find(id) {
      return store.get(this.key(id))
    }

    async findByUid(uid) {
      const id = store.sessionUids.get(uid)
      return id === undefined ? undefined : this.find(id)
    }

    async findByUserCode(userCode) {
      const id = store.userCodes.get(userCode)
      return id === undefined ? undefined : this.find(id)
    }

    async consume(id) {
      const payload = store.get(this.key(id))
      if (payload) payload.consumed = Math.floor(Date.now() / 1000)
    }

    async destroy(id) {
      const key = this.key(id)
      const payload = store.entries.get(key)?.payload
      store.entries.delete(key)
      if (payload?.grantId) store.grants.get(payload.grantId)?.delete(key)
      if (payload?.uid && store.sessionUids.get(payload.uid) === id) store.sessionUids.delete(payload.uid)
      if (payload?.userCode && store.userCodes.get(payload.userCode) === id) store.userCodes.delete(payload.userCode)
    }

    async revokeByGrantId(grantId) {
      // The 'revokeOnlyPresented' fault: at the revocation endpoint, the provider destroys the
      // presented token and then revokes its grant through here; skipping this leaves the
      // sibling tokens alive.
      if (shouldKeepGrantSiblings()) return
      const keys = store.grants.get(grantId)
      if (!keys) return
      for (const key of keys) {
        if (key.startsWith(`${this.model}:`)) {
          store.entries.delete(key)
          keys.delete(key)
        }
      }
      if (keys.size === 0) store.grants.delete(grantId)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const defaultFaults = (latencyMs) => ({
  latencyMs,
  tokenLatencyMs: 0,
  tokenResponseDelayMs: 0,
  revocation: 'ok',
  retryAfterSeconds: 1,
  revokeOnlyPresented: false,
})

function validateFaults(partial) {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new TypeError('faults must be an object')
  }
  const out = {}
  for (const [key, value] of Object.entries(partial)) {
    switch (key) {
      case 'latencyMs':
      case 'tokenLatencyMs':
      case 'tokenResponseDelayMs':
      case 'retryAfterSeconds':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
          throw new TypeError(`faults.${key} must be a non-negative number`)
        }
        out[key] = value
        break
      case 'revocation':
        if (!REVOCATION_MODES.has(value)) {
          throw new TypeError(`faults.revocation must be one of ${[...REVOCATION_MODES].join(', ')}`)
        }
        out[key] = value
        break
      case 'revokeOnlyPresented':
        if (typeof value !== 'boolean') throw new TypeError('faults.revokeOnlyPresented must be a boolean')
        out[key] = value
        break
      default:
        throw new TypeError(`unknown fault ${key}`)
    }
  }
  return out
}

function mask(value) {
  if (typeof value !== 'string') return value
  return `${value.slice(0, 6)}…${value.length}`
}

function maskEntry(entry) {
  const body = Object.fromEntries(
    Object.entries(entry.body).map(([k, v]) => [k, MASKED_FIELDS.has(k) ? mask(v) : v]),
  )
  const headers = { ...entry.headers }
  if (headers.authorization) {
    const [scheme, ...rest] = headers.authorization.split(' ')
    headers.authorization = rest.length ? `${scheme} ${mask(rest.join(' '))}` : mask(scheme)
  }
  return { ...entry, body, headers }
}

function basicUsername(authorization) {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  try {
    return decodeURIComponent(colon === -1 ? decoded : decoded.slice(0, colon))
  } catch {
    return undefined
  }
}

async function readRawBody(req) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) throw Object.assign(new Error('request entity too large'), { status: 413, expose: true })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function parseBody(raw, contentType) {
  const text = raw.toString('utf8')
  if (!text) return {}
  if (contentType?.includes('application/json')) {
    try {
      const parsed = JSON.parse(text)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
      }
    } catch {
      // fall through
    }
    return { _raw: text }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

/**
 * Consumes the request body, then puts a stand-in on ctx.req that replays it, so the provider's
 * own body parser (which reads ctx.req as a stream) still sees it.
 */
async function bufferBody(ctx) {
  const raw = await readRawBody(ctx.req)
  const original = ctx.req
  ctx.req = Object.create(original, {
    readable: { value: true },
    readableEncoding: { value: null },
    iterator: {
      value: () => (async function* replay() {
        if (raw.length) yield raw
      })(),
    },
  })
  return parseBody(raw, ctx.get('content-type'))
}

function htmlPage(title, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;margin:2rem}</style></head><body>${body}</body></html>`
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

// ---------------------------------------------------------------------------------------------

/**
 * Starts the dev authorization server. See auth-server.d.ts for the types.
 * @param {import('./auth-server.js').AuthServerOptions} [options]
 * @returns {Promise<import('./auth-server.js').AuthServer>}
 */
export async function startAuthServer(options = {}) {
  const {
    port = 0,
    host = '127.0.0.1',
    spaOrigins = ['http://127.0.0.1:5173'],
    clientId = 'tokenwarden-demo',
    latencyMs = 0,
    accessTokenTtl = 3600,
    refreshTokenTtl = 14 * 24 * 3600,
    quiet = true,
  } = options

  const { default: Provider, errors } = await loadProvider(quiet)
  const jwk = await loadSigningKey()

  // Listen first: with port 0 the issuer needs the port the OS picked.
  /** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void} */
  let handler = (_req, res) => {
    res.statusCode = 503
    res.end()
  }
  const server = createServer((req, res) => handler(req, res))
  const sockets = new Set()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(undefined)
    })
  })
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`

  // ---- state ----
  let faults = defaultFaults(latencyMs)
  /** @type {Set<string>} (token, hint) pairs already answered 503 by '503-once' */
  let seen503 = new Set()
  /** @type {import('./auth-server.js').LoggedRequest[]} */
  const requests = []
  const timers = new Set()
  let closed = false

  const sleep = (ms) => new Promise((resolve) => {
    if (!(ms > 0) || closed) return resolve(undefined)
    const timer = setTimeout(() => {
      timers.delete(entry)
      resolve(undefined)
    }, ms)
    const entry = { timer, resolve }
    timers.add(entry)
  })

  const store = createMapStore()
  const sweeper = setInterval(store.sweep, 60_000)
  sweeper.unref()

  const introspectorSecret = randomBytes(24).toString('base64url')
  const isAllowedOrigin = (origin) => typeof origin === 'string' && spaOrigins.includes(origin)

  const redirectUris = spaOrigins.flatMap((o) => [`${o}/callback`, `${o}/`, `${o}/react/callback`, `${o}/vue/callback`])
  const postLogoutRedirectUris = spaOrigins.flatMap((o) => [`${o}/`, `${o}/react/`, `${o}/vue/`])

  const inRevocationOnlyPresented = () => {
    if (!faults.revokeOnlyPresented) return false
    return Provider.ctx?.oidc?.route === 'revocation'
  }

  const findAccount = async (_ctx, sub) => {
    const claims = ACCOUNTS[sub]
    if (!claims) return undefined
    return { accountId: sub, claims: async () => ({ ...claims }) }
  }

  const provider = new Provider(issuer, {
    adapter: createAdapterClass(store, inRevocationOnlyPresented),
    clients: [
      {
        client_id: clientId,
        client_name: 'tokenwarden demo',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        scope: SCOPES.join(' '),
      },
      {
        client_id: INTROSPECTOR_ID,
        client_secret: introspectorSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    scopes: SCOPES,
    conformIdTokenClaims: false,
    clientBasedCORS: (_ctx, origin) => isAllowedOrigin(origin),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    // Default policy, plus: the 'revokeOnlyPresented' fault keeps the Grant itself alive.
    revokeGrantPolicy: (ctx) => {
      if (ctx.oidc.route === 'revocation' && (faults.revokeOnlyPresented || ctx.oidc.entities.AccessToken)) return false
      return true
    },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: Math.max(refreshTokenTtl, 3600),
      Grant: Math.max(refreshTokenTtl, accessTokenTtl, 3600),
      ClientCredentials: 600,
      // Like the default: a rotated refresh token of a public client keeps the remaining
      // lifetime of the one it replaces (absolute lifetime = refreshTokenTtl).
      RefreshToken: (ctx) => {
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken
        return rotated ? rotated.remainingTTL : refreshTokenTtl
      },
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId === client.clientId) return true
          if (client.clientAuthMethod === 'none') return false
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token')
        },
      },
      introspection: {
        enabled: true,
        // The confidential introspector may introspect any token; others only their own.
        allowedPolicy: async (_ctx, client, token) => client.clientId === INTROSPECTOR_ID || token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        // Auto-confirms (logout=yes) so headless runs need no click; the button stays for humans.
        logoutSource: async (ctx, form) => {
          ctx.body = htmlPage('Signing out', `${form}
<p>Signing out of ${escapeHtml(ctx.host)}…</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" id="logout-yes">Sign out</button>
<script>document.getElementById('logout-yes').click()</script>`)
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = htmlPage('Signed out', '<h1>Signed out</h1>')
        },
      },
    },
    // Own pages: the built-in ones @import a web font from a public CDN.
    renderError: async (ctx, out) => {
      ctx.type = 'html'
      ctx.body = htmlPage('Error', `<h1>Error</h1>${Object.entries(out)
        .map(([k, v]) => `<pre><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</pre>`).join('')}`)
    },
  })

  // ---- server-side introspection helper ----
  const introspect = async (token) => {
    const basic = Buffer.from(`${encodeURIComponent(INTROSPECTOR_ID)}:${encodeURIComponent(introspectorSecret)}`).toString('base64')
    const res = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: String(token) }),
    })
    if (!res.ok) throw new Error(`introspection failed: ${res.status} ${await res.text()}`)
    return res.json()
  }

  const clearLog = () => {
    requests.length = 0
  }

  const faultsApi = {
    set(partial) {
      const valid = validateFaults(partial)
      if ('revocation' in valid) seen503 = new Set()
      faults = { ...faults, ...valid }
    },
    reset() {
      faults = defaultFaults(latencyMs)
      seen503 = new Set()
    },
    get() {
      return { ...faults }
    },
  }

  const setCors = (ctx, { methods = 'GET,POST', expose } = {}) => {
    ctx.vary('Origin')
    const origin = ctx.get('origin')
    if (!isAllowedOrigin(origin)) return false
    ctx.set('Access-Control-Allow-Origin', origin)
    if (expose) ctx.set('Access-Control-Expose-Headers', expose)
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', methods)
      const requested = ctx.get('access-control-request-headers')
      if (requested) ctx.set('Access-Control-Allow-Headers', requested)
      ctx.set('Access-Control-Max-Age', '600')
    }
    return true
  }

  // ---- middleware 1: latency, request log, revocation faults ----
  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith('/__control')) return next()
    const started = Date.now()

    const endpoint = LOGGED_PATHS.get(ctx.path)
    let entry
    if (endpoint && ctx.method !== 'OPTIONS') {
      const body = ctx.method === 'POST' ? await bufferBody(ctx) : {}
      const headers = {}
      for (const name of ['authorization', 'origin', 'content-type']) {
        const value = ctx.get(name)
        if (value) headers[name] = value
      }
      entry = { at: started, method: ctx.method, path: ctx.path, endpoint, body, headers }
      requests.push(entry)
      if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG)
    }

    // Logged on arrival, answered after the added latency: tests can see a request in flight.
    await sleep(faults.latencyMs)
    if (ctx.method === 'POST' && ctx.path === '/token') await sleep(faults.tokenLatencyMs)

    if (entry && endpoint === 'revocation' && ctx.method === 'POST' && faults.revocation !== 'ok') {
      const mode = faults.revocation
      const { token, token_type_hint: hint } = entry.body
      const corsExpose = 'Retry-After, WWW-Authenticate'
      const unavailable = () => {
        setCors(ctx, { expose: corsExpose })
        ctx.status = 503
        ctx.set('Retry-After', String(faults.retryAfterSeconds))
        ctx.set('Cache-Control', 'no-store')
        ctx.body = { error: 'temporarily_unavailable', error_description: 'revocation is temporarily unavailable (dev server fault)' }
      }
      if (mode === 'hang') {
        // Never answer; close() destroys the socket.
        ctx.respond = false
        return
      }
      if (mode === '503-always') {
        unavailable()
        entry.status = ctx.status
        return
      }
      if (mode === '503-once') {
        const key = JSON.stringify([token ?? null, hint ?? null])
        if (!seen503.has(key)) {
          seen503.add(key)
          unavailable()
          entry.status = ctx.status
          return
        }
      }
      if (mode === '500') {
        setCors(ctx, { expose: corsExpose })
        ctx.status = 500
        ctx.body = { error: 'server_error', error_description: 'revocation failed (dev server fault)' }
        entry.status = ctx.status
        return
      }
      if (mode === 'unsupported-access-token' && typeof token === 'string') {
        const [asAccess, asRefresh] = await Promise.all([provider.AccessToken.find(token), provider.RefreshToken.find(token)])
        const isAccessToken = Boolean(asAccess) || (!asRefresh && hint === 'access_token')
        if (isAccessToken) {
          setCors(ctx, { expose: corsExpose })
          ctx.status = 400
          ctx.set('Cache-Control', 'no-store')
          ctx.body = { error: 'unsupported_token_type', error_description: 'revocation of access tokens is not supported (dev server fault)' }
          entry.status = ctx.status
          return
        }
      }
    }

    try {
      await next()
      // The grant is processed already (a refresh token rotated), only the answer is late.
      if (ctx.method === 'POST' && ctx.path === '/token') await sleep(faults.tokenResponseDelayMs)
    } finally {
      if (entry) entry.status = ctx.status
      if (!quiet) {
        console.error(`[auth-server] ${ctx.method} ${ctx.path} -> ${ctx.status} (${Date.now() - started} ms)`)
      }
    }
  })

  // ---- middleware 2: control API, auto-approving interaction, /api/me ----
  provider.use(async (ctx, next) => {
    const { path } = ctx

    if (path.startsWith('/__control/')) {
      setCors(ctx, { methods: 'GET,POST' })
      if (ctx.method === 'OPTIONS') {
        ctx.status = 204
        return
      }
      const readJson = async () => {
        const raw = (await readRawBody(ctx.req)).toString('utf8')
        if (!raw) return {}
        try {
          return JSON.parse(raw)
        } catch {
          ctx.throw(400, 'invalid JSON body')
        }
      }
      ctx.set('Cache-Control', 'no-store')
      const route = `${ctx.method} ${path}`
      switch (route) {
        case 'GET /__control/faults':
          ctx.body = faultsApi.get()
          return
        case 'POST /__control/faults':
          try {
            faultsApi.set(await readJson())
          } catch (err) {
            if (!(err instanceof TypeError)) throw err
            ctx.status = 400
            ctx.body = { error: 'invalid_request', error_description: err.message }
            return
          }
          ctx.body = faultsApi.get()
          return
        case 'POST /__control/reset':
          faultsApi.reset()
          clearLog()
          ctx.body = faultsApi.get()
          return
        case 'GET /__control/requests': {
          const since = Number(ctx.query.since ?? 0) || 0
          ctx.body = requests.filter((r) => r.at >= since).map(maskEntry)
          return
        }
        case 'GET /__control/verdict': {
          // For the demo page: the revocation requests since `since`, each with whether its
          // token is still active now (introspected as the confidential client).
          const since = Number(ctx.query.since ?? 0) || 0
          const entries = requests.filter((r) => r.endpoint === 'revocation' && r.at >= since)
          const activity = new Map()
          for (const { body } of entries) {
            if (typeof body.token === 'string' && !activity.has(body.token)) {
              activity.set(body.token, introspect(body.token).then((r) => r.active === true, () => false))
            }
          }
          ctx.body = await Promise.all(entries.map(async (r) => ({
            at: r.at,
            hint: r.body.token_type_hint ?? '',
            token: typeof r.body.token === 'string' ? mask(r.body.token) : '',
            clientId: r.body.client_id ?? basicUsername(r.headers.authorization) ?? '',
            status: r.status ?? null,
            active: typeof r.body.token === 'string' ? await activity.get(r.body.token) : false,
          })))
          return
        }
        case 'POST /__control/introspect': {
          const { token } = await readJson()
          if (typeof token !== 'string' || !token) {
            ctx.status = 400
            ctx.body = { error: 'invalid_request', error_description: 'token (string) is required' }
            return
          }
          ctx.body = await introspect(token)
          return
        }
        default:
          ctx.status = 404
          ctx.body = { error: 'not_found' }
          return
      }
    }

    const interaction = /^\/interaction\/([^/]+)$/.exec(path)
    if (interaction && ctx.method === 'GET') {
      ctx.set('Cache-Control', 'no-store')
      let details
      try {
        details = await provider.interactionDetails(ctx.req, ctx.res)
      } catch (err) {
        ctx.status = 400
        ctx.type = 'html'
        ctx.body = htmlPage('Sign-in failed', `<h1>Sign-in failed</h1><pre>${escapeHtml(err?.message ?? err)}</pre>`)
        return
      }
      const { prompt, params, session, grantId: existingGrantId } = details
      const accountId = session?.accountId ?? ACCOUNT_ID
      const grant = (existingGrantId && await provider.Grant.find(existingGrantId))
        || new provider.Grant({ accountId, clientId: String(params.client_id) })
      const missing = prompt.details ?? {}
      // On the login prompt the consent details are not computed yet: grant the requested
      // scopes now so that one round trip is enough; anything still missing (e.g. claims of
      // a `claims` parameter) comes back as a consent prompt and is granted then.
      const scopes = new Set(missing.missingOIDCScope ?? [])
      if (prompt.name === 'login' && typeof params.scope === 'string') {
        for (const s of params.scope.split(' ')) if (SCOPES.includes(s)) scopes.add(s)
      }
      if (scopes.size) grant.addOIDCScope([...scopes].join(' '))
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims)
      for (const [indicator, list] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, list.join(' '))
      }
      const grantId = await grant.save()
      const result = { consent: { grantId } }
      if (prompt.name === 'login' || !session?.accountId) result.login = { accountId }
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false })
      ctx.redirect(returnTo)
      ctx.status = 303
      return
    }

    if (path === '/api/me') {
      setCors(ctx, { methods: 'GET', expose: 'WWW-Authenticate' })
      if (ctx.method === 'OPTIONS') {
        ctx.status = 204
        return
      }
      if (ctx.method !== 'GET') {
        ctx.status = 405
        ctx.set('Allow', 'GET, OPTIONS')
        return
      }
      ctx.set('Cache-Control', 'no-store')
      const unauthorized = (description) => {
        ctx.status = 401
        ctx.set('WWW-Authenticate', `Bearer realm="${issuer}", error="invalid_token", error_description="${description}"`)
        ctx.body = { error: 'invalid_token', error_description: description }
      }
      const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))
      if (!match) {
        ctx.status = 401
        ctx.set('WWW-Authenticate', `Bearer realm="${issuer}"`)
        ctx.body = { error: 'invalid_request', error_description: 'no bearer token' }
        return
      }
      const token = await provider.AccessToken.find(match[1])
      if (!token || !token.isValid) return unauthorized('token is invalid, expired or revoked')
      if (token.grantId) {
        const grant = await provider.Grant.find(token.grantId)
        if (!grant || grant.clientId !== token.clientId || grant.accountId !== token.accountId) {
          return unauthorized('grant revoked')
        }
      }
      if (token.expiresWithSession) {
        const session = await provider.Session.findByUid(token.sessionUid)
        if (!session || session.accountId !== token.accountId) return unauthorized('session ended')
      }
      const account = ACCOUNTS[token.accountId]
      ctx.body = {
        sub: token.accountId,
        name: account?.name,
        scope: token.scope,
        clientId: token.clientId,
        tokenExpiresAt: token.exp,
      }
      return
    }

    return next()
  })

  handler = provider.callback()

  const close = async () => {
    if (closed) return
    closed = true
    clearInterval(sweeper)
    for (const { timer, resolve } of timers) {
      clearTimeout(timer)
      resolve(undefined)
    }
    timers.clear()
    await new Promise((resolve) => {
      server.close(() => resolve(undefined))
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
    })
  }

  return {
    issuer,
    port: actualPort,
    clientId,
    spaOrigins: [...spaOrigins],
    introspectionClient: { clientId: INTROSPECTOR_ID, clientSecret: introspectorSecret },
    introspect,
    requests,
    revocations: () => requests.filter((r) => r.endpoint === 'revocation'),
    clearLog,
    faults: faultsApi,
    provider,
    close,
  }
}

// ---------------------------------------------------------------------------------------------
// Headless sign-in (Node): authorization code + PKCE through the auto-approving interaction.

function cookieJar() {
  /** @type {Map<string, { name: string, value: string, path: string }>} */
  const cookies = new Map()
  return {
    store(response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attrs] = line.split(';')
        const eq = pair.indexOf('=')
        const name = pair.slice(0, eq).trim()
        const value = pair.slice(eq + 1).trim()
        let path = '/'
        let expired = value === ''
        for (const attr of attrs) {
          const [k, v = ''] = attr.split('=')
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
    header(url) {
      const { pathname } = new URL(url)
      return [...cookies.values()]
        .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
        .map((c) => `${c.name}=${c.value}`)
        .join('; ')
    },
  }
}

/**
 * Signs 'demo-user' in without a browser and returns the token response.
 * @param {{ issuer: string, clientId: string, spaOrigins?: string[] }} server
 * @param {{ origin?: string, scope?: string, redirectUri?: string }} [options]
 */
export async function signInHeadless(server, options = {}) {
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

  const jar = cookieJar()
  let url = authUrl.href
  let code
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
  const body = await res.json()
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`)
  return body
}

// ---------------------------------------------------------------------------------------------
// CLI: node demo/server/auth-server.js [--port 4000 (default; 0 = ephemeral)] [--host 127.0.0.1] [--spa-origin URL]...
//      [--client-id ID] [--latency MS] [--quiet]

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2)
  const options = { port: 4000, quiet: false }
  const origins = []
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = () => inline ?? args[++i]
    switch (flag) {
      case '--port': options.port = Number(value()); break
      case '--host': options.host = value(); break
      case '--spa-origin': origins.push(value()); break
      case '--client-id': options.clientId = value(); break
      case '--latency': options.latencyMs = Number(value()); break
      case '--quiet': options.quiet = true; break
      case '--help':
        console.log('usage: node demo/server/auth-server.js [--port 4000] [--host 127.0.0.1] [--spa-origin http://127.0.0.1:5173]... [--client-id ID] [--latency MS] [--quiet]')
        process.exit(0)
        break
      default:
        console.error(`unknown argument ${arg}`)
        process.exit(2)
    }
  }
  if (origins.length) options.spaOrigins = origins
  const server = await startAuthServer(options)
  console.log(server.issuer)
  console.error(`[auth-server] issuer ${server.issuer}, client ${server.clientId}, SPA origins ${server.spaOrigins.join(', ')}`)
  const stop = async () => {
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
