// How long a session may last: the idle limit across tabs (idle.ts) and the server's own end of
// the session where it says one (server-limit.ts), each with the events it reports (events.ts).
import { loadOnDemand } from '../util/index.js'

export type { IdleWatcher, IdlePort } from './idle.js'
/** The idle limit's code, for the sessions that set `idleTimeoutSeconds`: a chunk that fails to load is a typed error. */
export const loadIdle = () => loadOnDemand('idle limit', () => import('./idle.js'))
export { ServerLimit } from './server-limit.js'
export type { LimitEmit, LimitEvent } from './events.js'
