// JIT: Angular compiles the test components' templates at run time. First, before Angular.
import '@angular/compiler'
import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http'
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing'
import { Component, Injector, PLATFORM_ID, runInInjectionContext, type Type } from '@angular/core'
import { TestBed, getTestBed } from '@angular/core/testing'
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing'
import { Router, type UrlTree, provideRouter, type ActivatedRouteSnapshot, type RouterStateSnapshot } from '@angular/router'
import { firstValueFrom } from 'rxjs'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  injectAccessToken,
  injectLogout,
  injectSession,
  injectSessionEvents,
  injectTokenwardenSession,
  provideTokenwarden,
  signedInGuard,
  tokenwardenInterceptor,
  type TokenwardenAngularOptions,
} from '../src/angular/index.js'
import { isTokenwardenError, type Session, type SessionEvent } from '../src/index.js'
import { createTestAuthority, type TestAuthority } from '../src/testing/index.js'

const api = 'https://api.example.test'

beforeAll(() => {
  // Angular 21 is zoneless by default: no zone.js anywhere in this file.
  getTestBed().initTestEnvironment(BrowserTestingModule, platformBrowserTesting(), { teardown: { destroyAfterEach: true } })
})

let authority: TestAuthority
beforeEach(() => {
  authority = createTestAuthority()
})
afterEach(() => {
  TestBed.resetTestingModule()
  authority.dispose()
})

function configure(session: Session, options?: TokenwardenAngularOptions, providers: unknown[] = []) {
  TestBed.configureTestingModule({
    providers: [
      provideTokenwarden(session, options),
      provideHttpClient(withInterceptors([tokenwardenInterceptor])),
      provideHttpClientTesting(),
      ...(providers as never[]),
    ],
  })
}

// Without decorators: the call form of @Component, which JIT compiles the same way.
const Account = Component({
  selector: 'app-account',
  template: `
    @switch (snapshot().status) {
      @case ('loading') { <p>Loading…</p> }
      @case ('signed-out') { <p>Signed out ({{ reason() }})</p> }
      @default { <p>Hello {{ name() }} <button type="button" [disabled]="pending()" (click)="logout()">Log out</button></p> }
    }
    <span> {{ pending() }} {{ result()?.revocation?.refresh_token ?? '-' }}</span>
  `,
})(
  class {
    readonly snapshot = injectSession()
    readonly #logout = injectLogout()
    readonly pending = this.#logout.pending
    readonly result = this.#logout.result
    readonly logout = () => void this.#logout.logout()
    readonly name = () => {
      const snapshot = this.snapshot()
      return snapshot.status === 'signed-in' ? String(snapshot.profile.name) : ''
    }
    readonly reason = () => {
      const snapshot = this.snapshot()
      return snapshot.status === 'signed-out' ? snapshot.reason : ''
    }
  },
)

const Token = Component({
  selector: 'app-token',
  template: `{{ state().loading ? 'loading' : (state().token ?? 'none') }}`,
})(
  class {
    readonly state = injectAccessToken()
  },
)

async function rendered<T>(component: Type<T>) {
  const fixture = TestBed.createComponent(component)
  await fixture.whenStable()
  return {
    fixture,
    text: () => (fixture.nativeElement as HTMLElement).textContent?.replace(/\s+/g, ' ').trim() ?? '',
    /** What the page shows once Angular has caught up (zoneless: after the signals changed). */
    async settled() {
      await authority.settle()
      await fixture.whenStable()
      return (fixture.nativeElement as HTMLElement).textContent?.replace(/\s+/g, ' ').trim() ?? ''
    },
  }
}

