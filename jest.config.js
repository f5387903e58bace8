/** Jest: TypeScript through ts-jest (type errors are caught by `npm run typecheck`, so tests only transpile). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // A live MongoDB-protocol server (FerretDB, or MONGODB_URI) for the MongoDB tests.
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 30000,
};
