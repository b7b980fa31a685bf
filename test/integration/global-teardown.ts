/** Stops the test platform unless SLUICE_TEST_KEEP=1 (handy when iterating on one suite). */
import { createLogger } from '../../lib/log';
import { createContext, down } from '../../orchestrator/platform/platform';
import { applyTestPlatformEnv } from './env';

export default async function globalTeardown(): Promise<void> {
  applyTestPlatformEnv();
  if (process.env.SLUICE_TEST_KEEP === '1') return;
  await down(createContext(process.env, createLogger({ level: 'warn' })));
}
