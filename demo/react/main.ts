// The demo on React, through the package's own entry point. createElement instead of JSX, so
// no JSX transform is needed; `h` reads like the markup it makes.
import { createElement as h, StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import type { LogoutResult } from 'tokenwarden'
import { SessionProvider, useAccessToken, useLogout, useSession, useTokenwardenSession } from 'tokenwarden/react'
import { control, createDemoSession, describeError, outcome, statusText } from '../config.js'

const base = '/react/'
const session = createDemoSession(base)
// A handle for the end-to-end tests (and the curious): the session, never a token.
Object.assign(window, { demo: { session } })

type Verdict = Awaited<ReturnType<typeof control.verdict>>

/** Seconds until `at`, re-rendered every second. */
function useCountdown(at: number | undefined) {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (at === undefined) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [at])
  if (at === undefined) return 'never'
  const seconds = Math.round((at - now) / 1000)
  return seconds > 0 ? `in ${seconds} s` : `${-seconds} s ago (refreshed on next use)`
}

function rows(entries: Array<[string, string, string?]>) {
  return entries.flatMap(([term, value, id]) => [h('dt', { key: `${term}-t` }, term), h('dd', { key: `${term}-d`, id }, value)])
}

function SessionCard({ logout, pending }: { logout: () => void; pending: boolean }) {
  const snapshot = useSession()
  const session = useTokenwardenSession()
  const expiry = useCountdown(snapshot.status === 'signed-in' ? snapshot.expiresAt : undefined)
  const [error, setError] = useState<string>()
  const run = (label: string, action: () => Promise<void>) => () => {
    setError(undefined)
    action().catch((reason: unknown) => setError(`${label} failed: ${describeError(reason)}`))
  }
  const signedIn = snapshot.status === 'signed-in'

  let details: ReturnType<typeof rows> = []
  if (snapshot.status === 'signed-in') {
    const { profile } = snapshot
    details = rows([
      ['User', `${String(profile.name ?? '')} <${String(profile.email ?? '')}>`],
      ['Subject', String(profile.sub ?? '')],
      ['Access token expires', expiry, 'expiry'],
      ['Scope', snapshot.scope ?? ''],
      ['Stored in', snapshot.storage === 'indexeddb' ? 'IndexedDB (database "tokenwarden")' : 'memory only (no IndexedDB)'],
    ])
  } else if (snapshot.status === 'signed-out') {
    details = rows([
      ['Signed out', snapshot.reason],
      ['Stored in', snapshot.storage === 'indexeddb' ? 'IndexedDB: nothing' : 'memory: nothing'],
      ...(snapshot.error ? [['Error', `${snapshot.error.code}: ${snapshot.error.message}`] as [string, string]] : []),
    ])
  }

  return h(
    'section',
    { className: 'card', id: 'session-card' },
    h('h2', null, 'Session ', h('code', null, 'useSession()')),
    h('dl', { id: 'session' }, details),
    h(
      'div',
      { className: 'actions' },
      h('button', { type: 'button', id: 'login', disabled: signedIn, onClick: run('sign-in', () => session.login()) }, 'Sign in'),
      h('button', { type: 'button', id: 'refresh', disabled: !signedIn, onClick: run('refresh', () => session.refresh()) }, 'Refresh now'),
      h(
        'button',
        { type: 'button', id: 'logout', className: 'danger', disabled: !signedIn || pending, onClick: logout },
        pending ? 'Logging out…' : 'Log out',
      ),
    ),
    error ? h('p', { className: 'hint', role: 'alert' }, error) : null,
    h(
      'p',
      { className: 'hint' },
      h('a', { href: base, target: '_blank', rel: 'noopener' }, 'Open another tab'),
      ' — log out here and watch it sign out there, without a reload.',
    ),
  )
}

function TokenCard() {
  const { token, loading, error } = useAccessToken()
  const shown = token
    ? `${token.slice(0, 8)}… (${token.length} characters)`
    : loading
      ? '…'
      : error
        ? `${error.code}: ${error.message}`
        : '—'
  return h(
    'section',
    { className: 'card' },
    h('h2', null, 'Access token ', h('code', null, 'useAccessToken()')),
    h('p', { className: 'hint' }, 'Re-read whenever the session changes: watch it change after "Refresh now", here or in another tab.'),
    h('pre', { className: 'output', id: 'token' }, shown),
  )
}

