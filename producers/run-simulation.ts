/**
 * Runs one simulator through the producer engine: looks up the registered Avro schema of each topic the
 * source writes (subject `<topic>-value`), sends the reference data once, then events and labels as
 * they occur. `rate` is held at every moment (the simulators' steady traffic), or with `daily` is the
 * mean of a day that follows the source's daily curve. Simulated time starts when the reference data is
 * acknowledged, so connecting and the reference data never make a burst. Stops after `durationMs`, or on
 * stop() (SIGINT/SIGTERM), flushing first.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../lib/log';
import type { RegistryClient } from '../lib/registry/client';
import { ProduceEngine, type EngineSummary, type RecordSource } from './engine/engine';
import { topicSerializers } from '../lib/avro/serializers';
import { ProducerMetrics } from './engine/metrics';
import { TOPIC_SCHEMAS, createSimulator, topicsOf, type SimulatedRecord, type SimulatorSource } from './simulators';

export interface SimulationOptions {
  source: SimulatorSource;
  /** Events per second on the source topic, at every moment (or the mean of a day with `daily`). */
  rate: number;
  /** Follow the source's daily curve around `rate` (Poisson arrivals), as the demo does. Default false. */
  daily?: boolean;
  /** Write to `<prefix><topic>` instead (a benchmark's own topics with the same schemas). */
  topicPrefix?: string;
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

/**
 * The simulator's own options that give `rate` events per second: web and finance take it as is (steady,
 * or the mean of a day when `daily`); IoT gets devices × 1000 / intervalMs = rate, one reading per device
 * every 10 s up to 100,000 devices, then a shorter interval (20,000/s: 100,000 devices every 5 s).
 */
export function trafficOptions(source: SimulatorSource, rate: number, daily = false): Record<string, unknown> {
  if (source === 'iot') {
    const devices = Math.max(1, Math.min(100_000, Math.round(rate * 10)));
    const intervalMs = Math.max(1000, Math.min(3_600_000, Math.round((devices * 1000) / rate)));
    return { devices, intervalMs, ...(devices < 5 ? { sites: devices } : {}) }; // no site without a device
  }
  return { eventsPerSecond: rate, traffic: daily ? 'daily' : 'steady' };
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
    const prefix = this.options.topicPrefix ?? '';
    const topic = (name: string) => `${prefix}${name}`;
    const serializers = await topicSerializers(
      registry,
      topicsOf(source).map(topic),
      Object.fromEntries(Object.entries(TOPIC_SCHEMAS).map(([name, schema]) => [topic(name), schema])),
      'TOPIC_SCHEMAS in producers/simulators/topics.ts',
    );
    const simulator = createSimulator(source, {
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      ...(this.options.anomalyRate !== undefined ? { anomalyRate: this.options.anomalyRate } : {}),
      ...trafficOptions(source, rate, this.options.daily),
    } as Record<string, unknown>);
    const retopic = (records: SimulatedRecord[]) => {
      if (prefix) for (const record of records) record.topic = topic(record.topic);
      return records;
    };
    const metrics = new ProducerMetrics(`sim-${source}`);
    const server = this.options.metricsPort !== undefined ? await metrics.serve(this.options.metricsPort) : undefined;
    let started = Date.now();
    const records: RecordSource = {
      // The first call of next() sets the start of simulated time: when the engine starts pacing.
      start: (now) => {
        started = now;
        simulator.next(now);
      },
      next: (now) => retopic(simulator.next(now)),
    };
    this.engine = new ProduceEngine({
      kafka,
      serializers,
      metrics,
      log,
      expectedRate: (now) => simulator.expectedRate(now),
      ...(this.options.durationMs !== undefined ? { durationMs: this.options.durationMs } : {}),
      preamble: retopic(simulator.referenceData(Date.now() - 1)),
    });
    if (this.stopRequested) this.engine.stop();
    const progress = this.options.onProgress
      ? setInterval(() => this.options.onProgress!(metrics.line(Date.now() - started)), 1000)
      : undefined;
    try {
      const summary = await this.engine.run(records);
      log.info(
        `sim-${source}: ${Math.round(summary.ratePerSecond)} records/s acknowledged over ${(summary.elapsedMs / 1000).toFixed(1)} s` +
          (summary.askedPerSecond !== undefined ? ` (asked ${Math.round(summary.askedPerSecond)}/s)` : ''),
        { component: `sim-${source}` },
      );
      return summary;
    } finally {
      if (progress) clearInterval(progress);
      server?.close();
    }
  }
}
