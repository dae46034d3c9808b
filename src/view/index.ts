// This tab's view of the session: the record it holds and the snapshot derived from it, which
// the UI reads.
export { LocalSession, signedOutError } from './local-session.js'
export { SnapshotStore } from './snapshot.js'
export type { SessionSnapshot, SignedOutReason } from './snapshot.js'
