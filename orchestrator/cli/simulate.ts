/**
 * `sluice simulate <web|iot|finance>`: runs one simulator against the local platform as the source's own
 * principal (sim-<source>, declared in pipeline.yaml), until --duration or Ctrl-C.
 */
import type { CommandModule } from 'yargs';
import { SluiceError } from '../../lib/errors';
import { createKafka } from '../../lib/kafka/connection';
import { RegistryClient } from '../../lib/registry/client';
import { Simulation } from '../../producers/run-simulation';
import { SIMULATOR_SOURCES, type SimulatorSource } from '../../producers/simulators';
import { assertKafkaRunning } from '../platform/admin';
import { kafkaConnection } from '../platform/components/kafka';
import { registryUrl } from '../platform/components/registry';
import { createContext } from '../platform/platform';

interface SimulateArgs {
  source: SimulatorSource;
  rate: number;
  daily?: boolean;
  duration?: number;
  seed?: number;
  'anomaly-rate'?: number;
  'metrics-port'?: number;
}

/** The live line: redrawn every second on a terminal, one line a minute into a log file. */
function progressWriter(): (line: string) => void {
  if (process.stderr.isTTY) return (line) => process.stderr.write(`\r${line}`);
  let ticks = 0;
  return (line) => {
    if (ticks++ % 60 === 0) process.stderr.write(`${line}\n`);
  };
}

export const simulateCommand: CommandModule<object, SimulateArgs> = {
  command: 'simulate <source>',
  describe: 'Run a simulator (web, iot, finance) against the platform until --duration or Ctrl-C',
  builder: (y) =>
    y
      .positional('source', { choices: SIMULATOR_SOURCES, demandOption: true })
      .option('rate', { type: 'number', default: 20, describe: 'events per second, held at every moment' })
      .option('daily', {
        type: 'boolean',
        default: false,
        describe: "follow the source's daily curve: --rate is then the mean of a day",
      })
      .option('duration', { type: 'number', describe: 'seconds to run (default: until Ctrl-C)' })
      .option('seed', { type: 'number', describe: 'random seed: the same seed gives the same records' })
      .option('anomaly-rate', { type: 'number', describe: 'anomalies started per simulated hour (0: none)' })
      .option('metrics-port', { type: 'number', describe: 'serve Prometheus metrics on this port' }) as never,
  handler: async (argv) => {
    const ctx = createContext();
    assertKafkaRunning(ctx);
    const principal = `sim-${argv.source}`;
    const password = ctx.secrets.read(`users/${principal}`);
    if (password === undefined) {
      throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `principal ${principal} has no credentials yet`, {
        fix: 'apply the demo pipeline: npm run deploy-pipeline',
      });
    }
    const kafka = createKafka(kafkaConnection(ctx, principal, password, principal), { retries: 10 });
    const simulation = new Simulation({
      source: argv.source,
      rate: argv.rate,
      daily: argv.daily === true,
      ...(argv.duration !== undefined ? { durationMs: argv.duration * 1000 } : {}),
      ...(argv.seed !== undefined ? { seed: argv.seed } : {}),
      ...(argv['anomaly-rate'] !== undefined ? { anomalyRate: argv['anomaly-rate'] } : {}),
      ...(argv['metrics-port'] !== undefined ? { metricsPort: argv['metrics-port'] } : {}),
      kafka,
      // Reads only: schemas are registered by deploy-pipeline, and the registry lets anyone read.
      registry: new RegistryClient({ url: registryUrl(ctx) }),
      log: ctx.log,
      onProgress: progressWriter(),
    });
    const stop = () => simulation.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const summary = await simulation.run();
    process.stdout.write(
      `\n${principal}: sent ${summary.sent}, failed ${summary.failed} in ${(summary.elapsedMs / 1000).toFixed(1)}s (${Math.round(summary.ratePerSecond)}/s${summary.askedPerSecond !== undefined ? ` of ${Math.round(summary.askedPerSecond)}/s asked` : ''})\n`,
    );
    for (const failure of summary.failures)
      process.stdout.write(`  ${failure.reason}: ${failure.count} (${failure.example})\n`);
    if (summary.failed > 0) process.exitCode = 1;
  },
};
