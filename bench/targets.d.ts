// Types of bench/targets.js (plain ESM, run by node directly).

export const ON_SCREEN_TARGET_MS: number
export const SETTLED_SLACK_MS: number

interface Figures {
  median: number
  p95: number
}

export interface LogoutFigures {
  latencyMs: number
  conditions: Array<{
    key: string
    title: string
    libraries: Record<string, { settled: Figures; onScreen: Figures; otherTab: Figures | null }>
    /** The two revocations as bare fetch() calls, in the same run (conditions with answers). */
    floor?: Figures | null
  }>
}

export interface TargetVerdict {
  target: string
  /** The bound the figure is held to (ms). */
  bound: number
  /** tokenwarden's figure (ms; Infinity when it never happened within the bench's bound). */
  figure: number
  pass: boolean
}

export function judgeTargets(logout: LogoutFigures): TargetVerdict[]
