// Tiers (CONTRIBUTING.md, "Tests"): `unit` (*.test.ts beside the code, no servers) and three integration
// tiers that share one real platform, started once by the global setup (each tier's setup finds it running
// and adopts it):
// - contract: every *.int.test.ts except the two below: each server's and each SQL job's contract;
// - deployment: the Ansible play run for real (test/integration/ansible.int.test.ts), and Ansible over SSH
//   on test hosts, network namespaces the test makes (test-hosts.int.test.ts: needs no platform, so
//   SLUICE_TEST_NO_PLATFORM=1 runs it alone without one);
// - faults: test/integration/faults/, which kill and restart servers, so they run last (sequencer.js).
// `npm run test:integration` runs the three in one jest run (one platform); `npm run test:<tier>` one.
// The run ends with --forceExit (package.json): after the global teardown has stopped the platform, a
// client of some suite may still hold a socket or a timer open, and a run that never ends would hang CI.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const ignored = ['/node_modules/', '/dist/', '/.sluice/'];

function integrationTier(displayName, testMatch, extraIgnored = []) {
  return {
    displayName,
    testEnvironment: 'node',
    transform,
    testMatch,
    testPathIgnorePatterns: [...ignored, ...extraIgnored],
    globalSetup: '<rootDir>/test/integration/global-setup.ts',
    globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    setupFilesAfterEnv: ['<rootDir>/test/integration/setup.ts'],
  };
}

module.exports = {
  testSequencer: '<rootDir>/test/integration/sequencer.js',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, '\\.int\\.test\\.ts$'],
    },
    integrationTier(
      'contract',
      ['<rootDir>/**/*.int.test.ts'],
      ['/faults/', '/ansible\\.int\\.test\\.ts$', '/test-hosts\\.int\\.test\\.ts$'],
    ),
    integrationTier('deployment', [
      '<rootDir>/test/integration/ansible.int.test.ts',
      '<rootDir>/test/integration/test-hosts.int.test.ts',
    ]),
    integrationTier('faults', ['<rootDir>/test/integration/faults/*.int.test.ts']),
  ],
};
