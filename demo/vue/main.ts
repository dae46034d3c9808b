// The demo on Vue, through the package's own entry point. Render functions (`h`) instead of
// single-file components, so no Vue compiler plugin is needed.
import { computed, createApp, defineComponent, h, onScopeDispose, shallowRef, type PropType } from 'vue'
import type { LogoutResult } from 'tokenwarden'
import { createSessionPlugin, useAccessToken, useLogout, useSession, useTokenwardenSession } from 'tokenwarden/vue'
import { control, createDemoSession, describeError, outcome, statusText } from '../config.js'

const base = '/vue/'
const session = createDemoSession(base)
// A handle for the end-to-end tests (and the curious): the session, never a token.
Object.assign(window, { demo: { session } })

type Verdict = Awaited<ReturnType<typeof control.verdict>>

/** The current time, updated every second while the component lives. */
function useNow() {
  const now = shallowRef(Date.now())
  const timer = setInterval(() => (now.value = Date.now()), 1000)
  onScopeDispose(() => clearInterval(timer))
  return now
}

function rows(entries: Array<[string, string, string?]>) {
  return entries.flatMap(([term, value, id]) => [h('dt', term), h('dd', id ? { id } : null, value)])
}

const SessionCard = defineComponent({
  props: {
    logout: { type: Function as PropType<() => void>, required: true },
    pending: { type: Boolean, required: true },
  },
  setup(props) {
    const snapshot = useSession()
    const session = useTokenwardenSession()
    const now = useNow()
    const error = shallowRef<string>()
    const run = (label: string, action: () => Promise<void>) => () => {
      error.value = undefined
      action().catch((reason: unknown) => (error.value = `${label} failed: ${describeError(reason)}`))
    }
    const expiry = computed(() => {
      const current = snapshot.value
      if (current.status !== 'signed-in' || current.expiresAt === undefined) return 'never'
      const seconds = Math.round((current.expiresAt - now.value) / 1000)
      return seconds > 0 ? `in ${seconds} s` : `${-seconds} s ago (refreshed on next use)`
    })

    return () => {
      const current = snapshot.value
      const signedIn = current.status === 'signed-in'
      let details: ReturnType<typeof rows> = []
      if (current.status === 'signed-in') {
        const { profile } = current
        details = rows([
          ['User', `${String(profile.name ?? '')} <${String(profile.email ?? '')}>`],
          ['Subject', String(profile.sub ?? '')],
          ['Access token expires', expiry.value, 'expiry'],
          ['Scope', current.scope ?? ''],
          ['Stored in', current.storage === 'indexeddb' ? 'IndexedDB (database "tokenwarden")' : 'memory only (no IndexedDB)'],
        ])
      } else if (current.status === 'signed-out') {
        details = rows([
          ['Signed out', current.reason],
          ['Stored in', current.storage === 'indexeddb' ? 'IndexedDB: nothing' : 'memory: nothing'],
          ...(current.error ? [['Error', `${current.error.code}: ${current.error.message}`] as [string, string]] : []),
        ])
      }
      return h('section', { class: 'card', id: 'session-card' }, [
        h('h2', ['Session ', h('code', 'useSession()')]),
        h('dl', { id: 'session' }, details),
        h('div', { class: 'actions' }, [
          h('button', { id: 'login', disabled: signedIn, onClick: run('sign-in', () => session.login()) }, 'Sign in'),
          h('button', { id: 'refresh', disabled: !signedIn, onClick: run('refresh', () => session.refresh()) }, 'Refresh now'),
          h(
            'button',
            { id: 'logout', class: 'danger', disabled: !signedIn || props.pending, onClick: props.logout },
            props.pending ? 'Logging out…' : 'Log out',
          ),
        ]),
        error.value ? h('p', { class: 'hint', role: 'alert' }, error.value) : null,
        h('p', { class: 'hint' }, [
          h('a', { href: base, target: '_blank', rel: 'noopener' }, 'Open another tab'),
          ' — log out here and watch it sign out there, without a reload.',
        ]),
      ])
    }
  },
})

const TokenCard = defineComponent({
  setup() {
    const { token, loading, error } = useAccessToken()
    return () => {
      const shown = token.value
        ? `${token.value.slice(0, 8)}… (${token.value.length} characters)`
        : loading.value
          ? '…'
          : error.value
            ? `${error.value.code}: ${error.value.message}`
            : '—'
      return h('section', { class: 'card' }, [
        h('h2', ['Access token ', h('code', 'useAccessToken()')]),
        h('p', { class: 'hint' }, 'Re-read whenever the session changes: watch it change after "Refresh now", here or in another tab.'),
        h('pre', { class: 'output', id: 'token' }, shown),
      ])
    }
  },
})

