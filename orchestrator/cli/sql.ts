/**
 * `sluice sql` and `sluice query`: SQL for people, the counterpart of ksqlDB's CLI. Both start from the
 * tables the pipeline spec defines (sql.tables), filled with the platform's settings.
 *   sluice sql                  Flink's SQL client in gateway mode, every table already defined
 *   sluice query "SELECT …"     streams the query's rows to the terminal until it ends or Ctrl-C
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { fillPlaceholders } from '../lib/sql/statements';
import {
  flinkAdmin,
  flinkClasspath,
  flinkConfDir,
  flinkEnv,
  flinkJvmOptions,
  sqlPlaceholders,
} from '../platform/components/flink';
import { writePrivateFile } from '../lib/secrets';
import { createContext } from '../platform/platform';
import type { PlatformContext } from '../platform/component';
import { loadSpec } from '../spec';
import type { HttpFlinkAdmin } from '../clients/flink';

function requireFlink(ctx: PlatformContext): HttpFlinkAdmin {
  const flink = flinkAdmin(ctx);
  if (!flink)
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `Flink of ${ctx.paths.home} is not running`, {
      fix: 'start the platform: npm start (or npx sluice platform up)',
    });
  return flink;
}

export const sqlCommand: CommandModule<object, { spec: string }> = {
  command: 'sql',
  describe: "Open Flink's SQL client on the SQL Gateway, with every table of the spec defined",
  builder: (y) =>
    y.option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the spec whose sql.tables to define' }),
  handler: async (argv) => {
    const ctx = createContext();
    requireFlink(ctx);
    const statements = loadSpec(argv.spec).sqlTables;
    const placeholders = sqlPlaceholders(ctx);
    // The init file holds the registry password once filled in: mode 0600, beside Flink's own config.
    const init = join(flinkConfDir(ctx), 'sql-client-init.sql');
    writePrivateFile(
      init,
      `${statements.map((s) => `${fillPlaceholders(s, placeholders, 'sql.tables')};`).join('\n\n')}\n`,
    );
    const child = spawn(
      'java',
      [
        ...flinkJvmOptions(ctx),
        '-cp',
        flinkClasspath(ctx, true),
        'org.apache.flink.table.client.SqlClient',
        'gateway',
        '--endpoint',
        `${ctx.host}:${ctx.ports.flink.gateway}`,
        '--init',
        init,
      ],
      { stdio: 'inherit', env: flinkEnv(ctx) },
    );
    process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  },
};

export const queryCommand: CommandModule<object, { sql: string; spec: string; json?: boolean }> = {
  command: 'query <sql>',
  describe: 'Run a SELECT on the streaming tables and print its rows until it ends or Ctrl-C',
  builder: (y) =>
    y
      .positional('sql', {
        type: 'string',
        demandOption: true,
        describe: 'the query, e.g. "SELECT device_id, temperature_c FROM iot_readings"',
      })
      .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the spec whose sql.tables to define' })
      .option('json', { type: 'boolean', describe: 'one JSON object per row (with its changelog kind)' }) as never,
  handler: async (argv) => {
    const ctx = createContext();
    const flink = requireFlink(ctx);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A closed pipe (`… | head`) ends the query like Ctrl-C, so its Flink job is cancelled too.
    process.stdout.on('error', stop);
    let header = false;
    await flink.query(
      loadSpec(argv.spec).sqlTables,
      argv.sql,
      (row) => {
        if (controller.signal.aborted) return;
        if (argv.json) {
          process.stdout.write(`${JSON.stringify({ kind: row.kind, ...row.values })}\n`);
          return;
        }
        if (!header) {
          process.stdout.write(`${['op', ...Object.keys(row.values)].join('\t')}\n`);
          header = true;
        }
        const op = { INSERT: '+I', UPDATE_BEFORE: '-U', UPDATE_AFTER: '+U', DELETE: '-D' }[row.kind] ?? row.kind;
        process.stdout.write(
          `${[op, ...Object.values(row.values).map((v) => (v === null ? 'NULL' : String(v)))].join('\t')}\n`,
        );
      },
      controller.signal,
    );
  },
};
