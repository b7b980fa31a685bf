/** Starts the real platform once for every integration suite (slow suites share it). */
import { createLogger } from '../../lib/log';
import { assertKafkaRunning } from '../../orchestrator/platform/admin';
import { createContext, up } from '../../orchestrator/platform/platform';
import { adoptsOnly, applyTestPlatformEnv, needsNoPlatform } from './env';

export default async function globalSetup(): Promise<void> {
  applyTestPlatformEnv();
  const log = createLogger({ level: 'info' });
  if (needsNoPlatform()) {
    log.info('SLUICE_TEST_NO_PLATFORM=1: no test platform started or adopted', { component: 'test' });
    return;
  }
  const ctx = createContext(process.env, log);
  if (adoptsOnly()) {
    // Another checkout's platform: adopted as it is (its configuration is that checkout's), never started.
    assertKafkaRunning(ctx);
    log.info(`adopting the running test platform of ${ctx.paths.home} (port base ${ctx.ports.base})`, {
      component: 'test',
    });
    return;
  }
  log.info(`starting the test platform in ${process.env.SLUICE_HOME} (port base ${process.env.SLUICE_PORT_BASE})`, {
    component: 'test',
  });
  await up(ctx);
}
