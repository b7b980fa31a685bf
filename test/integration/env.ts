/**
 * The platform the integration tests share: its own data dir and port base, so `npm test` never touches
 * a platform a developer started with `npm start`. The install cache is shared (nothing is downloaded twice).
 *
 * SLUICE_TEST_HOME names a test platform that another checkout started and keeps running (a second clone
 * on the same machine runs its suites against it): the global setup then only adopts it, never starting,
 * configuring or stopping anything (global-setup.ts, global-teardown.ts).
 */
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';

export const TEST_PORT_BASE = '31000';

/** Whether the suites run on a platform another checkout owns (SLUICE_TEST_HOME). */
export function adoptsOnly(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.SLUICE_TEST_HOME);
}

/**
 * Whether the suites selected need no platform at all (SLUICE_TEST_NO_PLATFORM=1), as
 * test-hosts.int.test.ts: the global setup then neither starts nor adopts one, and a suite that needs one fails.
 */
export function needsNoPlatform(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SLUICE_TEST_NO_PLATFORM === '1';
}

export function applyTestPlatformEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (env.SLUICE_TEST_HOME) env.SLUICE_HOME = env.SLUICE_TEST_HOME;
  else env.SLUICE_HOME ??= join(repoRoot(), '.sluice', 'test-platform');
  env.SLUICE_PORT_BASE ??= TEST_PORT_BASE;
}
