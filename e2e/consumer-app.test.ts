// The package as an app gets it: `npm pack` (prepack builds dist/), the tarball installed into
// a throw-away app in the system's temp directory next to the peers an app brings, and then
// what an app does with it. README's quick start, React and Vue examples, read from README
// itself (e2e/readme-examples.ts), are the app's source files: type-checked under `strict` with
// `moduleResolution` bundler and node16 (tsc; vue-tsc for the Vue files, as a Vue app does),
// bundled by Vite, and every entry of the exports map imported and required under Node, the
// React and Vue bindings rendered on the server.
//
// The app pins the versions of package-lock.json, installed with --prefer-offline: the npm
// cache that `npm ci` filled serves them, so after the first run on a machine this file takes
// seconds, not downloads.
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { namedFile, readmeSection } from './readme-examples.js'
import { lockedVersion, npmEnv, packTarball } from './tarball.js'

const run = promisify(execFile)

/** What the app installs beside the tarball: the peers of its examples and its tools. */
const appPackages = [
  'react',
  'react-dom',
  'vue',
  // tokenwarden/angular's peers, so that importing every entry of the exports map finds them.
  '@angular/core',
  '@angular/common',
  '@angular/router',
  '@angular/platform-browser',
  '@angular/compiler',
  // tokenwarden/testing/jest-setup's optional peer.
  'fake-indexeddb',
  'rxjs',
  '@types/react',
  '@types/react-dom',
  'typescript',
  'vite',
  '@vitejs/plugin-vue',
  'vue-tsc',
]

/** The app's source files: README's examples, each where its own imports expect it. */
function appSources(): Record<string, string> {
  const [quickStart] = readmeSection('Quick start').filter((block) => block.language === 'ts')
  const [react] = readmeSection('React').filter((block) => block.language === 'tsx')
  const vue = readmeSection('Vue')
  const vueMain = vue.find((block) => namedFile(block) === 'main.ts')
  const vueApp = vue.find((block) => namedFile(block) === 'App.vue')
  if (!quickStart || !react || !vueMain || !vueApp) {
    throw new Error("README's Quick start (ts), React (tsx) or Vue (// main.ts, <!-- App.vue -->) example is missing")
  }
  return {
    'src/quick-start.ts': quickStart.code,
    'src/react.tsx': react.code,
    'src/vue/main.ts': vueMain.code,
    'src/vue/App.vue': vueApp.code,
    // The quick start hands each snapshot to the app's own `render`: here a declaration of it.
    'src/globals.d.ts': 'declare function render(snapshot: unknown): void\n',
  }
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

/** tsconfig.json as a strict app has it; `module` and `moduleResolution` come per file below. */
const strictApp = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    // No @types/node: a browser app has none, so the package's types must not need it.
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    // The package's .d.ts files are checked too, not only their use.
    skipLibCheck: false,
    jsx: 'react-jsx',
    noEmit: true,
  },
}

const resolutions = {
  bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
  node16: { module: 'Node16', moduleResolution: 'Node16' },
} as const

/** Writes a chunk map of the bundle (file, entry or not, imports, modules) for the test to read. */
const viteConfig = `import vue from '@vitejs/plugin-vue'
import { writeFileSync } from 'node:fs'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [
    vue(),
    {
      name: 'chunk-map',
      generateBundle(_options, bundle) {
        const chunks = Object.values(bundle)
          .filter((output) => output.type === 'chunk')
          .map(({ fileName, name, isEntry, isDynamicEntry, imports, dynamicImports, moduleIds }) => ({
            fileName, name, isEntry, isDynamicEntry, imports, dynamicImports, moduleIds,
          }))
        writeFileSync('chunks.json', JSON.stringify(chunks, null, 2))
      },
    },
  ],
  build: {
    rolldownOptions: { input: { 'quick-start': 'quick-start.html', react: 'react.html', vue: 'vue.html' } },
  },
})
`

const page = (script: string, container: string) =>
  `<!doctype html>\n<html lang="en">\n<body>\n<div id="${container}"></div>\n<script type="module" src="${script}"></script>\n</body>\n</html>\n`

