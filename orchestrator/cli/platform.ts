/** `sluice platform up | down | status | logs | reset | env`: the local launcher. */
import type { Argv, CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { adminIdentity, clientEnvironment, exportLines, principalIdentity, toolsBinDir } from '../platform/client-env';
import {
  componentNamed,
  components,
  createContext,
  down,
  logs,
  renderStatus,
  reset,
  status,
  up,
} from '../platform/platform';
import { runInForeground } from '../platform/foreground';
import { ensureSystemCommands } from '../platform/install/system';
import { runSupervisor } from '../platform/supervisor/run';
import { SUPERVISOR } from '../platform/supervisor/client';
import { QUERY_KAFKA_SECRET, writeQueryLogin } from '../platform/components/flink-query';
import { targetClientEnvironment } from '../targets/env';
import { LOCAL_TARGET, TARGET_NAME_PATTERN } from '../targets/schema';
import { localTargetEntry } from '../targets/target';
import { writeTargetEntry } from '../targets/targets-file';
import { targetOf, targetsFileOf, withTargetOptions, type TargetArgs } from './target-option';

const TARGET_NAME = new RegExp(TARGET_NAME_PATTERN);

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

/** `--write-target NAME`: the local platform as an entry of the targets file (docs/decisions/0022). */
function writeLocalTarget(name: string, file: string): void {
  const ctx = createContext();
  if (ctx.secrets.read(adminIdentity.secret) === undefined) {
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      `no credentials for '${adminIdentity.user}' in ${ctx.paths.secrets}`,
      {
        fix: 'run: npx sluice platform up',
      },
    );
  }
  if (!TARGET_NAME.test(name)) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `'${name}' cannot name a target`, {
      fix: `lower-case letters, digits, '.', '_' and '-', and not '${LOCAL_TARGET}'`,
    });
  }
  // The query principal's login file, which the entry names for sluice sql and query, once it has a password.
  if (ctx.secrets.read(QUERY_KAFKA_SECRET) !== undefined) writeQueryLogin(ctx);
  writeTargetEntry(file, name, localTargetEntry(ctx));
  process.stdout.write(`Wrote target ${name} (the local platform of ${ctx.paths.home}) to ${file}\n`);
}

const envCommand: CommandModule<object, TargetArgs & { user?: string; 'write-target'?: string }> = {
  command: 'env',
  describe: 'Print export lines for a shell (eval "$(sluice platform env)") and write client configs',
  builder: (y) =>
    withTargetOptions(y)
      .option('user', { type: 'string', describe: 'a principal of the pipeline instead of the admin' })
      .option('write-target', {
        type: 'string',
        describe: 'instead, write the local platform as this entry of the targets file (--targets-file)',
      }) as never,
  handler: (argv) => {
    if (argv['write-target'] !== undefined) {
      if (argv.target !== undefined || argv.user !== undefined)
        throw new SluiceError(
          'SLUICE_CONFIG_INVALID',
          '--write-target writes the local platform: it takes no --target or --user',
          {
            fix: 'run it without --target and --user',
          },
        );
      writeLocalTarget(argv['write-target'], targetsFileOf(argv));
      return;
    }
    if (argv.target !== undefined && argv.target !== LOCAL_TARGET) {
      const target = targetOf(argv);
      const vars = targetClientEnvironment(
        target,
        argv.user ? principalIdentity(argv.user) : undefined,
        createContext().paths.clients,
      );
      process.stdout.write(`${exportLines(vars)}\n`);
      return;
    }
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

/**
 * What a container that runs components one each needs (docker-compose.components.yml): the servers
 * installed into the cache once, one component in the foreground, and a health probe.
 */
const installCommand: CommandModule<object, { components?: string[] }> = {
  command: 'install [components..]',
  describe: 'Install the servers of every component (or the named ones) into the cache; starts nothing',
  builder: (y) => y.positional('components', { type: 'string', array: true, describe: 'only these components' }),
  handler: async (argv) => {
    const ctx = createContext();
    await ensureSystemCommands(ctx.log);
    for (const c of argv.components?.length ? argv.components.map(componentNamed) : components) {
      const reason = await c.unavailable?.(ctx);
      if (reason) ctx.log.info(`skipped: ${reason}`, { component: c.name });
      else await c.install(ctx);
    }
  },
};

const runCommand: CommandModule<object, { component: string }> = {
  command: 'run <component>',
  describe:
    "Run one component in the foreground (a container's main process): configure, start, wait until ready; stop it on SIGTERM or SIGINT",
  builder: (y) => y.positional('component', { type: 'string', demandOption: true }),
  handler: async (argv) => {
    const ctx = createContext();
    const component = componentNamed(argv.component);
    const run = await runInForeground(ctx, component);
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
    });
    let first: 'ready' | 'exited' | NodeJS.Signals;
    try {
      first = await Promise.race([
        run.ready.then(() => 'ready' as const),
        run.exited.then(() => 'exited' as const),
        signalled,
      ]);
    } catch (error) {
      await run.stop(); // never ready: stopped, and the container's restart policy decides what next
      throw error;
    }
    if (first !== 'ready' && first !== 'exited') ctx.log.info(`${first}: stopping`, { component: component.name });
    const code =
      first === 'ready' ? await Promise.race([run.exited, signalled.then(() => run.stop())]) : await run.stop();
    process.exitCode = code;
  },
};

const healthCommand: CommandModule<object, { component: string }> = {
  command: 'health <component>',
  describe: "Exit 0 when the component answers its health probe, 1 when not (a container's healthcheck)",
  builder: (y) => y.positional('component', { type: 'string', demandOption: true }),
  handler: async (argv) => {
    const healthy = await componentNamed(argv.component).healthy(createContext());
    process.stdout.write(`${argv.component}: ${healthy ? 'healthy' : 'not healthy'}\n`);
    process.exitCode = healthy ? 0 : 1;
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
      .command(installCommand)
      .command(runCommand)
      .command(healthCommand)
      .demandCommand(1),
  handler: () => undefined,
};
