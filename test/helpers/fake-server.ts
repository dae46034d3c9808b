// The fake server is the test kit's (tokenwarden/testing): our suite runs on the same fetch
// seam apps test with. What only our own tests need stays here.
import type { Answer, SeenRequest } from '../../src/testing/index.js'
export { createFakeFetch as createFakeServer, oauthError, ok, opaqueRedirect } from '../../src/testing/index.js'
export type { Answer, ManualRedirectShape, SeenRequest } from '../../src/testing/index.js'
/** A promise and its resolver, to hold an answer back until the test releases it. */
export function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** A server whose behaviour can be switched while the test runs. */
export function switchable(initial: (request: SeenRequest) => Answer) {
  let current = initial
  return {
    handler: (request: SeenRequest) => current(request),
    set(next: (request: SeenRequest) => Answer) {
      current = next
    },
  }
}
