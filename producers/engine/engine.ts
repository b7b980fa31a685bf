/**
 * The produce loop. Records come from a source (a simulator or an ingestor), are serialized at once (Avro,
 * Confluent wire format), given their partition (the key's murmur2 hash, as the Java client computes it)
 * and queued on the lane that owns that partition (producers/engine/lanes.ts). Each lane is one
 * idempotent, acks=all, gzip kafkajs producer with at most one batch in flight; a lane sends when a
 * partition has a full batch (`batchBytes`) or its oldest record has waited `lingerMs`. Several lanes give
 * several batches in flight, and since a partition belongs to one lane, its sequence numbers come from
 * one producer, one request at a time: a retry after a leader change can neither lose nor duplicate.
 *
 * Pacing: a time-driven source (a simulator) gives the records due by the time it is asked for, and the
 * engine asks for real time, in steps of at most `stepMs`, while fewer than `maxPendingBytes` wait: when
 * Kafka or the CPU cannot keep up, the source's time falls behind real time instead of a queue growing,
 * and the keep-up monitor says so in one plain line with the rate achieved and why
 * (producers/engine/pacing.ts). `ratePerSecond` is an optional ceiling for sources that give records on
 * every call. A batch not acknowledged within the delivery timeout, a batch Kafka refuses, and a record
 * that does not match its schema are counted by reason and reported: nothing is dropped silently.
 * `stop()` (SIGINT/SIGTERM) stops pulling, sends what was pulled and waits for every batch.
 */
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import { SluiceError, isSluiceError, messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import { encodeWire } from '../../lib/avro/wire';
import type { TopicSerializer } from '../../lib/avro/serializers';
import { Lanes, Partitioner, type LaneBatch, type QueuedMessage } from './lanes';
import type { ProducerMetrics } from './metrics';
import { KeepUpMonitor, Pacer, type WindowStats } from './pacing';

export interface OutgoingRecord {
  topic: string;
  /** The record key; null spreads records over the partitions a batch at a time. */
  key: string | null;
  value: Record<string, unknown>;
  /** Event time, ms since the epoch (the Kafka record timestamp). */
  timestamp: number;
}

export interface RecordSource {
  /** Records for time `now` (a simulator: those due by `now`); may return none. */
  next(now: number): OutgoingRecord[];
  /** Called once when the engine is connected and has sent the preamble: the start of paced time. */
  start?(now: number): void;
}

export type { TopicSerializer };

export interface EngineOptions {
  kafka: Kafka;
  serializers: ReadonlyMap<string, TopicSerializer>;
  metrics: ProducerMetrics;
  log: Logger;
  /** Ceiling in records per second (default none: the source sets the pace). */
  ratePerSecond?: number;
  /** The rate the source is asked for at `now` (records/s), for the keep-up report; default ratePerSecond. */
  expectedRate?: (now: number) => number;
  /** Stop after this long (from the start of paced time); runs until stop() otherwise. */
  durationMs?: number;
  /** How long a record may wait for its batch to fill. Default 20 ms. */
  lingerMs?: number;
  /** Most bytes of one partition in one request (the Java client's batch.size). Default 512 KiB. */
  batchBytes?: number;
  /** Producers (lanes), each with at most one batch in flight. Default 3. */
  producers?: number;
  /** Serialized records waiting to leave, at most (the Java client's buffer.memory). Default 32 MiB. */
  maxPendingBytes?: number;
  /** The source's time moves at most this far per pull. Default 50 ms. */
  stepMs?: number;
  deliveryTimeoutMs?: number;
  /** Records sent before the paced ones (reference data), not counted against the rate. */
  preamble?: OutgoingRecord[];
  /** Partition counts of the topics; looked up from the cluster when not given. */
  partitions?: ReadonlyMap<string, number>;
  /** How often the keep-up monitor looks. Default 10 s. */
  reportEveryMs?: number;
  clock?: () => number;
}

export interface EngineSummary {
  /** Records acknowledged, the preamble included. */
  sent: number;
  failed: number;
  /** From the start of paced time (after connecting and the preamble) to the last acknowledgement. */
  elapsedMs: number;
  /** Paced records acknowledged per second over elapsedMs (the preamble left out). */
  ratePerSecond: number;
  /** The rate the source was asked for, averaged over the run, when known. */
  askedPerSecond?: number;
  /** How far the source's time trailed real time when the run ended, ms. */
  behindMs: number;
  /** First failures of each reason, for the report. */
  failures: Array<{ reason: string; count: number; example: string }>;
}

const DEFAULTS = {
  lingerMs: 20,
  batchBytes: 512 * 1024,
  producers: 3,
  maxPendingBytes: 32 * 1024 * 1024,
  stepMs: 50,
  deliveryTimeoutMs: 120_000,
  reportEveryMs: 10_000,
};

/** A window's counters, reset by each report. */
interface Window {
  from: number;
  asked: number;
  acknowledged: number;
  generatingMs: number;
  serializingMs: number;
  waitingMs: number;
  acks: number[];
  elu: ReturnType<typeof performance.eventLoopUtilization>;
}

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Times a batch is sent in all when kafkajs gives up on a transient error, and the delay unit between. */
const RESEND_ATTEMPTS = 6;
const RESEND_DELAY_MS = 2_000;

/** Connection-level failures (a broker down or restarting, a leader moving): worth sending again. */
export function isTransientSendError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { name, retriable, message } = e as { name?: string; retriable?: boolean; message?: string };
    if (
      name === 'KafkaJSConnectionError' ||
      name === 'KafkaJSConnectionClosedError' ||
      name === 'KafkaJSRequestTimeoutError' ||
      /ECONNREFUSED|ECONNRESET|Connection (error|closed)|NOT_LEADER|LEADER_NOT_AVAILABLE/i.test(message ?? '') ||
      (retriable === true && name !== 'KafkaJSNumberOfRetriesExceeded')
    )
      return true;
    e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

export class ProduceEngine {
  private stopped = false;
  private readonly failures = new Map<string, { count: number; example: string }>();
  private producers: Producer[] = [];
  private lanes: Lanes | undefined;
  private partitioner: Partitioner | undefined;
  private readonly inFlight: Array<Promise<void> | undefined> = [];
  /** Resolves the current wait of the loop (an acknowledgement came, or stop()). */
  private wake: (() => void) | undefined;
  private window: Window | undefined;
  private pacedSent = 0;
  private readonly settings: typeof DEFAULTS;

  constructor(private readonly options: EngineOptions) {
    const rate = options.ratePerSecond;
    if (rate !== undefined && !(rate > 0)) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `rate must be a positive number of records per second, got ${rate}`,
        {
          path: 'rate',
          fix: 'use e.g. --rate 100',
        },
      );
    }
    this.settings = {
      lingerMs: options.lingerMs ?? DEFAULTS.lingerMs,
      batchBytes: options.batchBytes ?? DEFAULTS.batchBytes,
      producers: options.producers ?? DEFAULTS.producers,
      maxPendingBytes: options.maxPendingBytes ?? DEFAULTS.maxPendingBytes,
      stepMs: options.stepMs ?? DEFAULTS.stepMs,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? DEFAULTS.deliveryTimeoutMs,
      reportEveryMs: options.reportEveryMs ?? DEFAULTS.reportEveryMs,
    };
    if (!(this.settings.producers >= 1 && Number.isInteger(this.settings.producers))) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `producers must be a positive integer, got ${this.settings.producers}`,
        {
          path: 'producers',
          fix: 'use e.g. producers: 3',
        },
      );
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
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

  /** Serializes `record` and queues it on its lane; false when it was refused (counted as failed). */
  private enqueue(record: OutgoingRecord, now: number): boolean {
    const serializer = this.options.serializers.get(record.topic);
    if (!serializer) {
      this.fail(record.topic, 'no-schema', 1, `no schema registered for topic ${record.topic}`);
      return false;
    }
    let value: Buffer;
    try {
      value = encodeWire(serializer.schemaId, serializer.type, record.value, `${record.topic} key=${record.key}`);
    } catch (error) {
      if (!isSluiceError(error, 'SLUICE_SERIALIZATION_FAILED')) throw error;
      this.fail(record.topic, 'serialization', 1, error.message);
      return false;
    }
    const key = record.key ?? null;
    const bytes = value.length + (key === null ? 0 : key.length);
    const message: QueuedMessage = {
      topic: record.topic,
      partition: this.partitioner!.partition(record.topic, key, bytes),
      key,
      value,
      timestamp: String(record.timestamp),
      bytes,
    };
    this.lanes!.add(message, now);
    return true;
  }

  private send(batch: LaneBatch, paced: boolean): void {
    const producer = this.producers[batch.lane] as Producer;
    const started = hrMs();
    const timeoutMs = this.settings.deliveryTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const report = (error: unknown) => {
      const reason =
        (error as { type?: string }).type ?? (isSluiceError(error) ? 'timeout' : ((error as Error).name ?? 'error'));
      for (const { topic, messages } of batch.topicMessages)
        this.fail(
          topic,
          reason,
          messages.length,
          `${messages.length} records to ${topic} not delivered: ${messageOf(error)}`,
        );
    };
    timer = setTimeout(() => {
      timedOut = true;
      report(
        new SluiceError('SLUICE_KAFKA_ERROR', `not acknowledged within the delivery timeout (${timeoutMs / 1000}s)`),
      );
    }, timeoutMs);
    // kafkajs gives up on a batch after its retries even when the broker is only restarting (CI: a broker
    // killed with -9 left 319 records undelivered with ECONNREFUSED). The same batch is sent again on the same
    // producer, within the delivery timeout: its sequence numbers were rolled back (patches/kafkajs), so a
    // broker that did write the first attempt drops the second as a duplicate, as for kafkajs' own retries.
    const attempt = (tries: number): Promise<unknown> =>
      producer
        .sendBatch({ acks: -1, compression: CompressionTypes.GZIP, topicMessages: batch.topicMessages })
        .catch(async (error: unknown) => {
          if (timedOut || tries >= RESEND_ATTEMPTS || !isTransientSendError(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, RESEND_DELAY_MS * tries));
          if (timedOut) throw error;
          return attempt(tries + 1);
        });
    const delivery = attempt(1)
      .then(
        () => {
          if (timedOut) return; // already counted as failed
          const seconds = (hrMs() - started) / 1000;
          for (const { topic, messages } of batch.topicMessages)
            this.options.metrics.recordSent(topic, messages.length, seconds);
          if (paced) this.pacedSent += batch.records;
          if (this.window) {
            this.window.acknowledged += batch.records;
            if (this.window.acks.length < 10_000) this.window.acks.push(seconds * 1000);
          }
        },
        (error: unknown) => {
          if (!timedOut) report(error);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        timer = undefined;
        // The lane stays busy until kafkajs has settled, even after a timeout: a second request for its
        // partitions while the first may still be retried could reorder their sequence numbers.
        this.inFlight[batch.lane] = undefined;
        this.wake?.();
      });
    this.inFlight[batch.lane] = delivery;
  }

  /** Sends every lane that is free and due (or has anything, when `flush`). */
  private dispatch(now: number, flush: boolean, paced: boolean): void {
    const lanes = this.lanes!;
    for (let lane = 0; lane < lanes.count; lane++) {
      if (this.inFlight[lane] || !lanes.pending(lane)) continue;
      if (flush || lanes.full(lane) || now - lanes.oldestAt(lane) >= this.settings.lingerMs)
        this.send(lanes.take(lane), paced);
    }
  }

  /** Waits for an acknowledgement, stop(), or `ms`, whichever comes first. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private get busyLanes(): number {
    return this.inFlight.filter(Boolean).length;
  }

  /** Sends what is queued and waits until every batch is settled. */
  private async flush(clock: () => number, paced: boolean): Promise<void> {
    while (this.lanes!.pendingRecords > 0 || this.busyLanes > 0) {
      this.dispatch(clock(), true, paced);
      await this.wait(1000);
    }
  }

  /** Sends `records` (the preamble) as fast as the lanes allow, then waits for every acknowledgement. */
  private async sendAll(records: readonly OutgoingRecord[], clock: () => number): Promise<void> {
    let next = 0;
    while (next < records.length && !this.stopped) {
      const now = clock();
      while (next < records.length && this.lanes!.pendingBytes < this.settings.maxPendingBytes)
        this.enqueue(records[next++] as OutgoingRecord, now);
      this.dispatch(now, true, false);
      if (this.lanes!.pendingBytes >= this.settings.maxPendingBytes) await this.wait(1000);
    }
    await this.flush(clock, false);
  }

  private async connect(): Promise<void> {
    const { kafka } = this.options;
    const topics = [...this.options.serializers.keys()];
    let partitions = this.options.partitions;
    if (!partitions) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics });
        partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    this.partitioner = new Partitioner(partitions, this.settings.batchBytes);
    this.lanes = new Lanes({ lanes: this.settings.producers, batchBytes: this.settings.batchBytes });
    // One request in flight per producer: kafkajs' idempotent producer rolls sequence numbers back when a
    // request fails, which is only sound when no later request to the partition is in flight. With 8
    // batches and 5 requests in flight on one producer, a broker killed mid-run left 17 records written
    // twice (test/integration/faults/engine-broker-failure.int.test.ts); lanes give parallelism instead.
    this.producers = Array.from({ length: this.settings.producers }, () =>
      kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
    );
    await Promise.all(this.producers.map((p) => p.connect()));
  }

  private newWindow(now: number): Window {
    return {
      from: now,
      asked: 0,
      acknowledged: 0,
      generatingMs: 0,
      serializingMs: 0,
      waitingMs: 0,
      acks: [],
      elu: performance.eventLoopUtilization(),
    };
  }

  private windowStats(w: Window, now: number, lagMs: number, asked: boolean): WindowStats {
    const span = Math.max(1, now - w.from);
    const acks = [...w.acks].sort((a, b) => a - b);
    return {
      from: w.from,
      to: now,
      asked: asked ? w.asked : undefined,
      acknowledged: w.acknowledged,
      lagMs,
      busy: performance.eventLoopUtilization(w.elu).utilization,
      generating: Math.min(1, w.generatingMs / span),
      serializing: Math.min(1, w.serializingMs / span),
      waitingForKafka: Math.min(1, w.waitingMs / span),
      ackP50Ms: acks.length ? (acks[Math.floor(acks.length / 2)] as number) : 0,
      producers: this.settings.producers,
    };
  }

  async run(source: RecordSource): Promise<EngineSummary> {
    const clock = this.options.clock ?? Date.now;
    const { log, metrics, durationMs } = this.options;
    const service = metrics.service;
    await this.connect();
    const monitor = new KeepUpMonitor(service, {
      machine: () => `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    });
    const expected =
      this.options.expectedRate ??
      (this.options.ratePerSecond !== undefined ? () => this.options.ratePerSecond as number : undefined);
    let start: number;
    let cursor: number;
    let askedTotal = 0;
    let last: number;
    let behindMs: number;
    try {
      if (this.options.preamble?.length) await this.sendAll(this.options.preamble, clock);
      start = clock();
      cursor = start;
      source.start?.(start);
      const pacer = new Pacer(this.options.ratePerSecond ?? Infinity, start);
      const { stepMs, maxPendingBytes, lingerMs, reportEveryMs } = this.settings;
      const lanes = this.lanes!;
      this.window = this.newWindow(start);
      last = start;
      while (!this.stopped) {
        const now = clock();
        const window = this.window;
        if (this.busyLanes === lanes.count) window.waitingMs += now - last;
        if (expected) {
          const asked = (expected(now) * (now - last)) / 1000;
          window.asked += asked;
          askedTotal += asked;
        }
        last = now;
        if (durationMs !== undefined && now - start >= durationMs) break;

        // Pull: the source's time moves toward now while there is room and the rate allows.
        // At most a linger's worth of work per turn, so kafkajs' sockets are served between turns.
        let allowance = pacer.allowance(now);
        const turnEnds = hrMs() + lingerMs;
        let gave = 0;
        while (allowance > 0 && lanes.pendingBytes < maxPendingBytes && hrMs() < turnEnds) {
          const t = Math.min(now, cursor + stepMs);
          const g = hrMs();
          const records = source.next(t);
          const s = hrMs();
          cursor = t;
          gave = records.length;
          for (const record of records) this.enqueue(record, now);
          window.generatingMs += s - g;
          window.serializingMs += hrMs() - s;
          if (records.length > 0) {
            pacer.took(records.length);
            allowance -= records.length;
          } else if (t >= now) break;
        }
        this.dispatch(now, false, true);

        if (now - window.from >= reportEveryMs) {
          const lagMs = Math.max(0, now - cursor);
          metrics.behind.set(lagMs / 1000);
          const event = monitor.observe(this.windowStats(window, now, lagMs, expected !== undefined));
          // The message names the service already.
          if (event?.kind === 'behind')
            log.warn(event.message, { reason: event.reason, achieved: Math.round(event.achieved) });
          else if (event) log.info(event.message);
          this.window = this.newWindow(now);
        }

        // Sleep until a lane's linger ends, the rate allows more, or the next pull; an acknowledgement wakes it.
        let nextMs = lingerMs;
        for (let lane = 0; lane < lanes.count; lane++)
          if (!this.inFlight[lane] && lanes.pending(lane))
            nextMs = Math.min(nextMs, lanes.oldestAt(lane) + lingerMs - now);
        if (Number.isFinite(pacer.ratePerSecond)) nextMs = Math.min(nextMs, Math.max(pacer.waitMs(now), 1));
        // Behind, or stopped by the turn's time with the source still giving and room left: pull again at once.
        const more = gave > 0 && allowance > 0 && hrMs() >= turnEnds;
        if ((cursor < now || more) && lanes.pendingBytes < maxPendingBytes) nextMs = 0;
        await this.wait(nextMs);
      }
      behindMs = Math.max(0, Math.min(clock(), start + (durationMs ?? Infinity)) - cursor);
      await this.flush(clock, true);
    } finally {
      await Promise.all(this.producers.map((p) => p.disconnect().catch(() => undefined)));
    }
    const end = clock();
    const elapsedMs = end - start;
    const totals = metrics.totals;
    const summary: EngineSummary = {
      sent: totals.sent,
      failed: totals.failed,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (this.pacedSent * 1000) / elapsedMs : 0,
      ...(expected && elapsedMs > 0 ? { askedPerSecond: (askedTotal * 1000) / Math.max(1, last - start) } : {}),
      behindMs,
      failures: [...this.failures].map(([reason, f]) => ({ reason, count: f.count, example: f.example })),
    };
    // Only a source with a rate to keep (a simulator) can be behind; a pull source is as fast as it goes.
    if (expected && (monitor.behind || behindMs > 2000))
      log.warn(
        `${service}: the run ended ${(behindMs / 1000).toFixed(1)} s behind real time: sent ${Math.round(summary.ratePerSecond)}/s${summary.askedPerSecond !== undefined ? ` of the ${Math.round(summary.askedPerSecond)}/s asked` : ''}`,
      );
    return summary;
  }
}
