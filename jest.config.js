/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // One Postgres for the whole run (embedded unless DATABASE_URL is set); each test file creates its own database.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Time-skipping is global to a server and Postgres is shared: files run one at a time (--runInBand).
  testTimeout: 60_000,
  // ts-jest only transpiles, because tsconfig.json sets isolatedModules; `npm run typecheck` checks the types.
  transform: { '^.+\\.ts$': 'ts-jest' },
};
