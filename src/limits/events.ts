/** What the session's limits report (the session adds when and in which tab): see `SessionEvent`. */
export type LimitEvent =
  | {
      readonly type: 'session-ending'
      /** When the server's session ends (the snapshot's `sessionEndsAt`). */
      readonly endsAt: number
      readonly secondsLeft: number
    }
  | {
      readonly type: 'idle-warning'
      /** Seconds until the idle limit ends the session; `null`: activity stopped the countdown. */
      readonly secondsLeft: number | null
    }

/** How the limits report what they see. */
export type LimitEmit = (event: LimitEvent) => void
