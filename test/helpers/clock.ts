// The clock is the test kit's (tokenwarden/testing): `now` and the `timers` seam on one
// manual clock, as apps' tests use it.
export { createTestClock as createManualClock, settle } from '../../src/testing/index.js'
