/** `npm run bench -- <name> [options]`: benchmarks against the running platform (never started or restarted here). */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isSluiceError, messageOf } from '../lib/errors';
import { assertKafkaRunning } from '../orchestrator/platform/admin';
import { createContext } from '../orchestrator/platform/platform';
import { CLIENTS, INGEST_DEFAULTS, benchIngest, renderIngest, type Client } from './ingest';
import { benchE2e, renderE2e } from './e2e';
import { benchSimulate, renderSimulate } from './simulate';
import { ISSUE_STEP_SECONDS, benchPipeline, renderPipeline } from './pipeline';
import { LADDER_DEFAULTS } from './pipeline/ladder';
import { JUDGE_DEFAULTS } from './pipeline/judge';
import { SIMULATOR_SOURCES, type SimulatorSource } from '../producers/simulators';

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('npm run bench --')
    .command(
      'ingest',
      "The Sluice producer engine, kafkajs and @platformatic/kafka against Kafka's ProducerPerformance, like for like",
      (y) =>
        y
          .option('records', { type: 'number', default: INGEST_DEFAULTS.records })
          .option('record-size', { type: 'number', default: INGEST_DEFAULTS.recordSize })
          .option('warmup', {
            type: 'number',
            default: INGEST_DEFAULTS.warmup,
            describe: 'records left out of the rate',
          })
          .option('batch-bytes', { type: 'number', default: INGEST_DEFAULTS.batchBytes, describe: 'batch.size' })
          .option('linger', { type: 'number', default: INGEST_DEFAULTS.lingerMs, describe: 'linger.ms' })
          .option('in-flight', {
            type: 'number',
            default: INGEST_DEFAULTS.inFlight,
            describe: 'requests in flight per connection, at most',
          })
          .option('runs', { type: 'number', default: INGEST_DEFAULTS.runs })
          .option('clients', { type: 'string', default: CLIENTS.join(','), describe: CLIENTS.join(', ') }),
      async (argv) => {
        const ctx = createContext();
        assertKafkaRunning(ctx); // the platform is used as it runs, never started or restarted here
        const clients = argv.clients.split(',').map((c) => c.trim()) as Client[];
        const unknown = clients.filter((c) => !(CLIENTS as readonly string[]).includes(c));
        if (unknown.length) throw new Error(`--clients: no client ${unknown.join(', ')} (use ${CLIENTS.join(', ')})`);
        if (!clients.includes('java')) clients.unshift('java'); // the reference of every ratio
        const options = {
          ...INGEST_DEFAULTS,
          records: argv.records,
          recordSize: argv['record-size'],
          warmup: argv.warmup,
          batchBytes: argv['batch-bytes'],
          lingerMs: argv.linger,
          inFlight: argv['in-flight'],
          runs: argv.runs,
          clients,
        };
        const rows = await benchIngest(ctx, options, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${renderIngest(options, rows)}\n`);
      },
    )
    .command(
      'e2e',
      'Alert latency on the running demo: from the event that closes an anomalous window to the alert in Alertmanager',
      (y) =>
        y.option('incidents', {
          type: 'number',
          default: 5,
          describe: 'stuck-sensor windows to measure, one a minute',
        }),
      async (argv) => {
        const ctx = createContext();
        process.stdout.write(`${renderE2e(await benchE2e(ctx, { incidents: argv.incidents }))}\n`);
      },
    )
    .command(
      'simulate',
      '`sluice simulate --rate R`: the rate the brokers acknowledge against R, on topics of its own',
      (y) =>
        y
          .option('sources', { type: 'string', default: SIMULATOR_SOURCES.join(','), describe: 'web, iot, finance' })
          .option('rates', { type: 'string', default: '1,100,2000,20000', describe: 'events per second' })
          .option('runs', { type: 'number', default: 3 })
          .option('duration', { type: 'number', default: 60, describe: 'seconds per run' }),
      async (argv) => {
        const ctx = createContext();
        const sources = argv.sources.split(',').map((s) => s.trim()) as SimulatorSource[];
        const unknown = sources.filter((s) => !(SIMULATOR_SOURCES as readonly string[]).includes(s));
        if (unknown.length)
          throw new Error(`--sources: no simulator ${unknown.join(', ')} (use ${SIMULATOR_SOURCES.join(', ')})`);
        const options = {
          sources,
          rates: argv.rates.split(',').map(Number),
          runs: argv.runs,
          durationSeconds: argv.duration,
        };
        const { rows, load } = await benchSimulate(ctx, options, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${renderSimulate(options, rows, load)}\n`);
      },
    )
    .command(
      'pipeline',
      'The highest input rate the whole demo pipeline sustains (every Flink job, Connect sink and the anomaly service keeping up), beside raw Kafka ingest',
      (y) =>
        y
          .option('step-seconds', {
            type: 'number',
            default: ISSUE_STEP_SECONDS,
            describe: `seconds per rate (issue 13 asks ${ISSUE_STEP_SECONDS})`,
          })
          .option('sample-seconds', { type: 'number', default: 10, describe: 'seconds between lag samples' })
          .option('rates', { type: 'string', describe: 'events/s to try in order, e.g. 250,500,1000 (no climb)' })
          .option('start', { type: 'number', default: LADDER_DEFAULTS.start, describe: 'first rate of the climb' })
          .option('factor', { type: 'number', default: LADDER_DEFAULTS.factor, describe: 'climb by this factor' })
          .option('max', { type: 'number', default: LADDER_DEFAULTS.max, describe: 'highest rate tried' })
          .option('refinements', {
            type: 'number',
            default: LADDER_DEFAULTS.refinements,
            describe: 'steps between the last rate held and the first that was not',
          })
          .option('budget-seconds', {
            type: 'number',
            default: JUDGE_DEFAULTS.budgetSeconds,
            describe: 'lag allowed, in seconds of input',
          })
          .option('ingest-records', {
            type: 'number',
            default: INGEST_DEFAULTS.records,
            describe: 'records of the ProducerPerformance reference run (0: none)',
          })
          .option('drain-seconds', {
            type: 'number',
            default: ISSUE_STEP_SECONDS,
            describe: 'longest wait for the consumers to catch up after a step not sustained',
          }),
      async (argv) => {
        const ctx = createContext();
        assertKafkaRunning(ctx); // the platform is used as it runs, never started or restarted here
        const rates = argv.rates?.split(',').map(Number);
        if (rates?.some((r) => !(r > 0))) throw new Error(`--rates: positive numbers, comma-separated (${argv.rates})`);
        if (!(argv['step-seconds'] >= 3 * argv['sample-seconds']))
          throw new Error('--step-seconds: at least three samples per step (3 × --sample-seconds)');
        const options = {
          stepSeconds: argv['step-seconds'],
          sampleSeconds: argv['sample-seconds'],
          ladder: {
            ...LADDER_DEFAULTS,
            start: argv.start,
            factor: argv.factor,
            max: argv.max,
            refinements: argv.refinements,
            ...(rates ? { rates } : {}),
          },
          budgetSeconds: argv['budget-seconds'],
          ingestRecords: argv['ingest-records'],
          drainSeconds: argv['drain-seconds'],
        };
        const result = await benchPipeline(ctx, options, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${renderPipeline(result)}\n`);
      },
    )
    .demandCommand(1, 'name a benchmark: ingest, e2e, simulate, pipeline')
    .strict()
    .parseAsync();
}

main().catch((error: unknown) => {
  process.stderr.write(`${isSluiceError(error) ? error.describe() : messageOf(error)}\n`);
  process.exit(1);
});
