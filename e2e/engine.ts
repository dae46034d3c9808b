// Which engine a browser test file drives: the Vitest project says (vite.config.ts provides it
// per e2e-<engine> project); dev/browsers/ finds and launches it.
import { inject } from 'vitest'
import type { EngineName } from '../dev/browsers/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    engine: EngineName
  }
}

export const engineName: EngineName = inject('engine')
