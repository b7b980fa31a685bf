/**
 * `npm run bench -- ingest`: the Sluice producer engine against Apache Kafka's own producer benchmark
 * (org.apache.kafka.tools.ProducerPerformance), kafkajs alone and @platformatic/kafka, like for like:
 *
 * - the same cluster, security (SASL_SSL, SCRAM-SHA-512), acks=all, idempotence and gzip, and a fresh
 *   6-partition topic (replication 3, min.insync.replicas 2) for every run;
 * - the same records: `records` of `recordSize` bytes of random letters A-Z, different for every record
 *   (ProducerPerformance draws them per record; the JavaScript clients take consecutive slices of a 4 MiB
 *   pool drawn once, so no two records within gzip's window are alike either);
 * - the same keys and partitioning: no key (ProducerPerformance sends none), each partition filled with a
 *   batch of `batchBytes` before the next (the Java client's built-in sticky partitioner);
 * - the same batching and in-flight budget: batch.size = `batchBytes`, linger.ms = `lingerMs`, and at most
 *   `inFlight` requests in flight per broker connection (Java's max.in.flight.requests.per.connection;
 *   the JavaScript clients at most that many batches in flight, which kafkajs and @platformatic/kafka
 *   then hold to one per broker connection for an idempotent producer; the engine one lane per request,
 *   each a producer with one batch in flight, so at most `inFlight` requests per broker);
 * - connect time treated the same: the first `warmup` records are left out (ProducerPerformance's
 *   --warmup-records), so connecting, metadata and warming up count for no client;
 * - rates from acknowledgements: records acknowledged after the warm-up over the time from the warm-up's
 *   end to the last acknowledgement and the producer's close, and every topic's end offsets are checked
 *   to hold exactly `records`.
 *
 * Runs go in rounds (Java, engine, kafkajs, @platformatic/kafka, then again), `runs` rounds, and the
 * medians are reported with their ratio to ProducerPerformance's.
 */
import { join } from 'node:path';
import { CompressionTypes, type Message } from 'kafkajs';
import { createKafka } from '../lib/kafka/connection';
import { createLogger } from '../lib/log';
import { repoRoot } from '../lib/repo';
import { parseSchema } from '../lib/avro/wire';
import { ProduceEngine, type OutgoingRecord, type RecordSource } from '../producers/engine/engine';
import { ProducerMetrics } from '../producers/engine/metrics';
import type { PlatformContext } from '../orchestrator/platform/component';
import { clientEnvironment } from '../orchestrator/platform/client-env';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection } from '../orchestrator/platform/components/kafka';
import { bundleDir } from '../orchestrator/platform/install/maven';
import { mavenBundle } from '../orchestrator/platform/manifest';
import { adminClient } from '../orchestrator/platform/platform';
import { run } from '../orchestrator/platform/processes';
import { TEMPLATE_DIR } from '../orchestrator/platform/template';

export const CLIENTS = ['java', 'engine', 'kafkajs', 'platformatic'] as const;
export type Client = (typeof CLIENTS)[number];

export const CLIENT_NAMES: Record<Client, string> = {
  java: 'Kafka ProducerPerformance (Java)',
  engine: 'Sluice engine (kafkajs, a lane per request in flight)',
  kafkajs: 'kafkajs alone',
  platformatic: '@platformatic/kafka (1 send in flight)',
};

export interface IngestOptions {
  records: number;
  recordSize: number;
  warmup: number;
  batchBytes: number;
  lingerMs: number;
  inFlight: number;
  runs: number;
  partitions: number;
  clients: Client[];
}

export interface IngestRun {
  client: Client;
  /** Records acknowledged after the warm-up. */
  records: number;
  seconds: number;
  recordsPerSecond: number;
  mbPerSecond: number;
}

export interface IngestRow {
  client: Client;
  runs: IngestRun[];
  median: number;
  medianMb: number;
  /** median / ProducerPerformance's median. */
  ratio: number;
}

const PARTITIONS = 6;
const POOL_BYTES = 4 * 1024 * 1024;

/** Random letters A-Z, drawn once; record i is the 512-byte (recordSize) slice after record i - 1. */
export function letterPool(bytes = POOL_BYTES): Buffer {
  const pool = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) pool[i] = 65 + Math.floor(Math.random() * 26);
  return pool;
}

export function payloadOf(pool: Buffer, i: number, size: number): Buffer {
  const slots = Math.floor(pool.length / size);
  const at = (i % slots) * size;
  return pool.subarray(at, at + size);
}

/** Which partition record `i` goes to: `perBatch` records to one partition, then the next. */
export const stickyPartition = (i: number, perBatch: number, partitions: number): number =>
  Math.floor(i / perBatch) % partitions;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function result(client: Client, records: number, seconds: number, recordSize: number): IngestRun {
  return {
    client,
    records,
    seconds,
    recordsPerSecond: records / seconds,
    mbPerSecond: (records * recordSize) / seconds / (1024 * 1024),
  };
}

