/**
 * `node --require tsx/cjs test/hosts/watchdog.ts <id> <record>`, started detached by hosts.ts for each run:
 * removes what the run made once its owner process is gone, then exits; exits at once when the owner
 * removed it all itself. The record's path is in the command line so that only this process is taken
 * for the run's watchdog.
 */
import { watchRun } from './hosts';

watchRun(process.argv[2]!).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
