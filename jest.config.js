// Two tiers, named as ENGINEERING.md asks: unit tests (*.test.ts) need no servers;
// integration tests (*.int.test.ts) share one real platform started by the global setup. The
// integration run ends with --forceExit (package.json): after the global teardown has stopped the
// platform, a client of some suite may still hold a socket or a timer open, and a run that never ends
// would hang CI.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
module.exports = {
  testSequencer: '<rootDir>/test/integration/sequencer.js',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.sluice/', '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.sluice/'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/integration/setup.ts'],
    },
  ],
};