async function javaProducerPerformance(ctx: PlatformContext, topic: string, o: IngestOptions): Promise<IngestRun> {
  const env = clientEnvironment(ctx);
  const lib = join(bundleDir(ctx.paths.cache, 'kafka', mavenBundle('kafka')), 'lib');
  const output = await run(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${lib}/*`,
      `-Dlog4j2.configurationFile=${join(TEMPLATE_DIR, 'log4j2.properties')}`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(o.records),
      '--warmup-records',
      String(o.warmup),
      '--record-size',
      String(o.recordSize),
      '--throughput',
      '-1',
      '--producer.config',
      env.SLUICE_JAVA_CLIENT_CONFIG!,
      '--producer-props',
      `bootstrap.servers=${env.SLUICE_BOOTSTRAP_SERVERS}`,
      'acks=all',
      'enable.idempotence=true',
      'compression.type=gzip',
      `linger.ms=${o.lingerMs}`,
      `batch.size=${o.batchBytes}`,
      `max.in.flight.requests.per.connection=${o.inFlight}`,
      // Room for a full batch per partition and then some, as the engine's 32 MiB.
      'buffer.memory=33554432',
    ],
    { timeoutMs: 30 * 60_000 },
  );
  // "90000 steady state records sent, 12345.6 records/sec (6.03 MB/sec), …"
  const match = /(\d+) steady state records sent, ([\d.]+) records\/sec/.exec(output.stdout);
  if (output.code !== 0 || !match)
    throw new Error(
      `ProducerPerformance failed (${output.code}): ${output.stderr.slice(-1000)}${output.stdout.slice(-500)}`,
    );
  const records = Number(match[1]);
  return result('java', records, records / Number(match[2]), o.recordSize);
}

/** The engine, as the simulators use it, with an Avro `bytes` record of recordSize bytes in the wire format. */
async function sluiceEngine(ctx: PlatformContext, topic: string, o: IngestOptions): Promise<IngestRun> {
  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-ingest-engine'), {
    retries: 10,
  });
  const type = parseSchema({
    type: 'record',
    name: 'Payload',
    namespace: 'dev.sluice.bench',
    fields: [{ name: 'data', type: 'bytes' }],
  });
  // 5 bytes of wire header and a 2-byte Avro length before the data: the record is recordSize bytes.
  const dataSize = Math.max(1, o.recordSize - 7);
  const pool = letterPool();
  let produced = 0;
  let steadyFrom = 0;
  const stop = { engine: undefined as ProduceEngine | undefined };
  const source: RecordSource = {
    next: (now) => {
      const out: OutgoingRecord[] = [];
      // A batch's worth per call, so pulling costs what it would for a simulator.
      for (let n = 0; n < 1000 && produced < o.records; n++) {
        if (produced === o.warmup) steadyFrom = performance.now();
        out.push({ topic, key: null, timestamp: now, value: { data: payloadOf(pool, produced++, dataSize) } });
      }
      if (produced >= o.records) stop.engine?.stop();
      return out;
    },
  };
  const engine = new ProduceEngine({
    kafka,
    metrics: new ProducerMetrics('bench-ingest'),
    log: createLogger({ level: 'warn' }),
    serializers: new Map([[topic, { schemaId: 1, type }]]),
    partitions: new Map([[topic, o.partitions]]),
    batchBytes: o.batchBytes,
    lingerMs: o.lingerMs,
    // One lane per request the budget allows per broker: each lane's producer has its own connections.
    producers: o.inFlight,
  });
  stop.engine = engine;
  const summary = await engine.run(source);
  const seconds = (performance.now() - steadyFrom) / 1000;
  if (summary.failed > 0 || summary.sent !== o.records)
    throw new Error(`the engine sent ${summary.sent} of ${o.records}: ${JSON.stringify(summary.failures)}`);
  return result('engine', o.records - o.warmup, seconds, o.recordSize);
}

