/**
 * The produce loop. Records come from a source (a simulator or an ingestor) and leave at a target rate:
 * every `lingerMs` the records due so far are serialized (Avro, Confluent wire format) and sent as one
 * batch with an idempotent, acks=all, gzip producer. One batch is unacknowledged at a time; while it is,
 * the loop waits (backpressure) and the next batch grows instead. A batch not acknowledged within the delivery timeout, a
 * batch Kafka refuses, and a record that does not match its schema are counted by reason and reported:
 * nothing is dropped silently. `stop()` (SIGINT/SIGTERM) ends the loop and waits for every batch.
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { SluiceError, isSluiceError, messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import { encodeWire } from '../../lib/avro/wire';
import type { TopicSerializer } from '../../lib/avro/serializers';
import type { ProducerMetrics } from './metrics';

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Record<string, unknown>;
  /** Event time, ms since the epoch (the Kafka record timestamp). */
  timestamp: number;
}

export interface RecordSource {
  /** Records for time `now`; may return none. */
  next(now: number): OutgoingRecord[];
}

export type { TopicSerializer };

export interface EngineOptions {
  kafka: Kafka;
  serializers: ReadonlyMap<string, TopicSerializer>;
  metrics: ProducerMetrics;
  log: Logger;
  /** Target rate in records per second. */
  ratePerSecond: number;
  /** Stop after this long; runs until stop() otherwise. */
  durationMs?: number;
  lingerMs?: number;
  deliveryTimeoutMs?: number;
  /** Records sent before the paced ones (reference data), not counted against the rate. */
  preamble?: OutgoingRecord[];
  clock?: () => number;
}

export interface EngineSummary {
  sent: number;
  failed: number;
  elapsedMs: number;
  /** First failures of each reason, for the report. */
  failures: Array<{ reason: string; count: number; example: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One batch at a time: see the producer's maxInFlightRequests in run(). */
const MAX_IN_FLIGHT = 1;

export class ProduceEngine {
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failures = new Map<string, { count: number; example: string }>();
  private producer: Producer | undefined;

  constructor(private readonly options: EngineOptions) {
    if (!(options.ratePerSecond > 0)) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `rate must be a positive number of records per second, got ${options.ratePerSecond}`,
        { path: 'rate', fix: 'use e.g. --rate 100' },
      );
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private fail(topic: string, reason: string, count: number, example: string): void {
    this.options.metrics.recordFailed(topic, reason, count);
    const known = this.failures.get(reason);
    if (known) {
      known.count += count;
      return;
    }
    this.failures.set(reason, { count, example });
    // Logged once per reason; the metrics and the summary carry the counts.
    this.options.log.error(example, { component: this.options.metrics.service, reason, topic });
  }

  private serialize(record: OutgoingRecord): Message | undefined {
    const serializer = this.options.serializers.get(record.topic);
    if (!serializer) {
      this.fail(record.topic, 'no-schema', 1, `no schema registered for topic ${record.topic}`);
      return undefined;
    }
    try {
      return {
        key: record.key,
        value: encodeWire(serializer.schemaId, serializer.type, record.value, `${record.topic} key=${record.key}`),
        timestamp: String(record.timestamp),
      };
    } catch (error) {
      if (!isSluiceError(error, 'SLUICE_SERIALIZATION_FAILED')) throw error;
      this.fail(record.topic, 'serialization', 1, error.message);
      return undefined;
    }
  }

  private send(records: OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const message = this.serialize(record);
      if (!message) continue;
      if (!byTopic.has(record.topic)) byTopic.set(record.topic, []);
      byTopic.get(record.topic)!.push(message);
    }
    if (byTopic.size === 0) return Promise.resolve();
    const started = process.hrtime.bigint();
    const timeoutMs = this.options.deliveryTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SluiceError(
              'SLUICE_KAFKA_ERROR',
              `not acknowledged within the delivery timeout (${timeoutMs / 1000}s)`,
            ),
          ),
        timeoutMs,
      );
    });
    const delivery = this.producer!.sendBatch({
      acks: -1,
      compression: CompressionTypes.GZIP,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    const done = Promise.race([delivery, timeout])
      .then(
        () => {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          for (const [topic, messages] of byTopic) this.options.metrics.recordSent(topic, messages.length, seconds);
        },
        (error: unknown) => {
          const reason =
            (error as { type?: string }).type ??
            (isSluiceError(error) ? 'timeout' : ((error as Error).name ?? 'error'));
          for (const [topic, messages] of byTopic)
            this.fail(
              topic,
              reason,
              messages.length,
              `${messages.length} records to ${topic} not delivered: ${messageOf(error)}`,
            );
        },
      )
      .finally(() => clearTimeout(timer));
    return done;
  }

  async run(source: RecordSource): Promise<EngineSummary> {
    const { kafka, ratePerSecond, durationMs, lingerMs = 20 } = this.options;
    const clock = this.options.clock ?? Date.now;
    // One request in flight: kafkajs' idempotent producer rolls sequence numbers back when a request fails,
    // which is only sound when no later request to the partition is in flight. With 8 batches and 5
    // requests in flight, a broker killed mid-run left 17 records written twice
    // (test/integration/faults/engine-broker-failure.int.test.ts).
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    const started = clock();
    try {
      if (this.options.preamble?.length) await this.send(this.options.preamble);
      const buffer: OutgoingRecord[] = [];
      let scheduled = 0;
      while (!this.stopped) {
        const now = clock();
        const elapsed = now - started;
        if (durationMs !== undefined && elapsed >= durationMs) break;
        const due = Math.floor((ratePerSecond * elapsed) / 1000) - scheduled;
        if (due > 0) {
          while (buffer.length < due) {
            const more = source.next(now);
            if (more.length === 0) break;
            buffer.push(...more);
          }
          const batch = buffer.splice(0, due);
          scheduled += due;
          if (batch.length) {
            const pending = this.send(batch);
            this.inFlight.add(pending);
            void pending.finally(() => this.inFlight.delete(pending));
            // Backpressure: never more than MAX_IN_FLIGHT unacknowledged batches.
            while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
          }
        }
        await sleep(lingerMs);
      }
      await Promise.allSettled([...this.inFlight]);
    } finally {
      await this.producer.disconnect().catch(() => undefined);
    }
    const totals = this.options.metrics.totals;
    return {
      sent: totals.sent,
      failed: totals.failed,
      elapsedMs: clock() - started,
      failures: [...this.failures].map(([reason, f]) => ({ reason, count: f.count, example: f.example })),
    };
  }
}
