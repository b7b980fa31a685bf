/** `sluice up` / `sluice down`: the whole platform with its pipeline, in one command (what `npm start` runs). */
import type { CommandModule } from 'yargs';
import { createContext, down, renderStatus, status, up } from '../platform/platform';
import { deployPipeline } from './pipeline';

export const upCommand: CommandModule<object, { spec: string }> = {
  command: 'up',
  describe: 'Start the local platform and apply the pipeline spec',
  builder: (y) => y.option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the pipeline spec to apply' }),
  handler: async (argv) => {
    const ctx = createContext();
    await up(ctx);
    await deployPipeline(ctx, argv.spec, { log: ctx.log, print: (text) => process.stdout.write(`${text}\n`) });
    process.stdout.write(`\n${renderStatus(await status(ctx))}\n\nThe platform is up. Load its settings into a shell with:\n  eval "$(npx sluice platform env)"\n`);
  },
};

export const downCommand: CommandModule = {
  command: 'down',
  describe: 'Stop the local platform (data is kept)',
  handler: async () => {
    await down(createContext());
  },
};
