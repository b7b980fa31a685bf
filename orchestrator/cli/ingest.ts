/**
 * `sluice ingest <api>`: runs one public API ingestor (pipeline.yaml `ingestors.<api>`) once (`--once`) or
 * on its schedule until Ctrl-C, producing as the API's own principal (ingest-<api>). `--dry-run` prints
 * the records as JSON lines instead (dead letters to stderr) and needs no platform. Keys come from the
 * environment or `.env` at the repository root (`--env-file`).
 */
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { createKafka } from '../../lib/kafka/connection';
import { createLogger } from '../../lib/log';
import { RegistryClient } from '../../lib/registry/client';
import { repoRoot } from '../../lib/repo';
import {
  API_MODULES,
  API_NAMES,
  JsonLinesDeadLetters,
  JsonLinesSink,
  createIngestRunner,
  cronScheduler,
  ingestorReady,
  loadDotEnv,
  type ApiName,
  type IngestStatsSnapshot,
} from '../../producers/apis';
import { runIngestorOnKafka } from '../../producers/apis/kafka-runner';
import { assertKafkaRunning } from '../platform/admin';
import { kafkaConnection } from '../platform/components/kafka';
import { registryUrl } from '../platform/components/registry';
import { createContext } from '../platform/platform';
import { loadSpec, type IngestorsSpec } from '../spec';

interface IngestArgs {
  api: ApiName;
  once?: boolean;
  'dry-run'?: boolean;
  'base-url'?: string;
  spec: string;
  'env-file': string;
  'metrics-port'?: number;
}

function summaryLine(stats: IngestStatsSnapshot): string {
  const kinds = Object.entries(stats.errorsByKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `ingest-${stats.api}: ${stats.requests} requests, ${stats.records} records, ${stats.duplicates} repeats dropped, ${stats.deadLetters} dead letters, ${stats.errors} errors${kinds ? ` (${kinds})` : ''}`;
}

/** --once fails when a request failed for good (not merely retried) or an item went to the dead letters. */
const failedForGood = (stats: IngestStatsSnapshot): boolean => stats.errors > stats.retries || stats.deadLetters > 0;

async function run(argv: IngestArgs, ingestors: IngestorsSpec, signal: AbortSignal): Promise<void> {
  const baseUrl = argv['base-url'] ? { baseUrl: argv['base-url'] } : {};
  if (argv['dry-run']) {
    const runner = createIngestRunner({
      api: argv.api,
      ingestors,
      sink: new JsonLinesSink((line) => process.stdout.write(`${line}\n`)),
      deadLetters: new JsonLinesDeadLetters((line) => process.stderr.write(`${line}\n`)),
      log: createLogger(),
      ...baseUrl,
    });
    await (argv.once ? runner.once(signal) : runner.run(cronScheduler, signal));
    const stats = runner.stats.snapshot();
    process.stderr.write(`${summaryLine(stats)}\n`);
    if (argv.once && failedForGood(stats)) process.exitCode = 1;
    return;
  }

  const ctx = createContext();
  assertKafkaRunning(ctx);
  const principal = API_MODULES[argv.api].descriptor.principal;
  const password = ctx.secrets.read(`users/${principal}`);
  if (password === undefined) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `principal ${principal} has no credentials yet`, {
      fix: 'apply the demo pipeline: npm run deploy-pipeline',
    });
  }
  const summary = await runIngestorOnKafka({
    api: argv.api,
    ingestors,
    kafka: createKafka(kafkaConnection(ctx, principal, password, principal), { retries: 10 }),
    // Reads only: schemas are registered by deploy-pipeline, and the registry lets anyone read.
    registry: new RegistryClient({ url: registryUrl(ctx) }),
    log: ctx.log,
    once: argv.once === true,
    signal,
    ...baseUrl,
    ...(argv['metrics-port'] !== undefined ? { metricsPort: argv['metrics-port'] } : {}),
  });
  process.stdout.write(
    `${summaryLine(summary.ingest)}; sent ${summary.engine.sent}, failed ${summary.engine.failed}\n`,
  );
  for (const failure of summary.engine.failures)
    process.stdout.write(`  ${failure.reason}: ${failure.count} (${failure.example})\n`);
  if (summary.engine.failed > 0 || (argv.once && failedForGood(summary.ingest))) process.exitCode = 1;
}

export const ingestCommand: CommandModule<object, IngestArgs> = {
  command: 'ingest <api>',
  describe: 'Run a public API ingestor (pipeline.yaml ingestors.<api>) once or on its schedule',
  builder: (y) =>
    y
      .positional('api', {
        choices: API_NAMES,
        demandOption: true,
        describe: 'the API, as named under ingestors in the spec',
      })
      .option('once', { type: 'boolean', describe: 'poll once (a stream: one connection), then exit' })
      .option('dry-run', {
        type: 'boolean',
        describe: 'print records as JSON lines instead of producing them (no platform needed)',
      })
      .option('base-url', {
        type: 'string',
        describe: "the API's base URL, instead of the spec's (a proxy, a test server)",
      })
      .option('spec', { type: 'string', default: 'pipeline.yaml', describe: 'the pipeline spec' })
      .option('env-file', {
        type: 'string',
        default: join(repoRoot(), '.env'),
        defaultDescription: '.env at the repository root',
        describe: 'file of KEY=value lines with API keys (the environment wins)',
      })
      .option('metrics-port', { type: 'number', describe: 'serve Prometheus metrics on this port' }) as never,
  handler: async (argv) => {
    loadDotEnv(argv['env-file']);
    const spec = loadSpec(argv.spec);
    // Refuse a missing entry or key before connecting to anything.
    ingestorReady(argv.api, spec.ingestors);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await run(argv, spec.ingestors, controller.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
