import { TokenwardenError } from '../errors.js'
import { findInsecureEndpoint } from '../util/index.js'

const invalid = (message: string) => new TokenwardenError('invalid-options', message)

/**
 * oidc-client-ts settings tokenwarden sets itself from an option of its own (given through
 * `oidc` they would fight ours), by their names there and here. `createSession` also reads it
 * to suggest the option for a snake_case key.
 */
export const oidcSettingOptions: Readonly<Record<string, string>> = {
  authority: 'authority',
  client_id: 'clientId',
  redirect_uri: 'redirectUri',
  scope: 'scope',
  post_logout_redirect_uri: 'postLogoutRedirectUri',
  client_secret: 'clientSecret',
  client_authentication: 'clientAuthentication',
}

/**
 * The pass-through may not switch security off: PKCE stays on, only the code flow with the
 * answer in the query (a fragment would keep `#code=…` in the URL and history), a bound on
 * every request, and every endpoint given in `oidc.metadata`, `oidc.metadataSeed` and
 * `oidc.metadataUrl` must pass the same https rule as the authority.
 */
export function checkOidcSettings(oidc: Record<string, unknown>, allowInsecureHttp: boolean): void {
  for (const [key, option] of Object.entries(oidcSettingOptions)) {
    if (key in oidc) throw invalid(`\`oidc.${key}\` is not passed through: use \`${option}\`.`)
  }
  if ('stateStore' in oidc) throw invalid("`oidc.stateStore` is not passed through: sign-in state is kept in tokenwarden's storage.")
  if ('dpop' in oidc) throw invalid('`oidc.dpop` is not passed through: set `dpop: true` instead.')
  if (oidc.disablePKCE) throw invalid('`oidc.disablePKCE` is refused: PKCE (RFC 7636) protects the authorization code of a browser app.')
  if (oidc.response_type !== undefined && oidc.response_type !== 'code') {
    throw invalid('`oidc.response_type` must be "code": tokenwarden uses the authorization code flow with PKCE.')
  }
  if (oidc.response_mode !== undefined && oidc.response_mode !== 'query') {
    throw invalid('`oidc.response_mode` must be "query": a fragment keeps the code in the URL where history and extensions can read it.')
  }
  const timeout = oidc.requestTimeoutInSeconds
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
    // oidc-client-ts waits without end at 0: a hung token endpoint would hold the cross-tab lock.
    throw invalid('`oidc.requestTimeoutInSeconds` must be a positive number of seconds.')
  }
  // Every metadata input passes the authority's https rule: the document, the URL it is
  // fetched from, and the seed laid over it.
  const urls: Array<[string, unknown]> = [
    ['metadataUrl', oidc.metadataUrl],
    ...(['metadata', 'metadataSeed'] as const).flatMap((input) =>
      oidc[input] && typeof oidc[input] === 'object'
        ? Object.entries(oidc[input] as Record<string, unknown>).map(([name, value]): [string, unknown] => [`${input}.${name}`, value])
        : [],
    ),
  ]
  const insecure = findInsecureEndpoint(urls, allowInsecureHttp)
  if (insecure) throw invalid(`\`oidc.${insecure[0]}\` must use https: ${insecure[1].origin} is plain http on a host that is not loopback.`)
}
