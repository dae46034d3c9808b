/**
 * The revocation behaviour of the authorization servers SPAs meet most, as their public
 * documentation and source describe it. Each profile cites where its behaviour comes from;
 * change a profile only with a source.
 *
 * `basicDecoding` matters only for ids and secrets with reserved characters; where a server's
 * documentation does not say, it is `raw` (the ids and secrets in this suite have none).
 */
import { answers, type Profile } from './server.js'

/**
 * Keycloak. `TokenRevocationEndpoint.java`: the client must authenticate (a public client names
 * itself with `client_id`, else 401/400 invalid_client); an unknown, expired or already revoked
 * token answers **200 `{"error":"invalid_token"}`** (`Response.Status.OK`); a token of another
 * client 400 `invalid_request` ("Unmatching clients"); revoking a refresh token ends the client
 * session (`revokeClient`), so the access tokens of that session stop working too; revoking an
 * access token (Keycloak 12+) revokes that token only.
 */
export const keycloak: Profile = {
  name: 'Keycloak',
  resource: {
    says: 'Not supported in its documented releases: it names the audience with its own `audience` parameter (or audience mappers) and leaves `resource` aside; an experimental `resource-indicators` feature (Keycloak 26.6+) narrows `aud` to the resource.',
    sources: ['https://github.com/keycloak/keycloak/issues/14355', 'https://github.com/keycloak/keycloak/pull/46763'],
  },
  sources: [
    'https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/protocol/oidc/endpoints/TokenRevocationEndpoint.java',
    'https://www.keycloak.org/docs/latest/securing_apps/#_token_revocation_endpoint',
  ],
  issuerPath: '/realms/demo',
  paths: {
    authorize: '/realms/demo/protocol/openid-connect/auth',
    token: '/realms/demo/protocol/openid-connect/token',
    userinfo: '/realms/demo/protocol/openid-connect/userinfo',
    revocation: '/realms/demo/protocol/openid-connect/revoke',
    endSession: '/realms/demo/protocol/openid-connect/logout',
  },
  // Keycloak decodes Basic credentials as RFC 6749 §2.3.1 says (BasicAuthHelper.RFC6749).
  basicDecoding: 'form',
  revoke(call, state) {
    if (!call.clientId) return answers.error(401, 'invalid_client', 'Missing client_id parameter')
    const token = call.token
    if (!token?.alive || !token.grant.alive) return answers.json(200, { error: 'invalid_token', error_description: 'Invalid token' })
    if (token.grant.clientId !== call.clientId) return answers.error(400, 'invalid_request', 'Unmatching clients')
    if (token.kind === 'refresh_token') state.killGrant(token.grant)
    else state.kill(token)
    return answers.ok()
  },
}

/**
 * Auth0. Authentication API, "Revoke refresh token" (`POST /oauth/revoke`): refresh tokens
 * only; access tokens cannot be revoked and stay valid until they expire. A public client sends
 * `client_id` in the body. A token it does not revoke (an access token, a token of another
 * client) gets **200 with `{"error":"invalid_request",…}`** in the body (as the issue records
 * the documented answer); an unknown client 401 `invalid_client`.
 */
export const auth0: Profile = {
  name: 'Auth0',
  resource: {
    says: "Ignores `resource`: the API is chosen with its own `audience` parameter. Multi-Resource Refresh Tokens (Early Access) let one refresh token get tokens for several audiences, per the application's refresh token policies; an audience outside them gets a token for the default audience instead.",
    sources: [
      'https://auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token',
      'https://auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token/configure-and-implement-multi-resource-refresh-token',
    ],
  },
  sources: [
    'https://auth0.com/docs/api/authentication/refresh-token/revoke-refresh-token',
    'https://auth0.com/docs/secure/tokens/refresh-tokens/revoke-refresh-tokens',
  ],
  issuerPath: '',
  paths: { authorize: '/authorize', token: '/oauth/token', userinfo: '/userinfo', revocation: '/oauth/revoke', endSession: '/oidc/logout' },
  basicDecoding: 'raw',
  revoke(call, state) {
    if (!call.clientId) return answers.error(401, 'invalid_client', 'Missing client_id')
    const token = call.token
    if (token?.kind === 'access_token' || (token && token.grant.clientId !== call.clientId)) {
      return answers.json(200, {
        error: 'invalid_request',
        error_description: 'The refresh_token was issued to a different client or is not a refresh token.',
      })
    }
    if (token) state.kill(token)
    return answers.ok()
  },
}

/**
 * Amazon Cognito, `POST /oauth2/revoke`: refresh tokens only; an access token gets 400
 * `unsupported_token_type`. Revoking a refresh token also revokes the access and ID tokens
 * issued with it. A client with a secret must use HTTP Basic, `Base64Encode(client_id:client_secret)`
 * (raw, not form-encoded: Cognito ids and secrets are `[\w+]+`, so both encodings agree).
 */
