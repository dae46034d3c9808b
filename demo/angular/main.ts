// The demo on Angular, through the package's own entry point. Compiled just in time in the
// browser (no Angular build step in the Vite dev server): @angular/compiler must be evaluated
// before any Angular package, because they ship partially compiled and link at load time.
import '@angular/compiler'
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http'
import { Component, computed, DestroyRef, InjectionToken, inject, provideZonelessChangeDetection, signal } from '@angular/core'
import { takeUntilDestroyed } from '@angular/core/rxjs-interop'
import { bootstrapApplication } from '@angular/platform-browser'
import { provideRouter, Router, RouterLink, RouterOutlet, type Routes } from '@angular/router'
import type { SessionEvent } from 'tokenwarden'
import {
  injectAccessToken,
  injectLogout,
  injectSession,
  injectSessionEvents,
  injectTokenwardenSession,
  provideTokenwarden,
  signedInGuard,
  tokenwardenInterceptor,
} from 'tokenwarden/angular'
import { control, createDemoSession, describeError, outcome, statusText } from '../config.js'

const base = '/angular/'
const session = createDemoSession(base)
// A handle for the end-to-end tests (and the curious): the session, never a token.
Object.assign(window, { demo: { session } })

type Verdict = Awaited<ReturnType<typeof control.verdict>>

/**
 * The page's one logout action (injectLogout(): the call, pending, result) and the server's
 * verdict after it, shared by the session card's button and the logout card. Provided by the
 * home route's component, so both read the same signals. (Signal inputs would need Angular's
 * build-time compiler: this page is compiled in the browser, so it shares through DI.)
 */
const LOGOUT = new InjectionToken<ReturnType<typeof injectDemoLogout>>('demo logout')
function injectDemoLogout() {
  const { logout, pending, result } = injectLogout()
  const verdict = signal<Verdict | undefined>(undefined)
  const run = () => {
    const since = Date.now()
    verdict.set(undefined)
    void logout().then(async () => verdict.set(await control.verdict(since).catch(() => [])))
  }
  return { run, pending, result, verdict: verdict.asReadonly() }
}

/** The current time, updated every second while the component lives. */
function injectNow() {
  const now = signal(Date.now())
  const timer = setInterval(() => now.set(Date.now()), 1000)
  inject(DestroyRef).onDestroy(() => clearInterval(timer))
  return now.asReadonly()
}

const SessionCard = Component({
  selector: 'demo-session',
  template: `
    <section class="card" id="session-card">
      <h2>Session <code>injectSession()</code></h2>
      <dl id="session">
        @switch (snapshot().status) {
          @case ('signed-in') {
            <dt>User</dt><dd>{{ user() }}</dd>
            <dt>Subject</dt><dd>{{ profile()?.sub }}</dd>
            <dt>Access token expires</dt><dd id="expiry">{{ expiry() }}</dd>
            <dt>Stored in</dt><dd>{{ storedIn() }}</dd>
          }
          @case ('signed-out') {
            <dt>Signed out</dt><dd>{{ reason() }}</dd>
            <dt>Stored in</dt><dd>{{ storedIn() }}</dd>
          }
        }
      </dl>
      <div class="actions">
        <button id="login" [disabled]="signedIn()" (click)="run('sign-in', login)">Sign in</button>
        <button id="refresh" [disabled]="!signedIn()" (click)="run('refresh', refresh)">Refresh now</button>
        <button id="logout" class="danger" [disabled]="!signedIn() || pending()" (click)="logout.run()">
          {{ pending() ? 'Logging out…' : 'Log out' }}
        </button>
      </div>
      @if (error()) { <p class="hint" role="alert">{{ error() }}</p> }
      <p class="hint">
        <a href="${base}" target="_blank" rel="noopener">Open another tab</a>
        — log out here and watch it sign out there, without a reload.
      </p>
    </section>
  `,
})(
  class SessionCard {
    readonly logout = inject(LOGOUT)
    readonly pending = this.logout.pending
    readonly snapshot = injectSession()
    readonly session = injectTokenwardenSession()
    readonly now = injectNow()
    readonly error = signal<string | undefined>(undefined)
    readonly signedIn = computed(() => this.snapshot().status === 'signed-in')
    readonly profile = computed(() => {
      const current = this.snapshot()
      return current.status === 'signed-in' ? current.profile : undefined
    })
    readonly user = computed(() => `${String(this.profile()?.name ?? '')} <${String(this.profile()?.email ?? '')}>`)
    readonly reason = computed(() => {
      const current = this.snapshot()
      return current.status === 'signed-out' ? current.reason : ''
    })
    readonly storedIn = computed(() => {
      const current = this.snapshot()
      if (current.status === 'loading') return ''
      const where = current.storage === 'indexeddb' ? 'IndexedDB' : 'memory'
      return current.status === 'signed-in' ? where : `${where}: nothing`
    })
    readonly expiry = computed(() => {
      const current = this.snapshot()
      if (current.status !== 'signed-in' || current.expiresAt === undefined) return 'never'
      const seconds = Math.round((current.expiresAt - this.now()) / 1000)
      return seconds > 0 ? `in ${seconds} s` : `${-seconds} s ago (refreshed on next use)`
    })
    readonly login = () => this.session.login()
    readonly refresh = () => this.session.refresh()
    run(label: string, action: () => Promise<void>) {
      this.error.set(undefined)
      action().catch((reason: unknown) => this.error.set(`${label} failed: ${describeError(reason)}`))
    }
  },
)