/** Under Node: every entry of the installed package's exports map, by import() and by require(). */
const entriesScript = `import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
// Angular's packages ship partially compiled: under plain Node (no build, no linker) they need
// the JIT compiler loaded first, as an Angular app's own server entry does.
import '@angular/compiler'

const require = createRequire(import.meta.url)
const pkg = JSON.parse(readFileSync('node_modules/tokenwarden/package.json', 'utf8'))
const entries = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'tokenwarden' : 'tokenwarden' + key.slice(1)))
const imported = {}
const required = {}
for (const entry of entries) {
  imported[entry] = Object.keys(await import(entry)).sort()
  required[entry] = Object.keys(require(entry)).sort()
}
const { createSession } = await import('tokenwarden')
const session = createSession({ authority: 'https://id.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/cb' })
const status = session.getSnapshot().status
session.dispose()
console.log(JSON.stringify({ entries, imported, required, status }))
`

/** Server rendering: each binding's provider and useSession() under react-dom/server and vue/server-renderer. */
const ssrScript = `import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { createSSRApp, h } from 'vue'
import { renderToString as renderVueToString } from 'vue/server-renderer'
import { createSession } from 'tokenwarden'
import { SessionProvider, useSession } from 'tokenwarden/react'
import { createSessionPlugin, useSession as useVueSession } from 'tokenwarden/vue'

const session = createSession({ authority: 'https://id.example.test', clientId: 'spa', redirectUri: 'https://app.example.test/cb' })
function Status() {
  return createElement('p', null, useSession().status)
}
const react = renderToString(createElement(SessionProvider, { session }, createElement(Status)))
const app = createSSRApp({
  setup() {
    const snapshot = useVueSession()
    return () => h('p', snapshot.value.status)
  },
}).use(createSessionPlugin(session))
const vue = await renderVueToString(app)
session.dispose()
console.log(JSON.stringify({ react, vue }))
`

interface Chunk {
  fileName: string
  isEntry: boolean
  isDynamicEntry: boolean
  imports: string[]
  dynamicImports: string[]
  moduleIds: string[]
}

let work: string
let app: string

