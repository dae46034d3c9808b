// Where tokens go, end to end: the demo page, signed in against node-oidc-provider, asks
// session.http to call a third-party origin (a server of this test on another loopback port,
// which answers every origin's CORS). Nothing reaches it: no token, no proof, no request at all.
// The declared API (the server's /api/me) gets the token, and accepts it.
import { expect, it } from 'vitest'
import { describeInEngine, signIn, useStack, useThirdParty, type DemoWindow } from '../harness.js'

describeInEngine('session.http and its destinations against node-oidc-provider', () => {
  const env = useStack()
  const thirdParty = useThirdParty()

  it('sends the token to the declared API, which accepts it, and nothing at all to a third-party origin', async () => {
    const { tab, stack } = env
    await signIn(tab, stack.origin)
    const call = (url: string) =>
      tab.evaluate(
        (target) =>
          (window as unknown as DemoWindow).demo.session.http
            .get(target)
            .json()
            .then(
              (body) => ({ sent: true, body, code: undefined as string | undefined }),
              (error: { code?: string }) => ({ sent: false, body: undefined, code: error.code }),
            ),
        url,
      )
    await expect(call(`${stack.auth.issuer}/api/me`)).resolves.toMatchObject({ sent: true, body: { sub: 'demo-user' } })
    const api = stack.auth.requests.filter((r) => r.endpoint === 'api')
    expect(api.map((r) => [r.status, r.headers.authorization?.startsWith('Bearer ')])).toEqual([[200, true]])

    // (WebKit's driver hands back undefined as null: only what matters is compared.)
    await expect(call(`${thirdParty.origin}/collect`)).resolves.toMatchObject({ sent: false, code: 'destination-refused' })
    await expect(call(`${thirdParty.origin}/collect?again=1`)).resolves.toMatchObject({ code: 'destination-refused' })
    expect(thirdParty.requests).toEqual([])
    // No refresh was spent on the refusals either.
    expect(stack.auth.requests.filter((r) => r.endpoint === 'token')).toHaveLength(1)
  })
})
