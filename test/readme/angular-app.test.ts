import '@angular/compiler' // JIT for the test's component; an Angular CLI test setup does this for you
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http'
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing'
import { Component } from '@angular/core'
import { TestBed, getTestBed } from '@angular/core/testing'
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing'
import { firstValueFrom } from 'rxjs'
import { injectLogout, injectSession, provideTokenwarden, tokenwardenInterceptor } from 'tokenwarden/angular'
import { createTestAuthority, type TestAuthority } from 'tokenwarden/testing'
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest'

// The component under test (in your app: import it; there it is a decorated class).
const Account = Component({
  selector: 'app-account',
  template: `
    @switch (snapshot().status) {
      @case ('loading') { <p>Loading…</p> }
      @case ('signed-out') { <p>Signed out</p> }
      @default { <p>Hello <button [disabled]="logout.pending()" (click)="logout.logout()">Log out</button></p> }
    }
  `,
})(
  class {
    readonly snapshot = injectSession()
    readonly logout = injectLogout()
  },
)

beforeAll(() => getTestBed().initTestEnvironment(BrowserTestingModule, platformBrowserTesting()))

let authority: TestAuthority
beforeEach(() => {
  authority = createTestAuthority()
})
afterEach(() => {
  TestBed.resetTestingModule()
  authority.dispose()
})

async function signedIn() {
  const session = authority.session({ destinations: ['https://api.example.test'] })
  await authority.signIn(session, { sub: 'ada', name: 'Ada' })
  TestBed.configureTestingModule({
    providers: [provideTokenwarden(session), provideHttpClient(withInterceptors([tokenwardenInterceptor])), provideHttpClientTesting()],
  })
  return session
}

test('the logout button revokes both tokens and shows signed-out', async () => {
  await signedIn()
  const fixture = TestBed.createComponent(Account)
  await fixture.whenStable()
  const page = fixture.nativeElement as HTMLElement
  expect(page.textContent).toContain('Hello')
  page.querySelector('button')!.click()
  await authority.settle()
  await fixture.whenStable()
  expect(page.textContent).toContain('Signed out')
  expect(authority.revocations.map((r) => r.hint).sort()).toEqual(['access_token', 'refresh_token'])
})

test('the interceptor sends the token to the API, and nowhere else', async () => {
  const session = await signedIn()
  const http = TestBed.inject(HttpClient)
  const backend = TestBed.inject(HttpTestingController)

  const me = firstValueFrom(http.get('https://api.example.test/me'))
  await authority.settle() // the interceptor reads the token first
  const toApi = backend.expectOne('https://api.example.test/me')
  expect(toApi.request.headers.get('authorization')).toBe(`Bearer ${await session.getAccessToken()}`)
  toApi.flush({ sub: 'ada' })
  expect(await me).toEqual({ sub: 'ada' })

  const other = firstValueFrom(http.get('https://cdn.example.test/data.json'))
  const toCdn = backend.expectOne('https://cdn.example.test/data.json')
  expect(toCdn.request.headers.has('authorization')).toBe(false)
  toCdn.flush({})
  await other
})
