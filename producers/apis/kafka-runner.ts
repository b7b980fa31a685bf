/**
 * The Kafka side of an ingestor: records are pushed by the runner into a queue that the producer engine
 * pulls (`next(now)`), so they leave as Avro in the Confluent wire format with the engine's idempotent,
 * acks=all producer and metrics; dead letters go to dlq.ingest as the raw item with the reason in
 * headers. Schemas are looked up in the registry as the simulators do (subject `<topic>-value`, which
 * must be the schema in schemas/; producers never register).
 */
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../../lib/log';
import type { RegistryClient } from '../../lib/registry/client';
import type { IngestorsSpec } from '../../lib/spec';
import { ProduceEngine, type EngineSummary, type OutgoingRecord, type RecordSource } from '../engine/engine';
import { topicSerializers } from '../../lib/avro/serializers';
import { ProducerMetrics } from '../engine/metrics';
import { API_MODULES } from './catalog';
import { cronScheduler, type Scheduler } from './framework/schedule';
import type { IngestStatsSnapshot } from './framework/stats';
import type { ApiName, DeadLetter, DeadLetterSink, RecordSink } from './framework/types';
import { createIngestRunner } from './index';
import { API_TOPIC_SCHEMAS, DEAD_LETTER_TOPIC } from './topics';

/**
 * Records pushed by the ingestor, pulled by the engine one at a time (the engine sends whatever it has
 * pulled, also on stop()).
 */
export class QueueSource implements RecordSource, RecordSink {
  private readonly queue: OutgoingRecord[] = [];

  write(records: readonly OutgoingRecord[]): void {
    for (const record of records) this.queue.push(record);
  }

  next(): OutgoingRecord[] {
    const record = this.queue.shift();
    return record ? [record] : [];
  }

  get size(): number {
    return this.queue.length;
  }
}

/** Dead letters on dlq.ingest: the raw item as the value, what went wrong in headers. */
export class KafkaDeadLetters implements DeadLetterSink {
  constructor(
    private readonly producer: Producer,
    private readonly topic = DEAD_LETTER_TOPIC,
  ) {}

  async send(letter: DeadLetter): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [
        {
          key: `${letter.api}:${letter.target}`,
          value: letter.payload,
          timestamp: String(letter.ts),
          headers: {
            'sluice-reason': letter.reason,
            'sluice-error': letter.message,
            'sluice-api': letter.api,
            'sluice-target': letter.target,
            'sluice-field': letter.field,
            ...(letter.topic ? { 'sluice-topic': letter.topic } : {}),
          },
        },
      ],
    });
  }
}

export interface KafkaIngestOptions {
  api: ApiName;
  /** The spec's `ingestors` section. */
  ingestors: IngestorsSpec;
  /** Connected as the API's principal (ingest-<api>), which may produce to its topics and dlq.ingest. */
  kafka: Kafka;
  registry: RegistryClient;
  log: Logger;
  /** One poll (or one stream connection), then flush and return; otherwise until `signal` aborts. */
  once?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  baseUrl?: string;
  /** Port for /metrics (0: any free port; undefined: none). */
  metricsPort?: number;
  scheduler?: Scheduler;
}

export interface KafkaIngestSummary {
  engine: EngineSummary;
  ingest: IngestStatsSnapshot;
}

/** Runs one ingestor against Kafka until it is done (`once`) or `signal` aborts; every record acknowledged or counted as failed. */
export async function runIngestorOnKafka(options: KafkaIngestOptions): Promise<KafkaIngestSummary> {
  const { api, kafka, registry, log } = options;
  const descriptor = API_MODULES[api].descriptor;
  const signal = options.signal ?? new AbortController().signal;
  const serializers = await topicSerializers(
    registry,
    descriptor.topics,
    API_TOPIC_SCHEMAS,
    'API_TOPIC_SCHEMAS in producers/apis/topics.ts',
  );
  const metrics = new ProducerMetrics(descriptor.principal);
  const queue = new QueueSource();
  const dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  // Made before anything connects: a missing key or spec entry is refused here.
  const runner = createIngestRunner({
    api,
    ingestors: options.ingestors,
    sink: queue,
    deadLetters: new KafkaDeadLetters(dlqProducer),
    log,
    metrics: metrics.registry,
    ...(options.env ? { env: options.env } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  await dlqProducer.connect();
  const server = options.metricsPort !== undefined ? await metrics.serve(options.metricsPort) : undefined;
  // A ceiling far above any API's rate: the APIs set the pace, the engine only batches.
  const engine = new ProduceEngine({ kafka, serializers, metrics, log, ratePerSecond: 1000 });
  // If the engine fails (no broker), the ingestor stops instead of queueing forever.
  const stop = new AbortController();
  const relay = () => stop.abort();
  signal.addEventListener('abort', relay, { once: true });
  if (signal.aborted) stop.abort();
  let engineFailed = false;
  const sending = engine.run(queue).catch((error: unknown) => {
    engineFailed = true;
    stop.abort();
    throw error;
  });
  let ingestError: unknown;
  try {
    await (options.once ? runner.once(stop.signal) : runner.run(options.scheduler ?? cronScheduler, stop.signal));
    // Everything the ingestor queued leaves before the engine stops (also after Ctrl-C).
    while (queue.size > 0 && !engineFailed) await new Promise((r) => setTimeout(r, 20));
  } catch (error) {
    ingestError = error;
  } finally {
    signal.removeEventListener('abort', relay);
    engine.stop();
  }
  // The engine flushes what it holds first; its own failure (no broker) says more than the ingestor's.
  const engineSummary = await sending.finally(async () => {
    await dlqProducer.disconnect().catch(() => undefined);
    server?.close();
  });
  if (ingestError !== undefined) throw ingestError;
  return { engine: engineSummary, ingest: runner.stats.snapshot() };
}
