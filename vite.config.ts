import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import pkg from './package.json' with { type: 'json' }

// Every dependency and peer stays external: apps bundle them once, and our size budget
// measures them separately (bench/size.js).
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
]

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
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)) || id === 'tokenwarden',
    },
  },
  test: {
    projects: [
      {
        extends: true,
        // The bindings import the core by its package name, as apps do; here that is the source.
        resolve: { alias: [{ find: /^tokenwarden$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['test/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          // Real servers and a real browser on two cores: one file at a time, generous bounds.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
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
          // Bundle-size budgets (bench/size.js): builds with Vite in Node.
          name: 'size',
          environment: 'node',
          include: ['bench/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
