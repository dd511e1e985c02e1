/** Tests drive the real HTTP server against a real database (SQLite by default, MariaDB when
 * DATABASE_URL points at one), each test file gets its own fresh database and files run in parallel.
 *
 * Two projects: `fast` is `npm test`; `slow` (`npm run test:slow`) holds the suites that run for
 * minutes by design - random fuzzing, real process faults (kill -9, SIGTERM), replicas meeting
 * through Redis. CI runs both on both databases. */
const SLOW = ['fuzz', 'faults-process', 'subscriptions-replicas'].map((name) => `<rootDir>/test/${name}.test.ts`);

const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  setupFiles: ['reflect-metadata'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    // graphql-upload and fs-capacitor ship ESM only: Jest on Node 20 needs them as CommonJS.
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', esModuleInterop: true }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(graphql-upload|fs-capacitor)/)'],
};

module.exports = {
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    { ...base, displayName: 'fast', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: SLOW },
    { ...base, displayName: 'slow', testMatch: SLOW },
  ],
};
