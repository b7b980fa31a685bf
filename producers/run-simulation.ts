/**
 * Runs one simulator through the producer engine: looks up the registered Avro schema of each topic the
 * source writes (subject `<topic>-value`), sends the reference data once, then events and labels as
 * they occur. Stops after `durationMs`, or on stop() (SIGINT/SIGTERM), flushing first.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../lib/log';
import type { RegistryClient } from '../lib/registry/client';
import { ProduceEngine, type EngineSummary } from './engine/engine';
import { topicSerializers } from '../lib/avro/serializers';
import { ProducerMetrics } from './engine/metrics';
import { TOPIC_SCHEMAS, createSimulator, topicsOf, type SimulatorSource } from './simulators';

export interface SimulationOptions {
  source: SimulatorSource;
  /** Mean events per second (the simulator's traffic varies around it through the day). */
  rate: number;
  durationMs?: number;
  seed?: number | string;
  anomalyRate?: number;
  kafka: Kafka;
  registry: RegistryClient;
  log: Logger;
  /** Port for /metrics (0: any free port; undefined: none). */
  metricsPort?: number;
  /** Called every second with the live line. */
  onProgress?: (line: string) => void;
}

/** The simulator's own options that give a mean of `rate` events per second. */
function trafficOptions(source: SimulatorSource, rate: number): Record<string, number> {
  if (source === 'iot') return { devices: Math.max(1, Math.round(rate * 10)), intervalMs: 10_000 }; // one reading per device every 10 s
  return { eventsPerSecond: rate };
}

export class Simulation {
  private engine: ProduceEngine | undefined;
  private stopRequested = false;

  constructor(private readonly options: SimulationOptions) {}

  stop(): void {
    this.stopRequested = true;
    this.engine?.stop();
  }

  async run(): Promise<EngineSummary> {
    const { source, rate, kafka, registry, log } = this.options;
    const serializers = await topicSerializers(
      registry,
      topicsOf(source),
      TOPIC_SCHEMAS,
      'TOPIC_SCHEMAS in producers/simulators/topics.ts',
    );
    const simulator = createSimulator(source, {
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      ...(this.options.anomalyRate !== undefined ? { anomalyRate: this.options.anomalyRate } : {}),
      ...trafficOptions(source, rate),
    } as Record<string, unknown>);
    const metrics = new ProducerMetrics(`sim-${source}`);
    const server = this.options.metricsPort !== undefined ? await metrics.serve(this.options.metricsPort) : undefined;
    const start = Date.now();
    simulator.next(start); // the first call sets the start of simulated time
    this.engine = new ProduceEngine({
      kafka,
      serializers,
      metrics,
      log,
      // A ceiling above the daily peak of the simulator's traffic: the simulator sets the pace.
      ratePerSecond: rate * 2.5,
      ...(this.options.durationMs !== undefined ? { durationMs: this.options.durationMs } : {}),
      preamble: simulator.referenceData(start - 1),
    });
    if (this.stopRequested) this.engine.stop();
    const progress = this.options.onProgress
      ? setInterval(() => this.options.onProgress!(metrics.line(Date.now() - start)), 1000)
      : undefined;
    try {
      return await this.engine.run(simulator);
    } finally {
      if (progress) clearInterval(progress);
      server?.close();
    }
  }
}
