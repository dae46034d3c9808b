// Small helpers with no vocabulary of their own: time bounds, timers, chunks loaded on demand,
// the transport rule for endpoints.
export { isAllowedEndpoint } from './endpoints.js'
export { loadOnDemand } from './on-demand.js'
export { anySignal, raceAbort, whenAborted } from './signals.js'
export { Alarm, realTimers } from './timers.js'
export type { Timers } from './timers.js'
