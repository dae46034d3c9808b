// Small helpers with no vocabulary of their own: time bounds, timers, listener sets, chunks
// loaded on demand or fetched ahead of need once quiet, validation of option values, warnings given once, and the transport rule
// for endpoints.
export { findInsecureEndpoint, isAllowedEndpoint } from './endpoints.js'
export { Listeners } from './listeners.js'
export { assertSecureContext } from './secure-context.js'
export { loadOnDemand, onDemand, retryable } from './on-demand.js'
export { prefetchQuietMs, type QuietGate, quietGate, whenQuiet } from './quiet.js'
export { anySignal, type Bound, bound, raceAbort, whenAborted } from './signals.js'
export { Alarm, realTimers } from './timers.js'
export type { Timers } from './timers.js'
export { checkBoolean, checkFunction, checkNumber, checkTimers, checkUrl, type NumberRule } from './validate.js'
export { type Logger, warnOnce } from './warn-once.js'
