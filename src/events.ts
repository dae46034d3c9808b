import { Listeners } from './util/index.js'
import type { TokenwardenErrorCode } from './errors.js'
import type { RevocationStatus } from './tokens.js'
import type { LimitEvent } from './limits/index.js'
import type { RevocationEvent } from './revocation/index.js'
import type { StorageKind } from './storage/index.js'
import type { TabMessage } from './tabs/index.js'
import type { SignedOutReason } from './view/index.js'

/** How tokens were renewed: the refresh grant (RFC 6749 §6) or silent renewal (`prompt=none`). */
export type RenewedVia = 'refresh-token' | 'silent'

/** What is common to every event: when it happened (the session's clock) and in which tab. */
interface EventBase {
  /** Milliseconds since the epoch, from the session's `now` seam. */
  readonly at: number
  /** The random id of the tab (session object) that emitted the event. */
  readonly tab: string
}

/**
 * What a session did, for telemetry and debugging. Events name what happened and how long it
 * took; they never carry a token, a code, a PKCE verifier or a raw error (whose cause could
 * hold a response body): errors appear as their `code` and the OAuth `error` field only.
 *
 * - `signed-in`: a sign-in completed in this tab; `replaced` when it replaced a stored session.
 * - `sign-in-failed`: the redirect back from the authorization server was an error.
 * - `refreshed`: new tokens; `by: 'this-tab'` renewed them (`via` the refresh grant or silent
 *   renewal, `durationMs` it took),
 *   `by: 'other-tab'` found that another tab had refreshed and adopted its tokens.
 * - `refresh-failed`: the refresh grant failed (`code`, and the server's `error`, e.g. `invalid_grant`).
 * - `signed-out`: the snapshot turned signed-out, with the reason.
 * - `session-ending`: the server's own session (the refresh token) ends in `secondsLeft`, where
 *   the server said when (`sessionEndsAt`); once per end, a minute before it (or at once).
 * - `idle-warning`: the idle limit's countdown, every second (`secondsLeft`), from
 *   `idleWarningSeconds` before the end; `secondsLeft: null` when activity stopped it.
 * - `logout-started` / `logout-finished`: a `logout()` in this tab, with per-token statuses
 *   and `durationMs` from call to result.
 * - `revocation`: one revocation request settled, by hint (`source`: logout or the outbox).
 * - `outbox`: revocations `queued` for a retry, `drained` (left the queue after an attempt),
 *   or `dropped` (expired or unreadable before they could be sent).
 * - `destination-refused`: `session.http` refused a request to an undeclared origin (sent nothing).
 * - `tab-message`: a message `sent` to or `received` from another tab (type only).
 * - `storage`: `fallback` (IndexedDB unusable: memory), `invalid-record` (discarded), `lost`
 *   (the stored session vanished without a message, e.g. the browser evicted it),
 *   `failed` (reading storage failed).
 */
export type SessionEvent =
  | (EventBase & { readonly type: 'signed-in'; readonly replaced: boolean })
  | (EventBase & { readonly type: 'sign-in-failed'; readonly code: TokenwardenErrorCode; readonly error?: string })
  | (EventBase & {
      readonly type: 'refreshed'
      readonly by: 'this-tab' | 'other-tab'
      /** With `by: 'this-tab'`: the refresh grant, or silent renewal (`prompt=none` in a hidden frame). */
      readonly via?: RenewedVia
      readonly durationMs: number
    })
  | (EventBase & {
      readonly type: 'refresh-failed'
      readonly code: TokenwardenErrorCode
      readonly error?: string
      readonly durationMs: number
    })
  | (EventBase & { readonly type: 'signed-out'; readonly reason: SignedOutReason })
  | (EventBase & LimitEvent)
  | (EventBase & { readonly type: 'logout-started' })
  | (EventBase & {
      readonly type: 'logout-finished'
      readonly durationMs: number
      readonly cleared: boolean
      readonly revocation: { readonly refresh_token: RevocationStatus; readonly access_token: RevocationStatus }
    })
  | (EventBase & RevocationEvent)
  | (EventBase & {
      readonly type: 'destination-refused'
      /** Where `session.http` was asked to send the token: the origin only, never the path or query. */
      readonly origin: string
    })
  | (EventBase & {
      readonly type: 'tab-message'
      readonly direction: 'sent' | 'received'
      readonly message: TabMessage['type']
      /** The sending tab's id, on a received message. */
      readonly from?: string
    })
  | (EventBase & {
      readonly type: 'storage'
      readonly kind: 'fallback' | 'invalid-record' | 'lost' | 'failed'
      readonly storage: StorageKind
      readonly code?: TokenwardenErrorCode
    })
  | (EventBase & {
      readonly type: 'storage'
      /** The browser's answer about persistent storage (`persistStorage: true`). */
      readonly kind: 'persistence'
      readonly storage: StorageKind
      /** True: granted, so the browser will not evict the records under storage pressure. */
      readonly persisted: boolean
      /** True after sign-in, when persistence was asked for; false at start, when only read. */
      readonly asked: boolean
      /** Never set: here so `event.code` reads on every `storage` event without narrowing. */
      readonly code?: never
    })

/** Every event type, for switch statements and docs. */
export type SessionEventType = SessionEvent['type']

type WithoutBase<T> = T extends EventBase ? Omit<T, keyof EventBase> : never

/** An event as a workflow emits it: the stream adds `at` and `tab`. */
export type EmittedEvent = WithoutBase<SessionEvent>

/** How a workflow reports what it did (each port has one). */
export type Emit = (event: EmittedEvent) => void

/**
 * The event stream of one session: listeners hear every event, synchronously, in order. A
 * listener that throws is the app's bug, not the session's: it is reported to the logger
 * and the other listeners still run.
 */
export class EventStream {
  readonly #listeners = new Listeners<[SessionEvent]>()
  readonly #now: () => number
  readonly #tab: string
  readonly #warn: (message: string) => void

  constructor(options: { now: () => number; tab: string; warn: (message: string) => void }) {
    this.#now = options.now
    this.#tab = options.tab
    this.#warn = options.warn
    this.emit = this.emit.bind(this)
  }

  on(listener: (event: SessionEvent) => void): () => void {
    // Wrapped, so that one listener's throw is reported and the others still hear the event.
    return this.#listeners.subscribe((event) => {
      try {
        listener(event)
      } catch (error) {
        this.#warn(`tokenwarden: an event listener threw: ${error instanceof Error ? error.name : typeof error}`)
      }
    })
  }

  emit(event: EmittedEvent): void {
    if (this.#listeners.size === 0) return
    this.#listeners.notify(Object.freeze({ ...event, at: this.#now(), tab: this.#tab }) as SessionEvent)
  }

  clear(): void {
    this.#listeners.clear()
  }
}
