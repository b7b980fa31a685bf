/** `sluice platform up | down | status | logs | reset | env`: the local launcher. */
import type { Argv, CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { adminIdentity, clientEnvironment, exportLines, principalIdentity, toolsBinDir } from '../platform/client-env';
import { components, createContext, down, logs, renderStatus, reset, status, up } from '../platform/platform';
import { runSupervisor } from '../platform/supervisor/run';
import { SUPERVISOR } from '../platform/supervisor/client';

const upCommand: CommandModule<object, { components?: string[] }> = {
  command: 'up [components..]',
  describe: 'Install, configure and start the platform (or the named components); idempotent',
  builder: (y) => y.positional('components', { type: 'string', array: true, describe: 'only these components' }),
  handler: async (argv) => {
    await up(createContext(), argv.components);
  },
};

const downCommand: CommandModule<object, { components?: string[] }> = {
  command: 'down [components..]',
  describe: 'Stop every component (or the named ones), graceful then kill; data is kept',
  builder: (y) => y.positional('components', { type: 'string', array: true, describe: 'only these components' }),
  handler: async (argv) => {
    await down(createContext(), argv.components);
  },
};

const statusCommand: CommandModule<object, { json?: boolean }> = {
  command: 'status',
  describe: 'Show each component with its pid, ports and health',
  builder: (y) => y.option('json', { type: 'boolean', describe: 'machine-readable output' }),
  handler: async (argv) => {
    const rows = await status(createContext());
    process.stdout.write(`${argv.json ? JSON.stringify(rows, null, 2) : renderStatus(rows)}\n`);
  },
};

const logsCommand: CommandModule<object, { component: string; lines: number }> = {
  command: 'logs <component>',
  describe: "Print the last lines of a component's log",
  builder: (y) =>
    y
      .positional('component', {
        type: 'string',
        demandOption: true,
        describe: `one of: ${[...components.map((c) => c.name), SUPERVISOR].join(', ')}`,
      })
      .option('lines', { alias: 'n', type: 'number', default: 100, describe: 'how many of the last lines' }),
  handler: (argv) => {
    process.stdout.write(`${logs(createContext(), argv.component, argv.lines)}\n`);
  },
};

const resetCommand: CommandModule<object, { yes?: boolean }> = {
  command: 'reset',
  describe: 'Stop everything and delete all data, certificates and secrets (the install cache stays)',
  builder: (y) => y.option('yes', { type: 'boolean', describe: 'confirm the deletion' }),
  handler: async (argv) => {
    await reset(createContext(), argv.yes === true);
  },
};

const envCommand: CommandModule<object, { user?: string }> = {
  command: 'env',
  describe: 'Print export lines for a shell (eval "$(sluice platform env)") and write client configs',
  builder: (y) => y.option('user', { type: 'string', describe: 'a principal of the pipeline instead of the admin' }),
  handler: (argv) => {
    const ctx = createContext();
    const identity = argv.user ? principalIdentity(argv.user) : adminIdentity;
    if (ctx.secrets.read(identity.secret) === undefined) {
      throw new SluiceError(
        argv.user ? 'SLUICE_CONFIG_INVALID' : 'SLUICE_PLATFORM_NOT_RUNNING',
        `no credentials for '${identity.user}' in ${ctx.paths.secrets}`,
        {
          fix: argv.user
            ? 'declare the principal in pipeline.yaml and run npm run deploy-pipeline'
            : 'run: npx sluice platform up',
        },
      );
    }
    process.stdout.write(`${exportLines(clientEnvironment(ctx, identity), toolsBinDir(ctx))}\n`);
  },
};

/** The supervisor daemon that `up` starts (not for people to run: `up` and `down` manage it). */
const superviseCommand: CommandModule = {
  command: 'supervise',
  describe: false,
  handler: async () => {
    const ctx = createContext();
    const running = await runSupervisor(ctx, components);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
    });
    ctx.log.info(`${signal}: no longer supervising (the components keep running)`, { component: 'supervisor' });
    await running.close();
  },
};

export const platformCommand: CommandModule = {
  command: 'platform <command>',
  describe: 'Run the local platform (no Docker): up, down, status, logs, reset, env',
  builder: (y: Argv) =>
    y
      .command(upCommand)
      .command(downCommand)
      .command(statusCommand)
      .command(logsCommand)
      .command(resetCommand)
      .command(envCommand)
      .command(superviseCommand)
      .demandCommand(1),
  handler: () => undefined,
};