const TokenCard = Component({
  selector: 'demo-token',
  template: `
    <section class="card">
      <h2>Access token <code>injectAccessToken()</code></h2>
      <p class="hint">Re-read whenever the session changes: watch it change after "Refresh now", here or in another tab.</p>
      <pre class="output" id="token">{{ shown() }}</pre>
    </section>
  `,
})(
  class TokenCard {
    readonly state = injectAccessToken()
    readonly shown = computed(() => {
      const { token, loading, error } = this.state()
      if (token) return `${token.slice(0, 8)}… (${token.length} characters)`
      if (loading) return '…'
      return error ? `${error.code}: ${error.message}` : '—'
    })
  },
)

const ApiCard = Component({
  selector: 'demo-api',
  template: `
    <section class="card">
      <h2>API</h2>
      <p class="hint">
        GET /api/me through Angular's <code>HttpClient</code> and <code>tokenwardenInterceptor</code>: bearer attached
        only to declared destinations, 401 → refresh → retry once.
      </p>
      <div class="actions">
        <button id="call-api" [disabled]="snapshot().status !== 'signed-in'" (click)="call()">Call /api/me</button>
        <a routerLink="/account" id="account-link">Account page (guarded route)</a>
      </div>
      <pre id="api" class="output" style="margin-top: 0.6rem">{{ output() }}</pre>
    </section>
  `,
  imports: [RouterLink],
})(
  class ApiCard {
    readonly http = inject(HttpClient)
    readonly snapshot = injectSession()
    readonly output = signal('—')
    call() {
      this.output.set('…')
      this.http.get(new URL('/api/me', control.issuer).href).subscribe({
        next: (me) => this.output.set(JSON.stringify(me, null, 2)),
        error: (error: unknown) => this.output.set(`API call failed: ${describeError(error)}`),
      })
    }
  },
)

const LogoutCard = Component({
  selector: 'demo-logout',
  template: `
    <section class="card" id="logout-card">
      <h2>Last logout <code>injectLogout()</code></h2>
      <p class="hint">What <code>logout()</code> reported, and what the server says now (introspection).</p>
      <div id="logout-report" class="output">
        @if (result(); as result) {
          <p>Local state {{ result.cleared ? 'cleared' : 'NOT cleared' }} · other tabs told</p>
          <table>
            <thead><tr><th>Token</th><th>logout() says</th></tr></thead>
            <tbody>
              <tr><td>refresh_token</td><td data-token="refresh_token">{{ said(result, 'refresh_token') }}</td></tr>
              <tr><td>access_token</td><td data-token="access_token">{{ said(result, 'access_token') }}</td></tr>
            </tbody>
          </table>
          <h3>Revocation requests the server received</h3>
          <table id="verdict">
            <thead><tr><th>token_type_hint · client_id</th><th>token</th><th>answer</th><th>now</th></tr></thead>
            <tbody>
              @if (verdict(); as verdict) {
                @for (v of verdict; track $index) {
                  <tr>
                    <td>{{ v.hint }}<br /><small>{{ v.clientId }}</small></td>
                    <td><code>{{ v.token }}</code></td>
                    <td>{{ v.status === null ? 'no answer' : v.status }}</td>
                    <td [class]="v.active ? 'bad' : 'good'">{{ v.active ? 'active' : 'inactive' }}</td>
                  </tr>
                } @empty {
                  <tr><td colspan="4">none</td></tr>
                }
              } @else {
                <tr><td colspan="4">asking the server…</td></tr>
              }
            </tbody>
          </table>
        } @else {
          No logout yet.
        }
      </div>
    </section>
  `,
})(
  class LogoutCard {
    readonly result = inject(LOGOUT).result
    readonly verdict = inject(LOGOUT).verdict
    readonly said = outcome
  },
)