const ApiCard = defineComponent({
  setup() {
    const session = useTokenwardenSession()
    const snapshot = useSession()
    const output = shallowRef('—')
    const call = () => {
      output.value = '…'
      session.http
        .get(new URL('/api/me', control.issuer).href)
        .json()
        .then(
          (me) => (output.value = JSON.stringify(me, null, 2)),
          (error: unknown) => (output.value = `API call failed: ${describeError(error)}`),
        )
    }
    return () =>
      h('section', { class: 'card' }, [
        h('h2', 'API'),
        h('p', { class: 'hint' }, ['GET /api/me through ', h('code', 'session.http'), ': bearer attached, 401 → refresh → retry once.']),
        h('div', { class: 'actions' }, [
          h('button', { id: 'call-api', disabled: snapshot.value.status !== 'signed-in', onClick: call }, 'Call /api/me'),
        ]),
        h('pre', { id: 'api', class: 'output', style: { marginTop: '0.6rem' } }, output.value),
      ])
  },
})

const LogoutCard = defineComponent({
  props: {
    report: { type: Object as PropType<{ result: LogoutResult | undefined; verdict: Verdict | undefined }>, required: true },
  },
  setup(props) {
    const verdictRows = () => {
      const verdict = props.report.verdict
      if (verdict === undefined) return [h('tr', [h('td', { colspan: 4 }, 'asking the server…')])]
      if (verdict.length === 0) return [h('tr', [h('td', { colspan: 4 }, 'none')])]
      return verdict.map((v) =>
        h('tr', [
          h('td', [v.hint, h('br'), h('small', v.clientId)]),
          h('td', [h('code', v.token)]),
          h('td', v.status === null ? 'no answer' : String(v.status)),
          h('td', { class: v.active ? 'bad' : 'good' }, v.active ? 'active' : 'inactive'),
        ]),
      )
    }
    return () => {
      const result = props.report.result
      const body = result
        ? [
            h('p', `Local state ${result.cleared ? 'cleared' : 'NOT cleared'} · other tabs told`),
            h('table', [
              h('thead', [h('tr', [h('th', 'Token'), h('th', 'logout() says')])]),
              h(
                'tbody',
                (['refresh_token', 'access_token'] as const).map((name) =>
                  h('tr', [h('td', name), h('td', { 'data-token': name }, outcome(result, name))]),
                ),
              ),
            ]),
            h('h3', 'Revocation requests the server received'),
            h('table', { id: 'verdict' }, [
              h('thead', [h('tr', [h('th', 'token_type_hint · client_id'), h('th', 'token'), h('th', 'answer'), h('th', 'now')])]),
              h('tbody', verdictRows()),
            ]),
          ]
        : 'No logout yet.'
      return h('section', { class: 'card', id: 'logout-card' }, [
        h('h2', ['Last logout ', h('code', 'useLogout()')]),
        h('p', { class: 'hint' }, ['What ', h('code', 'logout()'), ' reported, and what the server says now (introspection).']),
        h('div', { id: 'logout-report', class: 'output' }, body),
      ])
    }
  },
})

const App = defineComponent({
  setup() {
    const snapshot = useSession()
    const { logout, pending, result } = useLogout()
    const verdict = shallowRef<Verdict>()
    const onLogout = () => {
      const since = Date.now()
      verdict.value = undefined
      void logout().then(async () => (verdict.value = await control.verdict(since).catch(() => [])))
    }
    return () =>
      h('div', [
        h('header', [
          h('h1', ['tokenwarden ', h('span', { class: 'muted' }, 'demo')]),
          h('nav', [
            h('a', { href: '/' }, 'Plain'),
            ' · ',
            h('a', { href: '/react/' }, 'React'),
            ' · ',
            h('a', { href: '/vue/', 'aria-current': 'page', style: { fontWeight: 600 } }, 'Vue'),
            ' · ',
            h('a', { href: '/angular/' }, 'Angular'),
          ]),
          h('span', { id: 'status', class: 'pill', 'data-status': snapshot.value.status }, statusText(snapshot.value)),
        ]),
        h('main', [
          h(SessionCard, { logout: onLogout, pending: pending.value }),
          h(TokenCard),
          h(ApiCard),
          h(LogoutCard, { report: { result: result.value, verdict: verdict.value } }),
        ]),
      ])
  },
})

createApp(App).use(createSessionPlugin(session)).mount('#app')

await session.start()
if (location.pathname === `${base}callback`) {
  // A failed callback shows up in the snapshot (signed-out, reason callback-failed).
  await session.handleCallback().catch(() => undefined)
  history.replaceState(null, '', base)
}
