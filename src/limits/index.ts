// How long a session may last: the idle limit across tabs (idle.ts) and the server's own end of
// the session where it says one (server-limit.ts), each with the events it reports (events.ts).
export { IdleWatcher, type IdlePort } from './idle.js'
export { ServerLimit } from './server-limit.js'
export type { LimitEmit, LimitEvent } from './events.js'
