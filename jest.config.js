// Jest 30 with its jsdom environment: README's "Testing your app" examples (the React and Vue
// files of test/readme/, the same files Vitest runs, their `vitest` import mapped to Jest's
// globals) run under Jest as an app's tests would, with the kit's setup file. `npm test` runs
// it through test/jest/run-jest.test.ts.
/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/test/readme/{react,vue}-app.test.{ts,tsx}'],
  // What an app writes as 'tokenwarden/testing/jest-setup'; here, the source.
  setupFiles: ['<rootDir>/src/testing/jest-setup.ts'],
  transform: { '\\.(ts|tsx|js|mjs)$': '<rootDir>/test/jest/transform.cjs' },
  // ESM-only packages Jest must transform to CommonJS (an app lists tokenwarden here too).
  transformIgnorePatterns: ['/node_modules/(?!(ky|idb-keyval|oidc-client-ts)/)'],
  moduleNameMapper: {
    // The examples import their test functions from Vitest; under Jest they are Jest's own.
    '^vitest$': '<rootDir>/test/jest/vitest-globals.cjs',
    '^tokenwarden$': '<rootDir>/src/index.ts',
    '^tokenwarden/(react|vue|angular|testing)$': '<rootDir>/src/$1/index.ts',
    // The sources import each other with .js (verbatimModuleSyntax, Node's ESM rule).
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // Vue's full build (with the template compiler) for the example's template string, as Vitest's alias.
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons'] },
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
}
