// The built package, as an app would get it: every path in the exports map exists, and
// importing each entry in plain Node (no window, no IndexedDB) touches no browser global.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | { types: string; import: string }>
}

describe('the built package', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' })
  }, 120_000)

  it('has every file its exports map names', () => {
    for (const [entry, target] of Object.entries(pkg.exports)) {
      const files = typeof target === 'string' ? [target] : [target.types, target.import]
      for (const file of files) expect(existsSync(`${root}${file}`), `${entry}: ${file}`).toBe(true)
    }
  })

  it('imports in plain Node, by its own name, without touching a browser global', () => {
    const script = `
      const core = await import('tokenwarden')
      const session = core.createSession({ authority: 'https://id.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/cb' })
      if (session.getSnapshot().status !== 'loading') throw new Error('unexpected snapshot')
      session.dispose()
      const react = await import('tokenwarden/react')
      const vue = await import('tokenwarden/vue')
      const testing = await import('tokenwarden/testing')
      console.log(JSON.stringify({ core: Object.keys(core).sort(), react: Object.keys(react).sort(), vue: Object.keys(vue).sort(), testing: Object.keys(testing).sort() }))
    `
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    const exported = JSON.parse(output) as Record<'core' | 'react' | 'vue' | 'testing', string[]>
    expect(exported.core).toEqual(expect.arrayContaining(['createSession', 'revokeToken', 'TokenwardenError', 'isTokenwardenError']))
    expect(exported.react).toEqual(expect.arrayContaining(['SessionProvider', 'useSession', 'useAccessToken', 'useLogout']))
    expect(exported.vue).toEqual(expect.arrayContaining(['createSessionPlugin', 'useSession', 'useAccessToken', 'useLogout']))
    expect(exported.testing).toEqual(expect.arrayContaining(['createTestAuthority', 'createTestClock', 'createChannelHub']))
  })

  it('keeps oidc-client-ts, ky and idb-keyval external, and the bindings import the core by name', () => {
    // The core is dist/index.js and the chunks it loads (shared code, DPoP on demand).
    const core = readdirSync(`${root}dist`)
      .filter((file) => file.endsWith('.js') && !['react.js', 'vue.js'].includes(file))
      .map((file) => readFileSync(`${root}dist/${file}`, 'utf8'))
      .join('\n')
    for (const name of ['oidc-client-ts', 'ky', 'idb-keyval']) expect(core).toMatch(new RegExp(`from "${name}"`))
    // Imported, never bundled in: no copy of idb-keyval's or ky's own code.
    expect(core).not.toMatch(/function promisifyRequest|class HTTPError/)
    expect(readFileSync(`${root}dist/react.js`, 'utf8')).toMatch(/from "tokenwarden"/)
    expect(readFileSync(`${root}dist/vue.js`, 'utf8')).toMatch(/from "tokenwarden"/)
    expect(readFileSync(`${root}dist/testing.js`, 'utf8')).toMatch(/from "tokenwarden"/)
  })

  it('keeps the test kit out of the core: an app that imports tokenwarden bundles none of it', () => {
    const core = readFileSync(`${root}dist/index.js`, 'utf8')
    for (const name of ['createTestAuthority', 'createTestClock', 'createChannelHub', 'test-access-']) expect(core).not.toContain(name)
  })
})