/** One line per event: its type and what it says, never a token (events carry none). */
function describeEvent(event: SessionEvent): string {
  switch (event.type) {
    case 'signed-out':
      return event.reason
    case 'revocation':
      return `${event.hint}: ${event.outcome}`
    case 'logout-finished':
      return `refresh_token ${event.revocation.refresh_token}, access_token ${event.revocation.access_token}`
    case 'refreshed':
      return event.by
    case 'tab-message':
      return `${event.direction}: ${event.message}`
    default:
      return ''
  }
}

const EventsCard = Component({
  selector: 'demo-events',
  template: `
    <section class="card">
      <h2>Events <code>injectSessionEvents()</code></h2>
      <p class="hint">The session's event stream as an Observable: what happened, never a token.</p>
      <ol id="events" class="events">
        @for (e of events(); track $index) {
          <li [attr.data-type]="e.type"><time>{{ e.time }}</time> {{ e.type }} {{ e.text }}</li>
        }
      </ol>
    </section>
  `,
})(
  class EventsCard {
    readonly events = signal<Array<{ type: string; text: string; time: string }>>([])
    constructor() {
      injectSessionEvents()
        .pipe(takeUntilDestroyed())
        .subscribe((event) =>
          this.events.update((list) => [{ type: event.type, text: describeEvent(event), time: new Date().toLocaleTimeString() }, ...list]),
        )
    }
  },
)

const Home = Component({
  selector: 'demo-home',
  template: `
    <demo-session />
    <demo-token />
    <demo-api />
    <demo-logout />
    <demo-events />
  `,
  imports: [SessionCard, TokenCard, ApiCard, LogoutCard, EventsCard],
  providers: [{ provide: LOGOUT, useFactory: injectDemoLogout }],
})(class Home {})

// Behind signedInGuard: a signed-out visitor is sent to the home route (signInRoute below).
const Account = Component({
  selector: 'demo-account',
  template: `
    <section class="card" id="account">
      <h2>Account <code>canActivate: [signedInGuard]</code></h2>
      <p>Only a signed-in user gets here: {{ name() }}.</p>
      <p><a routerLink="/" id="home-link">Back</a></p>
    </section>
  `,
  imports: [RouterLink],
})(
  class Account {
    readonly snapshot = injectSession()
    readonly name = computed(() => {
      const current = this.snapshot()
      return current.status === 'signed-in' ? String(current.profile.name ?? '') : ''
    })
  },
)

const App = Component({
  selector: 'app-root',
  template: `
    <header>
      <h1>tokenwarden <span class="muted">demo</span></h1>
      <nav>
        <a href="/">Plain</a> · <a href="/react/">React</a> · <a href="/vue/">Vue</a> ·
        <a href="${base}" aria-current="page" style="font-weight: 600">Angular</a>
      </nav>
      <span id="status" class="pill" [attr.data-status]="snapshot().status">{{ status() }}</span>
    </header>
    <main><router-outlet /></main>
  `,
  imports: [RouterOutlet],
})(
  class App {
    readonly snapshot = injectSession()
    readonly status = computed(() => statusText(this.snapshot()))
  },
)

const routes: Routes = [
  { path: '', component: Home },
  // The redirect URI: the page shows Home while handleCallback() below finishes the sign-in.
  { path: 'callback', component: Home },
  { path: 'account', component: Account, canActivate: [signedInGuard] },
  { path: '**', redirectTo: '' },
]

const app = await bootstrapApplication(App, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter(routes),
    provideHttpClient(withInterceptors([tokenwardenInterceptor])),
    provideTokenwarden(session, { signInRoute: '/' }),
  ],
})

await session.start()
if (location.pathname === `${base}callback`) {
  // A failed callback shows up in the snapshot (signed-out, reason callback-failed).
  await session.handleCallback().catch(() => undefined)
  await app.injector.get(Router).navigateByUrl('/', { replaceUrl: true })
}
