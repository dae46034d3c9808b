// `tokenwarden` and its subpaths resolved to this repository's sources, as Vite aliases: every
// page, bundle and test built here runs the code under test, never a dist/ a clean checkout lacks.
import { fileURLToPath } from 'node:url'

export const srcDir = fileURLToPath(new URL('../src/', import.meta.url))

export const sourceAliases = [
  { find: /^tokenwarden\/(react|vue|angular|testing)$/, replacement: `${srcDir}$1/index.ts` },
  { find: /^tokenwarden$/, replacement: `${srcDir}index.ts` },
]
