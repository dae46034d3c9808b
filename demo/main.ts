import type { LogoutResult, SessionEvent, SessionSnapshot } from 'tokenwarden'
import { control, createDemoSession, describeError, idleSwitch, outcome, statusText } from './config.js'

const session = (() => {
  try {
    return createDemoSession('/')
  } catch (error) {
    // Not a blank page: say what is wrong and how to fix it (insecure-context, say).
    const alert = Object.assign(document.createElement('p'), { id: 'fatal', role: 'alert', textContent: describeError(error) })
    document.body.prepend(alert)
    throw error
  }
})()
/** Every event of the session, as it came: the Events panel shows them, the e2e tests read them. */
const events: SessionEvent[] = []
// A handle for the end-to-end tests (and the curious): the session and its events, never a token.
Object.assign(window, { demo: { session, events } })

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function logEvent(text: string, type = 'app') {
  const item = document.createElement('li')
  item.dataset.type = type
  item.innerHTML = `<time>${new Date().toLocaleTimeString()}</time> `
  item.append(text)
  $('events').prepend(item)
}

/** One line per event of the session's stream (session.on). */
function describeEvent(event: SessionEvent): string {
  switch (event.type) {
    case 'signed-in':
      return `signed in${event.replaced ? ' (replaced the stored session)' : ''}`
    case 'sign-in-failed':
      return `sign-in failed: ${event.code}${event.error ? ` (${event.error})` : ''}`
    case 'refreshed':
      return event.by === 'this-tab'
        ? `${event.via === 'silent' ? 'renewed silently (prompt=none)' : 'refreshed'} by this tab in ${event.durationMs} ms`
        : 'adopted tokens another tab refreshed'
    case 'refresh-failed':
      return `refresh failed after ${event.durationMs} ms: ${event.code}${event.error ? ` (${event.error})` : ''}`
    case 'signed-out':
      return `signed out (${event.reason})`
    case 'session-ending':
      return `the server's session ends in ${event.secondsLeft} s`
    case 'idle-warning':
      return event.secondsLeft === null ? 'idle countdown stopped: activity' : `idle: signed out in ${event.secondsLeft} s`
    case 'logout-started':
      return 'logout started'
    case 'logout-finished':
      return `logout settled in ${event.durationMs} ms: refresh_token ${event.revocation.refresh_token}, access_token ${event.revocation.access_token}`
    case 'revocation':
      return `${event.source} revocation of the ${event.hint}: ${event.outcome}${event.status ? ` (${event.status})` : ''}${event.code && event.outcome !== 'revoked' ? ` ${event.code}` : ''}`
    case 'outbox':
      return `outbox: ${event.count} ${event.action}`
    case 'destination-refused':
      return `session.http refused to send the token to ${event.origin}`
    case 'tab-message':
      return `${event.direction === 'sent' ? 'told the other tabs' : 'heard from another tab'}: ${event.message}`
    case 'storage':
      if (event.kind === 'persistence')
        return `storage ${event.persisted ? 'persistent' : 'best-effort'} (${event.asked ? 'asked' : 'read'})`
      return `storage ${event.kind} (${event.storage}${event.code ? `, ${event.code}` : ''})`
  }
}

session.on((event) => {
  events.push(event)
  logEvent(describeEvent(event), event.type)
})

function row(term: string, value: string) {
  const dt = document.createElement('dt')
  dt.textContent = term
  const dd = document.createElement('dd')
  dd.textContent = value
  return [dt, dd]
}

function renderSession(snapshot: SessionSnapshot) {
  const status = $('status')
  status.dataset.status = snapshot.status
  status.textContent = statusText(snapshot)
  const list = $('session')
  list.replaceChildren()
  if (snapshot.status === 'signed-in') {
    const { profile } = snapshot
    list.append(
      ...row('User', `${String(profile.name ?? '')} <${String(profile.email ?? '')}>`),
      ...row('Subject', String(profile.sub ?? '')),
      ...row('Access token expires', ''),
      ...row('Scope', snapshot.scope ?? ''),
      ...row('Stored in', snapshot.storage === 'indexeddb' ? 'IndexedDB (database "tokenwarden")' : 'memory only (no IndexedDB)'),
    )
    list.querySelectorAll('dd')[2]!.id = 'expiry'
    tick()
    void renderBinding()
  } else if (snapshot.status === 'signed-out') {
    list.append(
      ...row('Signed out', snapshot.reason),
      ...row('Stored in', snapshot.storage === 'indexeddb' ? 'IndexedDB: nothing' : 'memory: nothing'),
    )
    if (snapshot.error) list.append(...row('Error', `${snapshot.error.code}: ${snapshot.error.message}`))
  }
  const signedIn = snapshot.status === 'signed-in'
  $<HTMLButtonElement>('login').disabled = signedIn
  for (const id of ['call-api', 'refresh', 'logout', 'logout-end']) $<HTMLButtonElement>(id).disabled = !signedIn
}

/** How the tokens are bound: token type, and with DPoP the key's thumbprint and that it cannot be exported. */
async function renderBinding() {
  const binding = await session.getTokenBinding().catch(() => undefined)
  const list = $('session')
  if (!binding || session.getSnapshot().status !== 'signed-in' || list.querySelector('#token-type')) return
  const rows = [...row('Token type', binding.tokenType)]
  if (binding.dpop) {
    rows.push(
      ...row('DPoP key (cnf.jkt)', binding.dpop.thumbprint),
      ...row(
        'Private key',
        binding.dpop.extractable ? 'EXTRACTABLE' : `${binding.dpop.algorithm}, non-extractable (WebCrypto; bytes never readable)`,
      ),
    )
  }
  list.append(...rows)
  const values = list.querySelectorAll('dd')
  const first = values.length - rows.length / 2
  values[first]!.id = 'token-type'
  if (binding.dpop) {
    values[first + 1]!.id = 'dpop-thumbprint'
    values[first + 2]!.id = 'dpop-extractable'
  }
}

