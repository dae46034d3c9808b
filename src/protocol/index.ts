// Protocol: what tokenwarden asks of OAuth 2.0 / OpenID Connect besides revocation (the seam),
// discovery, the default protocol on oidc-client-ts (oidc.ts, loaded on first use), and DPoP
// (dpop.ts, loaded only with `dpop: true`). Those two are reached only by import(): this file
// names their types, never their code.
import { loadOnDemand } from '../util/index.js'

export { createDefaultProtocol } from './default-protocol.js'
export type { DPoP, DPoPKeyInfo, TokenBinding } from './dpop.js'
export type { OidcSettings } from './oidc.js'
export type {
  ProofKey,
  Protocol,
  ProtocolConfig,
  ProtocolContext,
  ProtocolFactory,
  ProtocolMetadata,
  RefreshRequest,
  SignInArgs,
  StateStore,
} from './seam.js'

/** DPoP's code, for the sessions that turn it on: a chunk that fails to load is a typed error. */
export const loadDPoP = () => loadOnDemand('DPoP', () => import('./dpop.js'))
export { checkOidcSettings, oidcSettingOptions } from './settings.js'
