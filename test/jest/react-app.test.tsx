import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { SessionProvider, useLogout, useSession } from 'tokenwarden/react'
import { createTestAuthority, type TestAuthority } from 'tokenwarden/testing'
import { afterEach, beforeEach, expect, test } from '@jest/globals'

// The component under test (in your app: import it).
function Account() {
  const snapshot = useSession()
  const { logout, pending } = useLogout()
  if (snapshot.status === 'loading') return <p>Loading…</p>
  if (snapshot.status === 'signed-out') return <p>Signed out ({snapshot.reason})</p>
  return (
    <p>
      Hello {String(snapshot.profile.name)}
      <button type="button" disabled={pending} onClick={() => logout()}>
        Log out
      </button>
    </p>
  )
}

let authority: TestAuthority
beforeEach(() => {
  authority = createTestAuthority()
})
afterEach(() => {
  cleanup()
  authority.dispose()
})

test('shows the signed-in user', async () => {
  const session = authority.session()
  await authority.signIn(session, { sub: 'ada', name: 'Ada' })
  render(
    <SessionProvider session={session}>
      <Account />
    </SessionProvider>,
  )
  expect(screen.getByText(/Hello Ada/)).toBeTruthy()
})

test('the logout button revokes both tokens and shows signed-out', async () => {
  const session = authority.session()
  await authority.signIn(session, { sub: 'ada', name: 'Ada' })
  render(
    <SessionProvider session={session}>
      <Account />
    </SessionProvider>,
  )
  fireEvent.click(screen.getByRole('button', { name: 'Log out' }))
  await screen.findByText('Signed out (logout)') // at once: before the server answers
  await waitFor(() => expect(authority.revocations.map((r) => r.hint).sort()).toEqual(['access_token', 'refresh_token']))
  expect(authority.liveTokens()).toEqual({ accessTokens: [], refreshTokens: [] })
})

test('a refused refresh signs the user out', async () => {
  const session = authority.session()
  await authority.signIn(session, { sub: 'ada', name: 'Ada' })
  render(
    <SessionProvider session={session}>
      <Account />
    </SessionProvider>,
  )
  authority.failNextRefresh('invalid_grant')
  await authority.advance(60 * 60_000) // an hour later: the proactive refresh runs and is refused
  await screen.findByText('Signed out (refresh-failed)')
})