function tick() {
  const snapshot = session.getSnapshot()
  const expiry = document.getElementById('expiry')
  if (!expiry || snapshot.status !== 'signed-in' || snapshot.expiresAt === undefined) return
  const seconds = Math.round((snapshot.expiresAt - Date.now()) / 1000)
  expiry.textContent = seconds > 0 ? `in ${seconds} s` : `${-seconds} s ago (refreshed on next use)`
}
setInterval(tick, 1000)

session.subscribe(() => renderSession(session.getSnapshot()))

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

function renderLogout(result: LogoutResult, ms: number, verdict: Awaited<ReturnType<typeof control.verdict>>) {
  const box = $('logout-report')
  box.innerHTML = `
    <p><strong>${ms} ms</strong> · local state ${result.cleared ? 'cleared' : 'NOT cleared'} · other tabs told</p>
    <table>
      <thead><tr><th>Token</th><th>logout() says</th></tr></thead>
      <tbody>
        <tr><td>refresh_token</td><td data-token="refresh_token">${outcome(result, 'refresh_token')}</td></tr>
        <tr><td>access_token</td><td data-token="access_token">${outcome(result, 'access_token')}</td></tr>
        ${Object.entries(result.revocation.resources ?? {})
          .map(([resource, status]) => `<tr><td>access_token for ${escapeHtml(resource)}</td><td>${status}</td></tr>`)
          .join('')}
      </tbody>
    </table>
    <h3>Revocation requests the server received</h3>`
  // Built as DOM, not HTML: these values are whatever some client sent to the server.
  const table = document.createElement('table')
  table.id = 'verdict'
  table.innerHTML = '<thead><tr><th>token_type_hint · client_id</th><th>token</th><th>answer</th><th>now</th></tr></thead>'
  const body = table.createTBody()
  for (const v of verdict) {
    const tr = body.insertRow()
    const hint = tr.insertCell()
    hint.append(v.hint, document.createElement('br'))
    const client = document.createElement('small')
    client.textContent = v.clientId
    hint.append(client)
    const token = document.createElement('code')
    token.textContent = v.token
    tr.insertCell().append(token)
    tr.insertCell().textContent = v.status === null ? 'no answer' : String(v.status)
    const active = tr.insertCell()
    active.className = v.active ? 'bad' : 'good'
    active.textContent = v.active ? 'active' : 'inactive'
  }
  if (verdict.length === 0) body.insertRow().insertCell().textContent = 'none'
  box.append(table)
}

async function run(label: string, action: () => Promise<void>) {
  try {
    await action()
  } catch (error) {
    logEvent(`${label} failed: ${describeError(error)}`)
  }
}

$('login').addEventListener('click', () => run('sign-in', () => session.login()))
$('refresh').addEventListener('click', () => run('refresh', () => session.refresh()))
$('call-api').addEventListener('click', () =>
  run('API call', async () => {
    $('api').textContent = '…'
    const me = await session.http.get(new URL('/api/me', control.issuer).href).json()
    $('api').textContent = JSON.stringify(me, null, 2)
  }),
)
$('call-resources').addEventListener('click', () =>
  run('resource calls', async () => {
    $('api').textContent = '…'
    // Each API answers with the audience and scope of the token it received (never the token).
    const calls = ['/api-a/me', '/api-b/me'].map(async (path) => {
      const { aud, scope } = await session.http.get(new URL(path, control.issuer).href).json<{ aud: string; scope: string }>()
      return `${path} got a token for ${aud} (scope ${scope})`
    })
    $('api').textContent = (await Promise.all(calls)).join('\n')
  }),
)
const logout = (redirect: boolean) =>
  run('logout', async () => {
    const since = Date.now()
    const started = performance.now()
    const result = await session.logout({ redirect })
    const ms = Math.round(performance.now() - started)
    // Give a hanging revocation no say in the report: ask what the server received so far.
    renderLogout(result, ms, await control.verdict(since).catch(() => []))
  })
$('logout').addEventListener('click', () => logout(false))
$('logout-end').addEventListener('click', () => logout(true))

async function syncFaults() {
  const faults = await control.faults().catch(() => undefined)
  if (!faults) return
  $<HTMLSelectElement>('fault-revocation').value = String(faults.revocation)
  $<HTMLSelectElement>('fault-latency').value = String(faults.latencyMs)
  $<HTMLInputElement>('fault-only-presented').checked = Boolean(faults.revokeOnlyPresented)
}
// The idle limit applies from the next page load (options are read once, at createSession).
$<HTMLSelectElement>('idle-limit').value = String(idleSwitch.get() ?? 0)
$('idle-limit').addEventListener('change', (e) => {
  idleSwitch.set(Number((e.target as HTMLSelectElement).value))
  location.reload()
})
$('stay-active').addEventListener('click', () => session.stayActive())
$('fault-revocation').addEventListener('change', (e) => void control.faults({ revocation: (e.target as HTMLSelectElement).value }))
$('fault-latency').addEventListener('change', (e) => void control.faults({ latencyMs: Number((e.target as HTMLSelectElement).value) }))
$('fault-only-presented').addEventListener(
  'change',
  (e) => void control.faults({ revokeOnlyPresented: (e.target as HTMLInputElement).checked }),
)

renderSession(session.getSnapshot())
await session.start()
renderSession(session.getSnapshot())
if (location.pathname === '/callback') {
  await run('callback', async () => {
    await session.handleCallback()
  })
  history.replaceState(null, '', '/')
}
void syncFaults()
