import { TokenwardenError } from '../errors.js'

/**
 * The hidden iframe of a silent renewal: it loads the authorization request (`prompt=none`) and
 * waits for the silent-callback page to hand back the URL it was sent to, with the code and state
 * or the error. It speaks oidc-client-ts's own frame protocol (its `IFrameWindow`: the page posts
 * `{ source: 'oidc-client', url }` to its parent, for this origin only), so a callback page made
 * for oidc-client-ts serves here too; oidc-client-ts does not export its frame navigator, and its
 * `UserManager`, which has one, would add two thirds to this chunk. Part of the oidc.ts chunk.
 *
 * Only a message from this frame, on this origin, for this request's `state` is taken. No answer
 * within `timeoutMs` (a frame refused by X-Frame-Options or frame-ancestors loads nothing that
 * answers) rejects with `login-required`. The frame is removed either way.
 */
export function runSilentFrame(url: string, state: string, timeoutMs: number): Promise<string> {
  if (typeof document === 'undefined' || !document.body) {
    return Promise.reject(new TokenwardenError('login-required', 'Silent renewal needs a page to open its hidden frame in.'))
  }
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe')
    frame.setAttribute('aria-hidden', 'true')
    frame.tabIndex = -1
    frame.title = 'silent renewal'
    Object.assign(frame.style, { visibility: 'hidden', position: 'fixed', left: '-1000px', top: '0', width: '0', height: '0', border: '0' })
    const finish = () => {
      clearTimeout(timer)
      removeEventListener('message', onMessage)
      frame.remove()
    }
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { source?: unknown; url?: unknown } | null
      if (event.origin !== location.origin || event.source !== frame.contentWindow) return
      if (data?.source !== 'oidc-client' || typeof data.url !== 'string') return
      if (!URL.canParse(data.url) || new URL(data.url).searchParams.get('state') !== state) return
      finish()
      resolve(data.url)
    }
    const timer = setTimeout(() => {
      finish()
      reject(
        new TokenwardenError(
          'login-required',
          'The silent-callback page did not answer in time: the hidden frame was blocked (X-Frame-Options, frame-ancestors) or the page does not post its URL back.',
        ),
      )
    }, timeoutMs)
    addEventListener('message', onMessage)
    frame.src = url
    document.body.appendChild(frame)
  })
}