/** Runs one of the app's installed tools (tsc, vue-tsc, vite) in the app; rejects with its output. */
async function tool(name: string, args: string[]) {
  try {
    return await run(join(app, 'node_modules/.bin', name), args, { cwd: app, env: npmEnv(), maxBuffer: 16 * 1024 * 1024 })
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${name} ${args.join(' ')} failed:\n${stdout}${stderr}`)
  }
}

describe('an app that installs the packed tarball', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tokenwarden-consumer-'))
    app = join(work, 'app')
    const tarball = packTarball(work)

    const files: Record<string, string> = {
      'package.json': json({ name: 'tokenwarden-consumer-app', private: true, type: 'module' }),
      'tsconfig.strict.json': json(strictApp),
      'vite.config.js': viteConfig,
      'quick-start.html': page('/src/quick-start.ts', 'app'),
      'react.html': page('/src/react.tsx', 'root'),
      'vue.html': page('/src/vue/main.ts', 'app'),
      'entries.mjs': entriesScript,
      'ssr.mjs': ssrScript,
      ...appSources(),
    }
    for (const [name, options] of Object.entries(resolutions)) {
      // tsc: the quick start and the React example; vue-tsc: the Vue example (.ts and .vue).
      files[`tsconfig.${name}.json`] = json({
        extends: './tsconfig.strict.json',
        compilerOptions: options,
        include: ['src/*.ts', 'src/*.tsx'],
      })
      files[`tsconfig.vue-${name}.json`] = json({ extends: `./tsconfig.${name}.json`, include: ['src/vue/**/*.ts', 'src/vue/**/*.vue'] })
    }
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(app, name)), { recursive: true })
      writeFileSync(join(app, name), text)
    }

    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--save-exact',
        tarball,
        ...appPackages.map((name) => `${name}@${lockedVersion(name)}`),
      ],
      { cwd: app, env: npmEnv(), stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 },
    )
  }, 600_000)

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  // Four compilers, two at a time: the machine has two cores.
  describe.concurrent('type-checks README', () => {
    it.each(Object.keys(resolutions))(
      'quick start and React example under strict, moduleResolution %s (tsc)',
      async (name) => {
        await tool('tsc', ['-p', `tsconfig.${name}.json`])
      },
      120_000,
    )

    it.each(Object.keys(resolutions))(
      'Vue example, main.ts and App.vue, under strict, moduleResolution %s (vue-tsc)',
      async (name) => {
        await tool('vue-tsc', ['-p', `tsconfig.vue-${name}.json`])
      },
      120_000,
    )
  })

  it('bundles them with Vite, oidc-client-ts and DPoP in chunks of their own loaded by import() only', async () => {
    await tool('vite', ['build', '--logLevel', 'warn'])
    const chunks = JSON.parse(readFileSync(join(app, 'chunks.json'), 'utf8')) as Chunk[]
    const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]))
    /** The modules a chunk loads before it runs: its own and those of its static imports. */
    const staticModules = (chunk: Chunk, seen = new Set<string>()): string[] => {
      if (seen.has(chunk.fileName)) return []
      seen.add(chunk.fileName)
      return [...chunk.moduleIds, ...chunk.imports.flatMap((file) => staticModules(byFile.get(file)!, seen))]
    }
    const isOidcClient = (id: string) => id.includes('/node_modules/oidc-client-ts/')
    const isPackageFile = (pattern: RegExp) => (id: string) => /\/node_modules\/tokenwarden\/dist\//.test(id) && pattern.test(id)

    const entries = chunks.filter((chunk) => chunk.isEntry)
    expect(entries.map((chunk) => chunk.fileName.replace(/-[\w-]{8}\.js$/, '')).sort()).toEqual([
      'assets/quick-start',
      'assets/react',
      'assets/vue',
    ])
    for (const entry of entries) {
      const loaded = staticModules(entry)
      expect(loaded.some(isPackageFile(/\/index\.js$/)), `${entry.fileName} bundles the core`).toBe(true)
      expect(loaded.filter(isOidcClient), `${entry.fileName} loads no oidc-client-ts at start`).toEqual([])
      expect(
        loaded.filter(isPackageFile(/\/(oidc|dpop|idle)-[\w-]+\.js$/)),
        `${entry.fileName} loads none of these chunks at start`,
      ).toEqual([])
      expect(loaded.filter(isPackageFile(/\/testing\.js$/)), `${entry.fileName} bundles none of the test kit`).toEqual([])
    }
    for (const [name, pattern] of [
      ['oidc', /\/oidc-[\w-]+\.js$/],
      ['dpop', /\/dpop-[\w-]+\.js$/],
      ['idle', /\/idle-[\w-]+\.js$/],
    ] as const) {
      const chunk = chunks.find((candidate) => candidate.moduleIds.some(isPackageFile(pattern)))
      expect(chunk, `a chunk with tokenwarden's ${name} part`).toBeDefined()
      expect(chunk!.isDynamicEntry && !chunk!.isEntry, `${chunk!.fileName} is loaded by import()`).toBe(true)
      if (name === 'oidc') expect(staticModules(chunk!).some(isOidcClient), 'oidc-client-ts comes with the oidc chunk').toBe(true)
    }
  }, 120_000)

  it('imports and requires every entry of the exports map under Node, without a browser global', async () => {
    const { stdout } = await run(process.execPath, ['entries.mjs'], { cwd: app })
    const result = JSON.parse(stdout) as {
      entries: string[]
      imported: Record<string, string[]>
      required: Record<string, string[]>
      status: string
    }
    expect(result.entries).toEqual(
      expect.arrayContaining(['tokenwarden', 'tokenwarden/react', 'tokenwarden/vue', 'tokenwarden/angular', 'tokenwarden/testing']),
    )
    expect(result.imported.tokenwarden).toEqual(
      expect.arrayContaining(['createSession', 'revokeToken', 'TokenwardenError', 'isTokenwardenError']),
    )
    expect(result.imported['tokenwarden/react']).toEqual(
      expect.arrayContaining(['SessionProvider', 'useSession', 'useAccessToken', 'useLogout']),
    )
    expect(result.imported['tokenwarden/vue']).toEqual(
      expect.arrayContaining(['createSessionPlugin', 'useSession', 'useAccessToken', 'useLogout']),
    )
    expect(result.imported['tokenwarden/testing']).toEqual(
      expect.arrayContaining(['createTestAuthority', 'createTestClock', 'createChannelHub']),
    )
    // CommonJS gets the same module (require(esm), Node 20.19 and later: the engines range).
    expect(result.required).toEqual(result.imported)
    expect(result.status).toBe('loading')
  }, 60_000)

  it('renders `loading` on the server through tokenwarden/react (react-dom/server) and tokenwarden/vue', async () => {
    const { stdout } = await run(process.execPath, ['ssr.mjs'], { cwd: app })
    const html = JSON.parse(stdout) as { react: string; vue: string }
    expect(html.react).toBe('<p>loading</p>')
    expect(html.vue).toBe('<p>loading</p>')
  }, 60_000)
})
