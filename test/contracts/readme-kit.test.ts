import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SessionEventType } from '../../src/index.js'

// Node's paths: under happy-dom the global URL is the window's.
const root = join(import.meta.dirname, '../..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** The code block right after `<!-- path -->` in README. */
function blockAfter(path: string): string | undefined {
  const marker = readme.indexOf(`<!-- ${path} -->`)
  if (marker < 0) return undefined
  return /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(marker))?.[1]
}

// Every event type, as a registry: adding one to SessionEvent without listing it here fails
// to compile, and the table check below then asks for its README row.
const eventTypes: { [K in SessionEventType]: true } = {
  'signed-in': true,
  'sign-in-failed': true,
  refreshed: true,
  'refresh-failed': true,
  'signed-out': true,
  'idle-warning': true,
  'session-ending': true,
  'logout-started': true,
  revocation: true,
  'logout-finished': true,
  outbox: true,
  'destination-refused': true,
  'tab-message': true,
  storage: true,
}

describe('README', () => {
  it.each(['test/readme/react-app.test.tsx', 'test/readme/vue-app.test.ts', 'test/readme/angular-app.test.ts'])(
    'quotes %s exactly, so its example is a test that runs',
    (path) => {
      expect(blockAfter(path)).toBe(readFileSync(join(root, path), 'utf8'))
    },
  )

  it('has a row in the Events table for every event type, and none for a type that does not exist', () => {
    const section = readme.slice(readme.indexOf('<!-- events-table -->'), readme.indexOf('<!-- /events-table -->'))
    const table = section.slice(section.indexOf('|---'))
    const rows = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1])
    expect(rows.sort()).toEqual(Object.keys(eventTypes).sort())
  })
})
