import { redactError, TokenwardenError, toTokenwardenError } from './errors.js'
import type { Protocol } from './protocol/index.js'
import type { Refresher } from './refresh.js'
import type { Outbox } from './revocation/index.js'
import type { SessionRecord, SessionStore } from './storage/index.js'
import type { TabLock, TabMessage } from './tabs/index.js'
import type { IssuedTokens, ResourceToken } from './tokens.js'
import { type LocalSession, signedOutError } from './view/index.js'

/** What a resource's token needs from the session: the same store, lock and outbox as refreshing. */
export interface ResourcePort {
  store: SessionStore
  local: LocalSession
  /** The cross-tab lock refreshing takes: a resource's grant rotates the same refresh token. */
  lock: TabLock
  protocol: Pick<Protocol, 'refresh'>
  outbox: Outbox
  /** `dueAt`: a resource's token is renewed when the session's would be. */
  refresher: Pick<Refresher, 'unsavedTokens' | 'endRefused' | 'dueAt'>
  broadcast(type: TabMessage['type'], signInId: string | null): void
  now: () => number
  /** The declared destinations: those that name a resource, with its scope. */
  destinations: readonly { readonly resource?: string | undefined; readonly scope?: string | undefined }[]
}

/** A resource a destination names (RFC 8707), with the scope its token is asked for. */
export interface ResourceRequest {
  resource: string
  scope?: string | undefined
}

/**
 * The access tokens of the declared resources (RFC 8707): each one comes from the session's
 * refresh token, by a refresh grant that names the resource and its narrower scope, and is
 * kept in the session record beside the session's own tokens. The grant runs under the
 * cross-tab lock refreshing takes, since it uses (and may rotate) the same refresh token:
 * inside it storage is the truth, so a token another tab got meanwhile is adopted rather than
 * asked for again (one grant per resource per expiry, across tabs). Its answer is written in
 * one transaction with the check that the sign-in is still the one stored; when it is not (a
 * logout went ahead), what the grant brought, the rotated refresh token included, is queued for
 * revocation instead. Loaded on demand: only apps that declare resources pay for it.
 */
export class ResourceTokens {
  readonly #port: ResourcePort
  /** One grant at a time per resource in this tab: concurrent callers share it. */
  readonly #granting = new Map<string, Promise<string>>()

  constructor(port: ResourcePort) {
    this.#port = port
  }

