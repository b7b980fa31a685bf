/** `npm run bench -- <name> [--records N] [--record-size B]`: benchmarks against the running platform. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isSluiceError, messageOf } from '../lib/errors';
import { createContext, up } from '../orchestrator/platform/platform';
import { benchIngest, renderIngest } from './ingest';
import { benchE2e, renderE2e } from './e2e';
import { benchSimulate, renderSimulate } from './simulate';
import { SIMULATOR_SOURCES, type SimulatorSource } from '../producers/simulators';

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('npm run bench --')
    .command(
      'ingest',
      "The Sluice producer against Kafka's ProducerPerformance, same cluster and settings",
      (y) =>
        y
          .option('records', { type: 'number', default: 100_000 })
          .option('record-size', { type: 'number', default: 512 }),
      async (argv) => {
        const ctx = createContext();
        await up(ctx); // starts the platform if it is not running; a no-op otherwise
        const options = { records: argv.records, recordSize: argv['record-size'] };
        const { results, ratio } = await benchIngest(ctx, options);
        process.stdout.write(`${renderIngest(options, results, ratio)}\n`);
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
    .demandCommand(1, 'name a benchmark: ingest, e2e, simulate')
    .strict()
    .parseAsync();
}

main().catch((error: unknown) => {
  process.stderr.write(`${isSluiceError(error) ? error.describe() : messageOf(error)}\n`);
  process.exit(1);
});
