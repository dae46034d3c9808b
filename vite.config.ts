import { configDefaults, defineConfig } from 'vitest/config'
import { sourceAliases } from './dev/sources.js'
import pkg from './package.json' with { type: 'json' }

// Every dependency and peer stays external: apps bundle them once, and our size budget
// measures them separately (bench/size.ts).
// E2E_ENGINES=webkit (or firefox, or chromium, or a comma list) runs the browser suites in
// those engines only, for local work; `npm test` runs all three.
const allEngines = ['chromium', 'firefox', 'webkit'] as const
const engines = process.env.E2E_ENGINES
  ? allEngines.filter((engine) =>
      process.env
        .E2E_ENGINES!.split(',')
        .map((name) => name.trim())
        .includes(engine),
    )
  : allEngines
if (engines.length === 0) throw new Error(`E2E_ENGINES=${process.env.E2E_ENGINES} names none of ${allEngines.join(', ')}`)

const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]

// The bindings import the core by its package name, as apps do, and README's examples import
// the subpaths: in the unit and profile tests those are the sources (dev/sources.ts).
const unitAliases = sourceAliases

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: {
        index: 'src/index.ts',
        react: 'src/react/index.ts',
        vue: 'src/vue/index.ts',
        angular: 'src/angular/index.ts',
        testing: 'src/testing/index.ts',
        'testing-jest-setup': 'src/testing/jest-setup.ts',
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)) || id === 'tokenwarden',
      // A module that an entry imports and a lazy chunk imports too stays in the entry, which
      // then exports it to the chunk under a short internal name, instead of becoming a file of
      // its own that every app downloads at start anyway (lib mode's default, 'strict').
      preserveEntrySignatures: 'allow-extension',
    },
  },
  test: {
    // e2e/engine-reporter.ts: time per engine, and the README's browser table from the run.
    reporters: ['default', './e2e/engine-reporter.ts'],
    projects: [
      {
        extends: true,
        resolve: { alias: unitAliases },
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['test/**/*.test.{ts,tsx}'],
          // Their own projects below: plain Node, and Jest.
          exclude: [...configDefaults.exclude, 'test/ssr/**', 'test/jest/**'],
          setupFiles: ['test/setup.ts'],
        },
      },
      {
        extends: true,
        // The test kit promises jsdom as well as happy-dom: the README's app tests and the
        // kit's own tests run again under jsdom.
        resolve: { alias: unitAliases },
        test: {
          name: 'unit-jsdom',
          environment: 'jsdom',
          include: ['test/readme/*.test.{ts,tsx}', 'test/testing.test.ts', 'test/events.test.ts'],
          setupFiles: ['test/setup-error-watch.ts'],
        },
      },
      {
        extends: true,
        resolve: { alias: unitAliases },
        test: {
          // Server rendering: each binding renders to a string in plain Node (no window, no
          // IndexedDB) and leaves no timer, request or storage behind.
          name: 'ssr',
          environment: 'node',
          include: ['test/ssr/*.test.{ts,tsx}'],
        },
      },
      {
        extends: true,
        test: {
          // README's app tests under Jest 30 (jest.config.js): one Jest run, each of its tests
          // reported here.
          name: 'jest',
          environment: 'node',
          include: ['test/jest/run-jest.test.ts'],
          // After the other projects' first group, alone: Jest's run shares no cores with them
          // (README's Vue example waits for a refresh on WebCrypto's threads; loaded, it is late).
          sequence: { groupOrder: engines.length + 2 },
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // End to end without a browser: the dev server itself, the built package. Last, with
          // the size budgets: packing, installing and type-checking an app takes both cores, and
          // beside the unit and browser suites it would slow their timing-sensitive tests.
          name: 'e2e',
          environment: 'node',
          include: ['e2e/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: engines.length + 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The browser suites (e2e/browser/), once per engine: the same files, the engine
      // provided to the harness. One engine after another (sequence.groupOrder), after the
      // other projects, one file at a time: real servers and browsers on two cores.
      ...engines.map((engine, index) => ({
        extends: true as const,
        test: {
          name: `e2e-${engine}`,
          environment: 'node',
          include: ['e2e/browser/**/*.test.ts'],
          provide: { engine },
          fileParallelism: false,
          sequence: { groupOrder: index + 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // A real browser on two busy cores now and then stalls for good (a WebDriver command
          // that never answers): such a test gets one more run, which Vitest's output shows.
          // A test that fails twice fails the suite.
          retry: 1,
        },
      })),
      {
        extends: true,
        // profiles.test.ts drives logout() through the test kit, which imports the core by
        // its package name: the sources here, never a dist/ that a clean checkout lacks.
        resolve: { alias: unitAliases },
        test: {
          // Revocation against loopback servers that behave as Keycloak, Auth0, Cognito, Google,
          // Entra ID and Okta document (profiles/profiles.ts), over real HTTP with Node's fetch.
          name: 'profiles',
          environment: 'node',
          include: ['profiles/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          // Bundle-size budgets, the lifecycle next to six other libraries and the source-map
          // breakdown (bench/size.ts): about a dozen Vite builds in Node, a few seconds.
          name: 'size',
          environment: 'node',
          include: ['bench/**/*.test.ts'],
          sequence: { groupOrder: engines.length + 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
