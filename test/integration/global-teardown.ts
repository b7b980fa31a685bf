/** Stops the test platform unless SLUICE_TEST_KEEP=1 (handy when iterating on one suite) or it was only adopted. */
import { createLogger } from '../../lib/log';
import { createContext, down } from '../../orchestrator/platform/platform';
import { adoptsOnly, applyTestPlatformEnv, needsNoPlatform } from './env';

export default async function globalTeardown(): Promise<void> {
  applyTestPlatformEnv();
  if (process.env.SLUICE_TEST_KEEP === '1' || adoptsOnly() || needsNoPlatform()) return;
  await down(createContext(process.env, createLogger({ level: 'warn' })));
}
