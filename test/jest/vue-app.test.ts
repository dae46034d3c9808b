import { flushPromises, mount } from '@vue/test-utils'
import { createTestAuthority, type TestAuthority } from 'tokenwarden/testing'
import { createSessionPlugin, useLogout, useSession } from 'tokenwarden/vue'
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { defineComponent } from 'vue'

// The component under test (in your app: import Account from './Account.vue').
const Account = defineComponent({
  setup: () => ({ snapshot: useSession(), ...useLogout() }),
  template: `
    <p v-if="snapshot.status === 'loading'">Loading…</p>
    <p v-else-if="snapshot.status === 'signed-out'">Signed out ({{ snapshot.reason }})</p>
    <p v-else>Hello {{ snapshot.profile.name }} <button :disabled="pending" @click="logout()">Log out</button></p>
  `,
})

let authority: TestAuthority
beforeEach(() => {
  authority = createTestAuthority()
})
afterEach(() => authority.dispose())

async function mountSignedIn() {
  const session = authority.session()
  await authority.signIn(session, { sub: 'ada', name: 'Ada' })
  return mount(Account, { global: { plugins: [createSessionPlugin(session)] } })
}

test('shows the signed-in user', async () => {
  const wrapper = await mountSignedIn()
  expect(wrapper.text()).toContain('Hello Ada')
})

test('the logout button revokes both tokens and shows signed-out', async () => {
  const wrapper = await mountSignedIn()
  await wrapper.get('button').trigger('click')
  await authority.settle()
  expect(wrapper.text()).toBe('Signed out (logout)')
  expect(authority.revocations.map((r) => r.hint).sort()).toEqual(['access_token', 'refresh_token'])
  expect(authority.liveTokens()).toEqual({ accessTokens: [], refreshTokens: [] })
})

test('a refused refresh signs the user out', async () => {
  const wrapper = await mountSignedIn()
  authority.failNextRefresh('invalid_grant')
  await authority.advance(60 * 60_000) // an hour later: the proactive refresh runs and is refused
  await flushPromises()
  expect(wrapper.text()).toBe('Signed out (refresh-failed)')
})
