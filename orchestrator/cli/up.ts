/** `sluice up` / `sluice down`: the whole platform with its pipeline, in one command (what `npm start` runs). */
import type { CommandModule } from 'yargs';
import { messageOf } from '../../lib/errors';
import { createContext, down, renderStatus, status, up, workloads } from '../platform/platform';
import { ensureSupervisor } from '../platform/supervisor/client';
import { deployPipeline } from './pipeline';

/** How often `--foreground` checks that the supervisor daemon still runs. */
const SUPERVISOR_CHECK_MS = 5_000;

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}

export const upCommand: CommandModule<object, { spec: string; simulators: boolean; foreground: boolean }> = {
  command: 'up',
  describe: 'Start the local platform, apply the pipeline spec and start the demo simulators',
  builder: (y) =>
    y
      .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the pipeline spec to apply' })
      .option('simulators', {
        type: 'boolean',
        default: true,
        describe: 'start the demo simulators (--no-simulators: platform and pipeline only)',
      })
      .option('foreground', {
        type: 'boolean',
        default: false,
        describe:
          "stay in the foreground, keep the supervisor running, and stop the platform on SIGINT or SIGTERM (a container's or a service's main process)",
      }),
  handler: async (argv) => {
    const ctx = createContext();
    await up(ctx);
    await deployPipeline(ctx, argv.spec, { log: ctx.log, print: (text) => process.stdout.write(`${text}\n`) });
    // After the deploy: the simulators need their principals and registered schemas.
    if (argv.simulators)
      await up(
        ctx,
        workloads.map((w) => w.name),
      );
    process.stdout.write(
      `\n${renderStatus(await status(ctx))}\n\nThe platform is up. Load its settings into a shell with:\n  eval "$(npx sluice platform env)"\n`,
    );
    if (!argv.foreground) return;
    // The main process of a container or a unit supervises the supervisor: the daemon restarts the
    // components, and this loop restarts the daemon.
    const keeper = setInterval(() => {
      ensureSupervisor(ctx).catch((error: unknown) =>
        ctx.log.error(`could not start the supervisor: ${messageOf(error)}`, { component: 'platform' }),
      );
    }, SUPERVISOR_CHECK_MS);
    const signal = await untilSignalled();
    clearInterval(keeper);
    ctx.log.info(`${signal}: stopping the platform`, { component: 'platform' });
    await down(ctx);
  },
};

export const downCommand: CommandModule = {
  command: 'down',
  describe: 'Stop the local platform (data is kept)',
  handler: async () => {
    await down(createContext());
  },
};
