import type { TokenwardenError } from './errors.js'
import type { Emit } from './events.js'
import type { LocalSession, SignedOutReason, SnapshotStore } from './view/index.js'
import type { SessionStore, StorageKind } from './storage/index.js'
import type { TabMessage } from './tabs/index.js'

/** What reconciling needs from the session. */
export interface ReconcilePort {
  /** This tab's id: its own messages are ignored. */
  tab: string
  local: LocalSession
  store: SessionStore
  storage: StorageKind
  snapshot: SnapshotStore
  /** The sign-in stored now (undefined: none): tokens this tab holds of another one are revoked. */
  release(stored: string | undefined): void
  emit: Emit
}

/**
 * Keeps this tab in step with the others: what another tab said, checked against storage,
 * which is the truth. Messages carry no token; a tab that hears one re-reads storage, except
 * for a sign-out of the sign-in it holds, which it drops at once.
 */
export class Reconciler {
  readonly #port: ReconcilePort
  #closed = false

  constructor(port: ReconcilePort) {
    this.#port = port
  }

  onMessage(message: TabMessage): void {
    const { local, tab, emit } = this.#port
    // Activity is the idle watcher's (idle.ts), and frequent: no event, no storage read.
    if (this.#closed || message.tab === tab || message.type === 'activity') return
    emit({ type: 'tab-message', direction: 'received', message: message.type, from: message.tab })
    if (message.type === 'signed-out' && message.signInId !== null) {
      // That sign-in's record is gone for good: whatever of it this tab is about to adopt (its
      // own sign-in or refresh whose commit is still being reported, a read already under
      // way) must not show. Logout tells the tabs while its transaction commits.
      local.ended(message.signInId)
      if (message.signInId === local.current?.signInId) {
        // Drop at once, before any storage read: this tab must not use the tokens any more.
        local.signOut(message.reason ?? 'other-tab')
        this.#port.release(undefined)
        return
      }
    }
    // About another sign-in, or a sign-in or refresh: storage says what is true now.
    void this.resync('other-tab')
  }

  /** Re-reads storage and derives the snapshot from it; `reasonIfGone` says why a vanished session went. */
  async resync(reasonIfGone: SignedOutReason): Promise<void> {
    const { local, store, storage, snapshot, emit } = this.#port
    if (this.#closed) return
    try {
      const read = await store.read()
      this.#port.release(read.status === 'present' ? read.record.signInId : undefined)
      if (read.status === 'invalid') emit({ type: 'storage', kind: 'invalid-record', storage, code: read.error.code })
      if (read.status === 'absent' && local.current) emit({ type: 'storage', kind: 'lost', storage })
      local.apply(read, reasonIfGone)
    } catch (error) {
      emit({ type: 'storage', kind: 'failed', storage, code: (error as TokenwardenError).code ?? 'unexpected' })
      if (snapshot.get().status === 'loading') local.signOut('initial', error as TokenwardenError)
    }
  }

  /** The session was disposed: nothing more is read or shown. */
  close(): void {
    this.#closed = true
  }
}
