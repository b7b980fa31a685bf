/**
 * The platform the integration tests share: its own data dir and port base, so `npm test` never touches
 * a platform a developer started with `npm start`. The install cache is shared (nothing is downloaded twice).
 */
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';

export const TEST_PORT_BASE = '31000';

export function applyTestPlatformEnv(env: NodeJS.ProcessEnv = process.env): void {
  env.SLUICE_HOME ??= join(repoRoot(), '.sluice', 'test-platform');
  env.SLUICE_PORT_BASE ??= TEST_PORT_BASE;
}