export const cognito: Profile = {
  name: 'AWS Cognito',
  resource: {
    says: 'No `resource` parameter in the documentation consulted: an API is a resource server whose scopes are requested as `<resource-server-identifier>/<scope>`, so the scope picks the API.',
    sources: ['https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html'],
  },
  sources: [
    'https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html',
    'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html',
  ],
  issuerPath: '/us-east-1_Example',
  paths: {
    authorize: '/oauth2/authorize',
    token: '/oauth2/token',
    userinfo: '/oauth2/userInfo',
    revocation: '/oauth2/revoke',
    endSession: '/logout',
  },
  basicDecoding: 'raw',
  revoke(call, state) {
    if (!call.clientId) return answers.error(400, 'invalid_request')
    const token = call.token
    if (token?.kind === 'access_token') return answers.error(400, 'unsupported_token_type')
    if (token && token.grant.clientId !== call.clientId) return answers.error(400, 'invalid_request')
    if (token) state.killGrant(token.grant)
    return answers.ok()
  },
}

/**
 * Google, `POST https://oauth2.googleapis.com/revoke` (`revocation_endpoint` in
 * accounts.google.com's discovery): either token; "If the token is an access token and it has
 * a corresponding refresh token, the refresh token will also be revoked" (and the other way
 * round: the grant goes). An unknown or already revoked token: 400 `invalid_token`
 * ("Token expired or revoked"). No client authentication is needed.
 */
export const google: Profile = {
  name: 'Google',
  resource: {
    says: 'No `resource` parameter in the documentation consulted: an access token is asked for Google APIs by scope, and sent to the API those scopes name.',
    sources: ['https://developers.google.com/identity/protocols'],
  },
  sources: [
    'https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke',
    'https://developers.google.com/identity/protocols/oauth2/javascript-implicit-flow#tokenrevoke',
    'https://accounts.google.com/.well-known/openid-configuration',
  ],
  issuerPath: '',
  paths: { authorize: '/o/oauth2/v2/auth', token: '/token', userinfo: '/v1/userinfo', revocation: '/revoke' },
  basicDecoding: 'raw',
  revoke(call, state) {
    const token = call.token
    if (!token?.alive || !token.grant.alive) return answers.error(400, 'invalid_token', 'Token expired or revoked')
    state.killGrant(token.grant)
    return answers.ok()
  },
}

/**
 * Microsoft Entra ID (v2.0 endpoints): the discovery document has no `revocation_endpoint`;
 * refresh tokens are revoked only from a back end (Microsoft Graph `revokeSignInSessions`) or
 * by the user's password change, and access tokens not at all.
 */
export const entra: Profile = {
  name: 'Microsoft Entra ID',
  resource: {
    says: 'The v2.0 endpoints choose the resource by scope (`api://…/scope`), one resource per token request; the v1.0 endpoints take `resource` on the refresh grant (multi-resource refresh tokens). Declare the scope of each resource as its `scope`.',
    sources: [
      'https://learn.microsoft.com/en-us/entra/msal/javascript/browser/resources-and-scopes',
      'https://learn.microsoft.com/en-us/previous-versions/azure/dn645538(v=azure.100)',
    ],
  },
  sources: [
    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    'https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-revocation',
    'https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions',
  ],
  issuerPath: '/contoso-tenant/v2.0',
  paths: {
    authorize: '/contoso-tenant/oauth2/v2.0/authorize',
    token: '/contoso-tenant/oauth2/v2.0/token',
    userinfo: '/oidc/userinfo',
    endSession: '/contoso-tenant/oauth2/v2.0/logout',
  },
  basicDecoding: 'raw',
  revoke() {
    return { status: 404 }
  },
}

/**
 * Okta, `POST /oauth2/default/v1/revoke`: both token types; a public client sends `client_id`
 * in the body. "Revoking an access token doesn't revoke the associated refresh token. However,
 * revoking a refresh token does revoke the associated access token." An invalid, expired or
 * already revoked token still gets 200.
 */
export const okta: Profile = {
  name: 'Okta',
  resource: {
    says: 'No `resource` parameter in the documentation consulted: a custom authorization server has a default audience for its access tokens (and, in Early Access, a list of audiences it may issue them for).',
    sources: ['https://help.okta.com/en-us/Content/topics/security/api-config-auth-server.htm'],
  },
  sources: [
    'https://developer.okta.com/docs/guides/revoke-tokens/main/',
    'https://developer.okta.com/docs/api/openapi/okta-oauth/oauth/tag/CustomAS/#tag/CustomAS/operation/revokeCustomAS',
  ],
  issuerPath: '/oauth2/default',
  paths: {
    authorize: '/oauth2/default/v1/authorize',
    token: '/oauth2/default/v1/token',
    userinfo: '/oauth2/default/v1/userinfo',
    revocation: '/oauth2/default/v1/revoke',
    endSession: '/oauth2/default/v1/logout',
  },
  basicDecoding: 'raw',
  revoke(call, state) {
    if (!call.clientId) return answers.error(401, 'invalid_client', 'Client authentication failed.')
    const token = call.token
    if (token && token.grant.clientId === call.clientId) {
      if (token.kind === 'refresh_token') state.killGrant(token.grant)
      else state.kill(token)
    }
    return answers.ok()
  },
}

export const profiles = [keycloak, auth0, cognito, google, entra, okta]
