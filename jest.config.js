/** Tests drive the real HTTP server against a real database (SQLite by default, MariaDB when
 * DATABASE_URL points at one), so suites run one at a time to keep database state predictable. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // graphql-upload and fs-capacitor ship ESM only; let ts-jest transpile them.
  transformIgnorePatterns: ['/node_modules/(?!(graphql-upload|fs-capacitor)/)'],
  maxWorkers: 1,
  testTimeout: 30000,
};
