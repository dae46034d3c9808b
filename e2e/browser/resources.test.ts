// A token per resource (RFC 8707), end to end: the demo page declares API A and API B of the
// dev server as resources of their own (demo/config.ts), and node-oidc-provider, with
// `features.resourceIndicators`, issues each its own opaque token with that audience. Each API
// checks the audience (dev/auth-server/api.ts), so a token that went to the wrong place would be
// refused. Logout revokes the refresh token and every access token, each on its own
// (`revokeOnlyPresented` keeps the grant alive, so only the revocation of a token can kill it), and
// the server's introspection says so.
import { expect, it } from 'vitest'
import { describeInEngine, signIn, snapshotOf, tokenRecordPrefixes, useStack, useThirdParty, type DemoWindow } from '../harness.js'

describeInEngine('a token per resource (RFC 8707) against node-oidc-provider', () => {
  const env = useStack()
  const thirdParty = useThirdParty()

  const apiA = () => `${env.stack.auth.issuer}/api-a`
  const apiB = () => `${env.stack.auth.issuer}/api-b`

  /** A call through session.http in the page: the API's answer, or the error's code. */
  const call = (url: string) =>
    env.tab.evaluate(
      (target) =>
        (window as unknown as DemoWindow).demo.session.http
          .get(target)
          .json<{ aud: string | null; scope: string }>()
          .then(
            (body) => ({ ok: true, aud: body.aud, scope: body.scope, code: '' }),
            (error: { code?: string; response?: { status: number } }) => ({
              ok: false,
              aud: null,
              scope: '',
              code: error.code ?? String(error.response?.status),
            }),
          ),
      url,
    )
  const tokenFor = (resource?: string) =>
    env.tab.evaluate(
      (name) => (window as unknown as DemoWindow).demo.session.getAccessToken(name ? { resource: name } : {}),
      resource ?? '',
    )
  /** What `GET path` answers to `token`, asked from Node: the API's own check, not the library's. */
  const status = async (path: string, token: string) =>
    (await fetch(`${env.stack.auth.issuer}${path}`, { headers: { authorization: `Bearer ${token}` } })).status

  it('each API gets a token for its own audience and scope and accepts only its own; a third-party origin gets nothing', async () => {
    const { auth, origin } = env.stack
    await signIn(env.tab, origin)
    await expect(call(`${apiA()}/me`)).resolves.toEqual({ ok: true, aud: apiA(), scope: 'a:read', code: '' })
    await expect(call(`${apiB()}/me`)).resolves.toEqual({ ok: true, aud: apiB(), scope: 'b:read', code: '' })
    await expect(call(`${auth.issuer}/api/me`)).resolves.toMatchObject({ ok: true, aud: null })

    // Which token went where: each API received exactly its own resource's token.
    const [own, a, b] = [await tokenFor(), await tokenFor(apiA()), await tokenFor(apiB())]
    expect(new Set([own, a, b]).size).toBe(3)
    const sent = (path: string) => auth.requests.filter((r) => r.path === path).map((r) => r.headers.authorization)
    expect(sent('/api-a/me')).toEqual([`Bearer ${a}`])
    expect(sent('/api-b/me')).toEqual([`Bearer ${b}`])
    expect(sent('/api/me')).toEqual([`Bearer ${own}`])
    // The APIs' own check: each refuses the other's token and the session's default one.
    expect(await status('/api-a/me', a)).toBe(200)
    expect(await status('/api-a/me', b)).toBe(401)
    expect(await status('/api-a/me', own)).toBe(401)
    expect(await status('/api-b/me', b)).toBe(200)
    expect(await status('/api-b/me', a)).toBe(401)
    expect(await status('/api/me', a)).toBe(401)
    expect(await auth.introspect(a)).toMatchObject({ active: true, aud: apiA(), scope: 'a:read' })

    // Two resource grants, one sign-in: no refresh of the session's own token was needed.
    const grants = auth.requests
      .filter((r) => r.endpoint === 'token')
      .map((r) => [r.body.grant_type, r.body.resource ?? null, r.body.scope ?? null])
    expect(grants).toEqual([
      ['authorization_code', null, null],
      ['refresh_token', apiA(), 'a:read'],
      ['refresh_token', apiB(), 'b:read'],
    ])

    await expect(call(`${thirdParty.origin}/collect`)).resolves.toMatchObject({ ok: false, code: 'destination-refused' })
    expect(thirdParty.requests).toEqual([])
  })

  it('logout revokes the refresh token and every access token, one entry each; introspection says all are dead; a tab opened later holds none', async () => {
    const { auth, origin } = env.stack
    await signIn(env.tab, origin)
    await call(`${apiA()}/me`)
    await call(`${apiB()}/me`)
    const tokens = { own: await tokenFor(), a: await tokenFor(apiA()), b: await tokenFor(apiB()) }
    const refresh = auth.issuedTokens().at(-1)?.refresh_token
    expect(refresh).toBeTruthy()
    await expect(auth.introspect(refresh!)).resolves.toMatchObject({ active: true })
    auth.clearLog()
    // Only the revocation of a token kills it: revoking the refresh token leaves the grant alive.
    auth.faults.set({ revokeOnlyPresented: true })

    const result = await env.tab.evaluate(async () => {
      const { revocation, cleared } = await (window as unknown as DemoWindow).demo.session.logout()
      return { revocation, cleared }
    })
    expect(result).toEqual({
      cleared: true,
      revocation: { refresh_token: 'revoked', access_token: 'revoked', resources: { [apiA()]: 'revoked', [apiB()]: 'revoked' } },
    })
    const received = auth.revocations().map((r) => [r.body.token, r.body.token_type_hint, r.status])
    expect(received).toHaveLength(4)
    expect(received).toEqual(
      expect.arrayContaining([
        [refresh, 'refresh_token', 200],
        [tokens.own, 'access_token', 200],
        [tokens.a, 'access_token', 200],
        [tokens.b, 'access_token', 200],
      ]),
    )
    for (const token of [refresh!, tokens.own, tokens.a, tokens.b]) {
      await expect(auth.introspect(token)).resolves.toMatchObject({ active: false })
    }
    expect(await status('/api-a/me', tokens.a)).toBe(401)

    // A tab opened later: signed out, no record holds a token, no resource token to be had.
    const later = await env.profile.newTab()
    await later.goto(origin)
    await expect.poll(() => snapshotOf(later).then((snapshot) => snapshot.status)).toBe('signed-out')
    expect(await tokenRecordPrefixes(later)).toEqual([])
    const asked = await later.evaluate(
      (resource) =>
        (window as unknown as DemoWindow).demo.session.getAccessToken({ resource }).then(
          () => 'a token',
          (error: { code?: string }) => error.code,
        ),
      apiA(),
    )
    expect(asked).toBe('not-signed-in')
  })
})
