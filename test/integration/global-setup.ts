/** Starts the real platform once for every integration suite (slow suites share it). */
import { createLogger } from '../../lib/log';
import { createContext, up } from '../../orchestrator/platform/platform';
import { applyTestPlatformEnv } from './env';

export default async function globalSetup(): Promise<void> {
  applyTestPlatformEnv();
  const log = createLogger({ level: 'info' });
  log.info(`starting the test platform in ${process.env.SLUICE_HOME} (port base ${process.env.SLUICE_PORT_BASE})`, {
    component: 'test',
  });
  await up(createContext(process.env, log));
}