describe('tokenwarden/angular: signals', () => {
  it('shows the signed-in user, and signed-out at once after the logout button, with pending and result', async () => {
    const session = authority.session()
    await authority.signIn(session, { sub: 'ada', name: 'Ada' })
    configure(session)
    const view = await rendered(Account)
    expect(view.text()).toBe('Hello Ada Log out false -')
    ;(view.fixture.nativeElement as HTMLElement).querySelector('button')!.click()
    await view.fixture.whenStable()
    expect(view.text()).toMatch(/^Signed out \(logout\) (true|false) -$/) // before the server answered
    expect(await view.settled()).toBe('Signed out (logout) false revoked')
    expect(authority.revocations.map((r) => r.hint).sort()).toEqual(['access_token', 'refresh_token'])
  })

  it('follows another tab: its logout shows here', async () => {
    const here = authority.session()
    const there = authority.session()
    await authority.signIn(here, { sub: 'ada', name: 'Ada' })
    await there.start()
    configure(here)
    const view = await rendered(Account)
    await there.logout()
    expect(await view.settled()).toMatch(/^Signed out \(other-tab\)/)
  })

  it('the access token signal follows a refresh', async () => {
    const session = authority.session()
    await authority.signIn(session)
    configure(session)
    const view = await rendered(Token)
    const first = await session.getAccessToken()
    expect(await view.settled()).toBe(first)
    await authority.advance(60_000) // so that the new tokens' expiry differs: a new snapshot
    await session.refresh()
    const second = await session.getAccessToken()
    expect(second).not.toBe(first)
    expect(await view.settled()).toBe(second)
  })

  it('stops following when the component is destroyed', async () => {
    const session = authority.session()
    await authority.signIn(session)
    // The same session, counting its snapshot listeners.
    let listening = 0
    const counted = new Proxy(session, {
      get(target, key) {
        if (key === 'subscribe') {
          return (listener: () => void) => {
            listening += 1
            const off = target.subscribe(listener)
            return () => {
              listening -= 1
              off()
            }
          }
        }
        const value: unknown = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    configure(counted)
    const view = await rendered(Account)
    const token = await rendered(Token)
    expect(listening).toBe(2) // the snapshot and the token observer; the logout action is the core's own
    view.fixture.destroy()
    token.fixture.destroy()
    expect(listening).toBe(0)
  })

  it('session events as an Observable', async () => {
    const session = authority.session()
    configure(session)
    const events$ = TestBed.runInInjectionContext(() => injectSessionEvents())
    const seen: SessionEvent['type'][] = []
    const subscription = events$.subscribe((event) => seen.push(event.type))
    await authority.signIn(session)
    expect(seen).toContain('signed-in')
    subscription.unsubscribe()
    const before = seen.length
    await session.logout()
    expect(seen).toHaveLength(before) // unsubscribed: it stopped listening
  })

  it('without provideTokenwarden, a clear TokenwardenError', () => {
    TestBed.configureTestingModule({})
    const error = (() => {
      try {
        TestBed.runInInjectionContext(() => injectTokenwardenSession())
      } catch (caught) {
        return caught
      }
    })()
    expect(isTokenwardenError(error) && error.code).toBe('invalid-request')
    expect(String(error)).toMatch(/provideTokenwarden\(session\)/)
  })
})

describe('tokenwarden/angular: the interceptor', () => {
  function setup(session: Session) {
    configure(session)
    return { http: TestBed.inject(HttpClient), backend: TestBed.inject(HttpTestingController) }
  }

  /** The request the interceptor lets through, once it has read the token. */
  async function expectOne(backend: HttpTestingController, url: string) {
    await authority.settle()
    return backend.expectOne(url)
  }

  it('attaches the token to a declared destination and to the app itself, never elsewhere', async () => {
    const session = authority.session({ destinations: [api] })
    await authority.signIn(session)
    const token = await session.getAccessToken()
    const { http, backend } = setup(session)

    const declared = firstValueFrom(http.get(`${api}/me`))
    const toApi = await expectOne(backend, `${api}/me`)
    expect(toApi.request.headers.get('authorization')).toBe(`Bearer ${token}`)
    toApi.flush({ ok: true })
    await expect(declared).resolves.toEqual({ ok: true })

    const own = firstValueFrom(http.get('/api/me'))
    const toSelf = await expectOne(backend, '/api/me')
    expect(toSelf.request.headers.get('authorization')).toBe(`Bearer ${token}`)
    toSelf.flush({})
    await own

    for (const elsewhere of ['https://api.example.test.evil.test/me', 'https://cdn.example.test/data.json', 'http://api.example.test/me']) {
      const other = firstValueFrom(http.get(elsewhere))
      const request = backend.expectOne(elsewhere) // untouched, at once: no token was read
      expect(request.request.headers.has('authorization')).toBe(false)
      request.flush({})
      await other
    }
    backend.verify()
  })

  it("attaches a resource destination's own token (RFC 8707), not the session's", async () => {
    const resource = 'https://orders.example.test/'
    const session = authority.session({ destinations: [api, { url: resource, resource }] })
    await authority.signIn(session)
    // Its token asked for first: the grant loads the resources chunk, which settle() cannot wait for.
    const its = await session.getAccessToken({ resource })
    const own = await session.getAccessToken()
    expect(its).not.toBe(own)
    const { http, backend } = setup(session)
    const answer = firstValueFrom(http.get(`${resource}list`))
    const request = await expectOne(backend, `${resource}list`)
    expect(request.request.headers.get('authorization')).toBe(`Bearer ${its}`)
    request.flush([])
    await answer
    backend.verify()
  })

  it('a 401 from a destination: one refresh, the request once more with the new token', async () => {
    const session = authority.session({ destinations: [api] })
    await authority.signIn(session)
    const first = await session.getAccessToken()
    const { http, backend } = setup(session)
    const answer = firstValueFrom(http.post(`${api}/orders`, { item: 1 }))
    ;(await expectOne(backend, `${api}/orders`)).flush('', { status: 401, statusText: 'Unauthorized' })
    const retry = await expectOne(backend, `${api}/orders`)
    const second = await session.getAccessToken()
    expect(second).not.toBe(first)
    expect(retry.request.headers.get('authorization')).toBe(`Bearer ${second}`)
    expect(retry.request.body).toEqual({ item: 1 })
    retry.flush({ id: 7 })
    await expect(answer).resolves.toEqual({ id: 7 })
    backend.verify()
  })

  it('a second 401 is the answer: no loop, one refresh', async () => {
    const session = authority.session({ destinations: [api] })
    await authority.signIn(session)
    const first = await session.getAccessToken()
    const { http, backend } = setup(session)
    const answer = firstValueFrom(http.get(`${api}/me`)).catch((error: unknown) => error)
    ;(await expectOne(backend, `${api}/me`)).flush('', { status: 401, statusText: 'Unauthorized' })
    ;(await expectOne(backend, `${api}/me`)).flush('', { status: 401, statusText: 'Unauthorized' })
    const error = await answer
    expect(error).toBeInstanceOf(HttpErrorResponse)
    expect((error as HttpErrorResponse).status).toBe(401)
    const refreshed = await session.getAccessToken()
    expect(refreshed).not.toBe(first)
    expect(authority.isLive(refreshed)).toBe(true) // exactly one refresh: the token it got is the live one
    backend.verify()
  })

  it('a 401 after another request refreshed already spends no second refresh', async () => {
    const session = authority.session({ destinations: [api] })
    await authority.signIn(session)
    const first = await session.getAccessToken()
    const { http, backend } = setup(session)
    const answer = firstValueFrom(http.get(`${api}/me`))
    const sent = await expectOne(backend, `${api}/me`)
    await session.refresh() // meanwhile: a newer token
    const second = await session.getAccessToken()
    sent.flush('', { status: 401, statusText: 'Unauthorized' })
    const retry = await expectOne(backend, `${api}/me`)
    expect(retry.request.headers.get('authorization')).toBe(`Bearer ${second}`)
    expect(await session.getAccessToken()).toBe(second)
    retry.flush({})
    await answer
    expect(first).not.toBe(second)
  })

  it('a 401 from elsewhere spends no refresh: it passes through', async () => {
    const session = authority.session({ destinations: [api] })
    await authority.signIn(session)
    const token = await session.getAccessToken()
    const { http, backend } = setup(session)
    const answer = firstValueFrom(http.get('https://other.example.test/x')).catch((error: unknown) => error)
    backend.expectOne('https://other.example.test/x').flush('', { status: 401, statusText: 'Unauthorized' })
    expect(((await answer) as HttpErrorResponse).status).toBe(401)
    expect(await session.getAccessToken()).toBe(token)
    backend.verify()
  })
})

describe('tokenwarden/angular: the guard', () => {
  const route = {} as ActivatedRouteSnapshot
  const state = {} as RouterStateSnapshot
  const guard = () => TestBed.runInInjectionContext(() => signedInGuard(route, state)) as Promise<boolean | UrlTree>

  it('lets a signed-in user through, after the session has started', async () => {
    const session = authority.session()
    await authority.signIn(session)
    configure(session)
    await expect(guard()).resolves.toBe(true)
  })

  it('sends a signed-out user to the authorization server', async () => {
    const session = authority.session()
    configure(session)
    await expect(guard()).resolves.toBe(false)
    expect(authority.navigations).toHaveLength(1)
    expect(authority.navigations[0]!.startsWith(authority.issuer)).toBe(true)
  })

  it('or to the sign-in route, when there is one', async () => {
    const session = authority.session()
    configure(session, { signInRoute: '/sign-in' }, [provideRouter([])])
    const result = await guard()
    expect(TestBed.inject(Router).serializeUrl(result as UrlTree)).toBe('/sign-in')
    expect(authority.navigations).toEqual([])
  })

  it('on the server it lets the route render, touching nothing', async () => {
    const session = authority.session()
    configure(session, {}, [{ provide: PLATFORM_ID, useValue: 'server' }])
    await expect(guard()).resolves.toBe(true)
    expect(session.getSnapshot().status).toBe('loading')
    expect(authority.requests).toEqual([])
  })
})

describe('tokenwarden/angular: injection context', () => {
  it('works in any injection context, e.g. a service', async () => {
    const session = authority.session()
    await authority.signIn(session, { sub: 'ada', name: 'Ada' })
    configure(session)
    const snapshot = runInInjectionContext(TestBed.inject(Injector), () => injectSession())
    expect(snapshot().status).toBe('signed-in')
  })
})