function ApiCard() {
  const session = useTokenwardenSession()
  const snapshot = useSession()
  const [output, setOutput] = useState('—')
  const call = () => {
    setOutput('…')
    session.http
      .get(new URL('/api/me', control.issuer).href)
      .json()
      .then(
        (me) => setOutput(JSON.stringify(me, null, 2)),
        (error: unknown) => setOutput(`API call failed: ${describeError(error)}`),
      )
  }
  return h(
    'section',
    { className: 'card' },
    h('h2', null, 'API'),
    h(
      'p',
      { className: 'hint' },
      'GET /api/me through ',
      h('code', null, 'session.http'),
      ': bearer attached, 401 → refresh → retry once.',
    ),
    h(
      'div',
      { className: 'actions' },
      h('button', { type: 'button', id: 'call-api', disabled: snapshot.status !== 'signed-in', onClick: call }, 'Call /api/me'),
    ),
    h('pre', { id: 'api', className: 'output', style: { marginTop: '0.6rem' } }, output),
  )
}

function LogoutCard({ result, verdict }: { result: LogoutResult | undefined; verdict: Verdict | undefined }) {
  const body = result
    ? [
        h('p', { key: 'summary' }, `Local state ${result.cleared ? 'cleared' : 'NOT cleared'} · other tabs told`),
        h(
          'table',
          { key: 'result' },
          h('thead', null, h('tr', null, h('th', null, 'Token'), h('th', null, 'logout() says'))),
          h(
            'tbody',
            null,
            (['refresh_token', 'access_token'] as const).map((name) =>
              h('tr', { key: name }, h('td', null, name), h('td', { 'data-token': name }, outcome(result, name))),
            ),
          ),
        ),
        h('h3', { key: 'heading' }, 'Revocation requests the server received'),
        h(
          'table',
          { key: 'verdict', id: 'verdict' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 'token_type_hint · client_id'),
              h('th', null, 'token'),
              h('th', null, 'answer'),
              h('th', null, 'now'),
            ),
          ),
          h(
            'tbody',
            null,
            verdict === undefined
              ? h('tr', null, h('td', { colSpan: 4 }, 'asking the server…'))
              : verdict.length === 0
                ? h('tr', null, h('td', { colSpan: 4 }, 'none'))
                : verdict.map((v, i) =>
                    h(
                      'tr',
                      { key: i },
                      h('td', null, v.hint, h('br'), h('small', null, v.clientId)),
                      h('td', null, h('code', null, v.token)),
                      h('td', null, v.status === null ? 'no answer' : String(v.status)),
                      h('td', { className: v.active ? 'bad' : 'good' }, v.active ? 'active' : 'inactive'),
                    ),
                  ),
          ),
        ),
      ]
    : 'No logout yet.'
  return h(
    'section',
    { className: 'card', id: 'logout-card' },
    h('h2', null, 'Last logout ', h('code', null, 'useLogout()')),
    h('p', { className: 'hint' }, 'What ', h('code', null, 'logout()'), ' reported, and what the server says now (introspection).'),
    h('div', { id: 'logout-report', className: 'output' }, body),
  )
}

function App() {
  const snapshot = useSession()
  const { logout, pending, result } = useLogout()
  const [verdict, setVerdict] = useState<Verdict>()
  const onLogout = () => {
    const since = Date.now()
    setVerdict(undefined)
    void logout().then(async () => setVerdict(await control.verdict(since).catch(() => [])))
  }
  return h(
    'div',
    null,
    h(
      'header',
      null,
      h('h1', null, 'tokenwarden ', h('span', { className: 'muted' }, 'demo')),
      h(
        'nav',
        null,
        h('a', { href: '/' }, 'Plain'),
        ' · ',
        h('a', { href: '/react/', 'aria-current': 'page', style: { fontWeight: 600 } }, 'React'),
        ' · ',
        h('a', { href: '/vue/' }, 'Vue'),
        ' · ',
        h('a', { href: '/angular/' }, 'Angular'),
      ),
      h('span', { id: 'status', className: 'pill', 'data-status': snapshot.status }, statusText(snapshot)),
    ),
    h('main', null, h(SessionCard, { logout: onLogout, pending }), h(TokenCard), h(ApiCard), h(LogoutCard, { result, verdict })),
  )
}

createRoot(document.getElementById('app')!).render(h(StrictMode, null, h(SessionProvider, { session }, h(App))))

await session.start()
if (location.pathname === `${base}callback`) {
  // A failed callback shows up in the snapshot (signed-out, reason callback-failed).
  await session.handleCallback().catch(() => undefined)
  history.replaceState(null, '', base)
}