  #isDue(token: ResourceToken): boolean {
    const { expiresAt, issuedAt } = token
    if (expiresAt === undefined) return false
    return this.#port.refresher.dueAt(expiresAt, issuedAt) <= this.#port.now()
  }

  /** The declared resource `resource`, with the scope its destinations ask for. */
  #declared(resource: string): ResourceRequest {
    const declared = this.#port.destinations.find((destination) => destination.resource === resource)
    if (!declared) {
      throw new TokenwardenError(
        'invalid-request',
        `No destination names the resource ${JSON.stringify(resource)}: declare it in the \`destinations\` option ({ url, resource, scope }).`,
      )
    }
    return { resource, scope: declared.scope }
  }

  /**
   * The access token of `resource` (a declared one: `invalid-request` otherwise), asked for
   * first when there is none or it is due.
   */
  async accessToken(resource: string): Promise<string> {
    const request = this.#declared(resource)
    const held = this.#port.local.usable().tokens.resources?.[request.resource]
    if (held && !this.#isDue(held)) return held.accessToken
    return this.#grant(request, held?.accessToken)
  }

  /** For `session.http`: the resource refused `rejected`; get a newer token, at most one grant. */
  async afterRejection(resource: string, rejected: string | undefined): Promise<string> {
    const request = this.#declared(resource)
    const { local } = this.#port
    if (!local.current || local.loggingOut) throw signedOutError()
    const held = local.current.tokens.resources?.[request.resource]
    if (held && rejected !== undefined && held.accessToken !== rejected) return held.accessToken
    return this.#grant(request, held?.accessToken ?? rejected, true)
  }

  /** `seen`: the token the caller holds (or saw refused); `force`: ask even if storage's is not due. */
  #grant(request: ResourceRequest, seen: string | undefined, force = false): Promise<string> {
    const { resource } = request
    let granting = this.#granting.get(resource)
    if (!granting) {
      granting = this.#port.lock(() => this.#grantLocked(request, seen, force)).finally(() => this.#granting.delete(resource))
      this.#granting.set(resource, granting)
    }
    return granting
  }

  async #grantLocked({ resource, scope }: ResourceRequest, seen: string | undefined, force: boolean): Promise<string> {
    const { store, local, protocol, outbox, refresher, broadcast, now } = this.#port
    const before = await store.read()
    if (before.status !== 'present' || before.record.signInId !== local.current?.signInId) {
      local.apply(before, 'other-tab')
      throw signedOutError()
    }
    // Tokens storage refused to keep are newer than what it holds: the refresh token we send is theirs.
    const stored = refresher.unsavedTokens(before.record.signInId) ?? before.record
    const held = stored.tokens.resources?.[resource]
    if (held && held.accessToken !== seen && (!force || !this.#isDue(held))) {
      // Another tab asked for it meanwhile.
      local.adopt(stored)
      return held.accessToken
    }
    if (!stored.tokens.refreshToken) {
      throw new TokenwardenError('refresh-failed', `There is no refresh token to ask for a token for ${resource} with.`)
    }
    let next: IssuedTokens
    try {
      next = await protocol.refresh({ tokens: stored.tokens, profile: stored.profile, resource, ...(scope ? { scope } : {}) })
    } catch (error) {
      const { refreshToken, accessToken, idToken } = stored.tokens
      const reported = redactError(toTokenwardenError(error, 'refresh-failed', `The refresh grant for ${resource} failed.`), [
        refreshToken,
        accessToken,
        idToken,
      ])
      // The refresh token itself was refused (not just this resource: that is `invalid_target`
      // or `invalid_scope`): the session is over, as for a refused refresh.
      if (reported.error === 'invalid_grant') {
        const { refreshToken: _, ...alive } = stored.tokens
        await refresher.endRefused(stored.signInId, reported, alive)
      }
      throw reported
    }
    const issued = next.tokens
    const token: ResourceToken = {
      accessToken: issued.accessToken,
      tokenType: issued.tokenType,
      issuedAt: now(),
      ...(scope ? { scope: issued.scope ?? scope } : {}),
      ...(issued.expiresAt !== undefined ? { expiresAt: issued.expiresAt } : {}),
    }
    const withToken = (current: SessionRecord): SessionRecord => ({
      ...current,
      tokens: {
        ...current.tokens,
        // A server that rotates refresh tokens answers with a new one: from now on it is the session's.
        ...(issued.refreshToken ? { refreshToken: issued.refreshToken } : {}),
        resources: { ...current.tokens.resources, [resource]: token },
      },
    })
    // What only this grant holds, should it not be kept: the new access token and, when the
    // server rotated it, the new refresh token.
    const orphans = {
      accessToken: issued.accessToken,
      tokenType: issued.tokenType,
      ...(issued.expiresAt !== undefined ? { expiresAt: issued.expiresAt } : {}),
      ...(issued.refreshToken && issued.refreshToken !== stored.tokens.refreshToken ? { refreshToken: issued.refreshToken } : {}),
    }
    let record: SessionRecord | undefined
    try {
      record = await store.transact((current) => {
        if (current?.signInId === stored.signInId) {
          const written = withToken(refresher.unsavedTokens(current.signInId) ?? current)
          return { session: written, result: written }
        }
        const queued = outbox.queue(orphans)
        return { ...(queued ? { changes: queued.changes } : {}), result: undefined }
      })
    } catch (cause) {
      // Storage would not keep them: nothing else holds them, so they are revoked. The stored
      // refresh token may have been rotated away by this grant: the next refresh says so.
      void outbox.revokeUnqueued(orphans)
      throw new TokenwardenError('storage-failed', `The token for ${resource} could not be stored; it was revoked.`, { cause })
    }
    if (!record) {
      void outbox.revokeOrphans(orphans)
      local.apply(await store.read(), 'other-tab')
      throw signedOutError()
    }
    local.adopt(record)
    broadcast('refreshed', record.signInId)
    return token.accessToken
  }
}
