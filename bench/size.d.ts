// Types of bench/size.js (plain ESM, run by node directly).

export interface Size {
  /** Bytes of the minified bundle. */
  minified: number
  gzip: number
  brotli: number
}

export interface SizeBudget {
  gzip?: number
  brotli?: number
  minified?: number
  /** Measured as (this entry + that one) minus that one alone. */
  relativeTo?: string
}

export interface SizeEntry {
  /** `core` (what an app loads at start), a binding, or a chunk loaded on demand (`dpop`, …). */
  name: string
  entry: string
  what: string
  size: Size
  budget: SizeBudget | null
  /** Human-readable budget violations; empty when within budget. */
  over: string[]
}

export interface SizeReport {
  entries: SizeEntry[]
  /** The bundle of exactly what src/ imports from oidc-client-ts, ky and idb-keyval. */
  dependencies: { size: Size; used: Record<string, string[]> }
  /** core minus dependencies alone. */
  ownCode: Size
  ok: boolean
}

export function measureSizes(): Promise<SizeReport>
export function sizeTable(report: SizeReport): string
export function readBudgets(): Record<string, SizeBudget>
export function dependencyEntry(): { code: string; used: Record<string, string[]> }
