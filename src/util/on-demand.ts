import { TokenwardenError } from '../errors.js'

/**
 * A chunk that has not arrived after this long is treated as lost, so a refresh holding the
 * cross-tab lock, or a start, never waits on it for good. Generous: the largest chunk is
 * ~20 kB gzip, and a browser that fetched the entry fetches it from the same place.
 */
export const chunkTimeoutMs = 20_000

/**
 * Loads a part of tokenwarden that is split off the entry (a dynamic `import()`: DPoP, the
 * oidc-client-ts steps). A chunk that fails or does not arrive in time
 * (offline, a deploy that removed the old chunks) becomes a `network` or `timeout`
 * `TokenwardenError` naming the part, never a bare `TypeError` or a wait without end.
 */
export async function loadOnDemand<T>(part: string, load: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TokenwardenError('timeout', `tokenwarden's ${part} code did not load within ${chunkTimeoutMs / 1000} s.`)),
      chunkTimeoutMs,
    )
  })
  try {
    return await Promise.race([load(), late])
  } catch (cause) {
    if (cause instanceof TokenwardenError) throw cause
    throw new TokenwardenError(
      'network',
      `tokenwarden's ${part} code could not be loaded (a chunk loaded on demand): the network or the server failed. Try again, or reload the page after a deploy.`,
      { cause },
    )
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `load` through {@link loadOnDemand}, once: every caller shares the one load; a failed one is
 * forgotten, so the next call tries again (a chunk lost to a moment offline loads later).
 */
export function onDemand<T>(part: string, load: () => Promise<T>): () => Promise<T> {
  return retryable(() => loadOnDemand(part, load))
}

/** `run` once, its promise shared by every caller until it fails; after a failure, run again. */
export function retryable<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined
  return () =>
    (running ??= run().catch((error: unknown) => {
      running = undefined
      throw error
    }))
}