/** kafkajs without the engine: batches of batchBytes to one partition at a time, up to inFlight sends at once. */
async function plainKafkajs(ctx: PlatformContext, topic: string, o: IngestOptions): Promise<IngestRun> {
  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-ingest-kafkajs'), {
    retries: 10,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: o.inFlight, allowAutoTopicCreation: false });
  await producer.connect();
  const pool = letterPool();
  const perBatch = Math.max(1, Math.floor(o.batchBytes / o.recordSize));
  const inFlight = new Set<Promise<unknown>>();
  let steadyFrom = 0;
  try {
    for (let from = 0; from < o.records; from += perBatch) {
      const count = Math.min(perBatch, o.records - from);
      const partition = stickyPartition(from, perBatch, o.partitions);
      const messages: Message[] = [];
      for (let i = from; i < from + count; i++) messages.push({ value: payloadOf(pool, i, o.recordSize), partition });
      if (from <= o.warmup && o.warmup < from + count) steadyFrom = performance.now();
      const sending = producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      while (inFlight.size >= o.inFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return result('kafkajs', o.records - o.warmup, (performance.now() - steadyFrom) / 1000, o.recordSize);
}

/** @platformatic/kafka, in its own process: it is published as ES modules only (bench/platformatic-producer.mjs). */
async function platformaticKafka(ctx: PlatformContext, topic: string, o: IngestOptions): Promise<IngestRun> {
  const script = join(repoRoot(), 'bench', 'platformatic-producer.mjs');
  // One send in flight: with more, its idempotent producer failed with OUT_OF_ORDER_SEQUENCE_NUMBER.
  const settings = JSON.stringify({ topic, ...o, inFlight: 1, clients: undefined });
  const output = await run(process.execPath, [script, settings], {
    env: { ...process.env, ...clientEnvironment(ctx) },
    timeoutMs: 30 * 60_000,
  });
  const line = output.stdout.trim().split('\n').pop() ?? '';
  if (output.code !== 0 || !line.startsWith('{'))
    throw new Error(`@platformatic/kafka run failed (${output.code}): ${output.stderr.slice(-1000)}`);
  const { records, seconds } = JSON.parse(line) as { records: number; seconds: number };
  return result('platformatic', records, seconds, o.recordSize);
}

const RUNNERS: Record<Client, (ctx: PlatformContext, topic: string, o: IngestOptions) => Promise<IngestRun>> = {
  java: javaProducerPerformance,
  engine: sluiceEngine,
  kafkajs: plainKafkajs,
  platformatic: platformaticKafka,
};

export async function benchIngest(
  ctx: PlatformContext,
  o: IngestOptions,
  progress: (line: string) => void = () => undefined,
): Promise<IngestRow[]> {
  const admin = adminClient(ctx);
  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-ingest-offsets'));
  // A client per check: kafkajs' admin keeps refreshing every topic it was asked about, deleted ones too.
  const endOffsets = async (topic: string) => {
    const offsets = kafka.admin();
    await offsets.connect();
    try {
      return (await offsets.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await offsets.disconnect().catch(() => undefined);
    }
  };
  const runs: IngestRun[] = [];
  try {
    for (let round = 1; round <= o.runs; round++)
      for (const client of o.clients) {
        const topic = `bench.ingest.${client}.${Date.now()}`;
        await admin.createTopic({
          name: topic,
          partitions: o.partitions,
          replicationFactor: 3,
          config: { 'min.insync.replicas': '2' },
        });
        try {
          const r = await RUNNERS[client](ctx, topic, o);
          const written = await endOffsets(topic);
          if (written !== o.records) throw new Error(`${client}: the topic holds ${written} records, not ${o.records}`);
          runs.push(r);
          progress(
            `round ${round}/${o.runs} ${CLIENT_NAMES[client]}: ${Math.round(r.recordsPerSecond)} records/s (${r.records} in ${r.seconds.toFixed(2)} s)`,
          );
        } finally {
          await admin.deleteTopic(topic).catch(() => undefined);
        }
      }
  } finally {
    await admin.close();
  }
  const java = median(runs.filter((r) => r.client === 'java').map((r) => r.recordsPerSecond));
  return o.clients.map((client) => {
    const mine = runs.filter((r) => r.client === client);
    const m = median(mine.map((r) => r.recordsPerSecond));
    return { client, runs: mine, median: m, medianMb: median(mine.map((r) => r.mbPerSecond)), ratio: m / java };
  });
}

export function renderIngest(o: IngestOptions, rows: IngestRow[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `Ingestion benchmark: ${n(o.records)} records of ${o.recordSize} B (the first ${n(o.warmup)} left out), no key, sticky partitions of ${o.batchBytes} B over ${o.partitions}, linger ${o.lingerMs} ms, at most ${o.inFlight} in flight, acks=all, idempotent, gzip, SASL_SSL/SCRAM-SHA-512, 3 brokers; ${o.runs} runs each, medians`,
    '',
    "| Client | Records/s, median | MB/s | Ratio to Kafka's own | Runs (records/s) |",
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${CLIENT_NAMES[r.client]} | ${n(r.median)} | ${r.medianMb.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.runs.map((x) => n(x.recordsPerSecond)).join(', ')} |`,
    ),
  ].join('\n');
}

export const INGEST_DEFAULTS: Omit<IngestOptions, 'clients'> = {
  records: 100_000,
  recordSize: 512,
  warmup: 10_000,
  batchBytes: 512 * 1024,
  lingerMs: 20,
  inFlight: 5,
  runs: 3,
  partitions: PARTITIONS,
};
