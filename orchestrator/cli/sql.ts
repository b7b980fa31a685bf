/**
 * `sluice sql` and `sluice query`: SQL for people, the counterpart of ksqlDB's CLI. Both start from the
 * tables the pipeline spec defines (sql.tables), filled with the platform's settings.
 *   sluice sql                  a SQL shell on the gateway, every table already defined (--flink-client:
 *                               Flink's own SQL client, quiet)
 *   sluice query "SELECT …"     streams the query's rows to the terminal until it ends or Ctrl-C
 * Both read as the read-only principal sluice-query, from each topic's earliest record, and no secret is
 * part of what they send or print (orchestrator/platform/components/flink-query.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { SluiceError, isSluiceError } from '../../lib/errors';
import { queryTableStatements } from '../lib/sql/query-tables';
import { fillPlaceholders } from '../lib/sql/statements';
import { flinkClasspath, flinkConfDir, flinkEnv, flinkJvmOptions, sqlGatewayUrl } from '../platform/components/flink';
import { QUERY_KAFKA_USER, sqlQueryPlaceholders } from '../platform/components/flink-query';
import { writePrivateFile } from '../lib/secrets';
import { createContext } from '../platform/platform';
import type { PlatformContext } from '../platform/component';
import { renderTemplateFile } from '../platform/template';
import { loadSpec } from '../spec';
import { targetFlinkQueryAdmin } from '../targets/clients';
import { runShell } from './sql-shell';
import { targetOf, withTargetOptions, type TargetArgs } from './target-option';

/** With --verbose, Flink's whole error text after the one-line message the CLI prints. */
function withTrace(verbose: boolean | undefined, error: unknown): never {
  const trace = isSluiceError(error) ? error.details?.trace : undefined;
  if (verbose && typeof trace === 'string' && trace) process.stderr.write(`${trace}\n`);
  throw error;
}

/**
 * Flink's own SQL client (`--flink-client`), made quiet: its log goes to .sluice/logs/sql-client.log
 * (the statements of the init file too, which Flink logs rather than prints), and the init file holds
 * the query session's statements, which carry no secret.
 */
async function flinkClient(ctx: PlatformContext, statements: string[], verbose: boolean): Promise<number> {
  const conf = flinkConfDir(ctx);
  const log4j = join(conf, 'log4j-sql-client.properties');
  writePrivateFile(
    log4j,
    renderTemplateFile('flink/log4j-sql-client.properties', { logFile: join(ctx.paths.logs, 'sql-client.log') }),
  );
  const init = join(conf, 'sql-client-init.sql');
  writePrivateFile(
    init,
    `${[`SET 'sql-client.verbose' = '${verbose}'`, ...statements].map((s) => `${s};`).join('\n\n')}\n`,
  );
  const child = spawn(
    'java',
    [
      ...flinkJvmOptions(ctx).map((o) =>
        o.startsWith('-Dlog4j.configurationFile=') ? `-Dlog4j.configurationFile=file:${log4j}` : o,
      ),
      '-cp',
      flinkClasspath(ctx, true),
      'org.apache.flink.table.client.SqlClient',
      'gateway',
      // An https URL: the client's REST connection takes the keystore and truststore of Flink's
      // config.yaml (FLINK_CONF_DIR), so it presents Flink's own client certificate (decision 0019).
      '--endpoint',
      sqlGatewayUrl(ctx),
      '--init',
      init,
    ],
    { stdio: 'inherit', env: flinkEnv(ctx) },
  );
  return new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

export const sqlCommand: CommandModule<
  object,
  TargetArgs & { spec: string; verbose?: boolean; 'flink-client'?: boolean }
> = {
  command: 'sql',
  describe: 'A SQL shell on the SQL Gateway, with every table of the spec defined for reading',
  builder: (y) =>
    withTargetOptions(y)
      .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the spec whose sql.tables to define' })
      .option('verbose', { type: 'boolean', describe: "print Flink's whole error trace after each error's message" })
      .option('flink-client', {
        type: 'boolean',
        describe: "run Flink's own SQL client instead (its result views; its log in .sluice/logs/sql-client.log)",
      }) as never,
  handler: async (argv) => {
    const target = targetOf(argv);
    // The query principal's login is read by the Kafka tables of the session (never part of a statement).
    const flink = targetFlinkQueryAdmin(target);
    const spec = loadSpec(argv.spec);
    const tables = spec.sqlTables;
    const setup = queryTableStatements(tables);
    if (argv['flink-client']) {
      // Flink's SQL client runs from the local installation, with its configuration and keystore.
      if (target.kind !== 'local')
        throw new SluiceError('SLUICE_CONFIG_INVALID', '--flink-client runs on the local platform only', {
          fix: `leave out --flink-client: Sluice's shell works on --target ${target.name}`,
        });
      const ctx = createContext();
      const placeholders = sqlQueryPlaceholders(ctx);
      process.exitCode = await flinkClient(
        ctx,
        [...tables.map((s) => fillPlaceholders(s, placeholders, 'sql.tables')), ...setup],
        argv.verbose === true,
      );
      return;
    }
    process.exitCode = await runShell({
      flink,
      tables,
      setup,
      input: process.stdin,
      output: process.stdout,
      errors: process.stderr,
      verbose: argv.verbose === true,
      banner: `Sluice SQL on ${new URL(target.settings.flink!.gatewayUrl).host}: the tables of ${argv.spec}, read as ${QUERY_KAFKA_USER}. HELP; for examples, QUIT; to leave.`,
    });
  },
};

export const queryCommand: CommandModule<
  object,
  TargetArgs & { sql: string; spec: string; json?: boolean; verbose?: boolean }
> = {
  command: 'query <sql>',
  describe: 'Run a SELECT on the streaming tables and print its rows until it ends or Ctrl-C',
  builder: (y) =>
    withTargetOptions(y)
      .positional('sql', {
        type: 'string',
        demandOption: true,
        describe: 'the query, e.g. "SELECT device_id, temperature_c FROM iot_readings"',
      })
      .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the spec whose sql.tables to define' })
      .option('json', { type: 'boolean', describe: 'one JSON object per row (with its changelog kind)' })
      .option('verbose', {
        type: 'boolean',
        describe: "print Flink's whole error trace after the error's message",
      }) as never,
  handler: async (argv) => {
    const flink = targetFlinkQueryAdmin(targetOf(argv));
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A closed pipe (`… | head`) ends the query like Ctrl-C, so its Flink job is cancelled too.
    process.stdout.on('error', stop);
    let header = false;
    const tables = loadSpec(argv.spec).sqlTables;
    await flink
      .query(
        tables,
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
        queryTableStatements(tables),
      )
      .catch((error: unknown) => withTrace(argv.verbose, error));
  },
};
