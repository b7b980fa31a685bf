/**
 * `npm run bench -- ingest`: the Sluice producer engine against Apache Kafka's own producer benchmark
 * (org.apache.kafka.tools.ProducerPerformance) on the same cluster, in one run: same security (SASL_SSL,
 * SCRAM-SHA-512), acks=all, idempotence, gzip, same record count and payload size. Prints records/s and
 * MB/s for both and their ratio. The number that matters is the ratio, measured in the same session.
 */
import { join } from 'node:path';
import { CompressionTypes } from 'kafkajs';
import { createKafka } from '../lib/kafka/connection';
import { createLogger } from '../lib/log';
import { repoRoot } from '../lib/repo';
import { parseSchema } from '../lib/avro/wire';
import { ProduceEngine, type RecordSource } from '../producers/engine/engine';
import { ProducerMetrics } from '../producers/engine/metrics';
import type { PlatformContext } from '../orchestrator/platform/component';
import { clientEnvironment } from '../orchestrator/platform/client-env';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection } from '../orchestrator/platform/components/kafka';
import { bundleDir } from '../orchestrator/platform/install/maven';
import { mavenBundle } from '../orchestrator/platform/manifest';
import { adminClient } from '../orchestrator/platform/platform';
import { run } from '../orchestrator/platform/processes';
import { TEMPLATE_DIR } from '../orchestrator/platform/template';

export interface IngestResult {
  client: string;
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
}

export interface IngestOptions {
  records: number;
  recordSize: number;
}

async function kafkaProducerPerformance(
  ctx: PlatformContext,
  topic: string,
  options: IngestOptions,
): Promise<IngestResult> {
  const env = clientEnvironment(ctx);
  const lib = join(bundleDir(ctx.paths.cache, 'kafka', mavenBundle('kafka')), 'lib');
  const result = await run(
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
      String(options.records),
      '--record-size',
      String(options.recordSize),
      '--throughput',
      '-1',
      '--producer.config',
      env.SLUICE_JAVA_CLIENT_CONFIG!,
      '--producer-props',
      `bootstrap.servers=${env.SLUICE_BOOTSTRAP_SERVERS}`,
      'acks=all',
      'enable.idempotence=true',
      'compression.type=gzip',
      'linger.ms=20',
    ],
    { timeoutMs: 30 * 60_000 },
  );
  // Last summary line: "N records sent, X records/sec (Y MB/sec), …"
  const match = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(
    result.stdout.split('\n').reverse().join('\n'),
  );
  if (result.code !== 0 || !match)
    throw new Error(
      `ProducerPerformance failed (${result.code}): ${result.stderr.slice(-1000)}${result.stdout.slice(-500)}`,
    );
  return {
    client: 'Kafka ProducerPerformance (Java)',
    records: Number(match[1]),
    recordsPerSecond: Number(match[2]),
    mbPerSecond: Number(match[3]),
  };
}

/** Random letters A–Z, made once and sent with every record, as ProducerPerformance's payload is. */
function randomLetters(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, () => 65 + Math.floor(Math.random() * 26)));
}

/** @platformatic/kafka, in its own process: it is published as ES modules only (bench/platformatic-producer.mjs). */
async function platformaticKafka(ctx: PlatformContext, topic: string, options: IngestOptions): Promise<IngestResult> {
  const script = join(repoRoot(), 'bench', 'platformatic-producer.mjs');
  const result = await run(process.execPath, [script, topic, String(options.records), String(options.recordSize)], {
    env: { ...process.env, ...clientEnvironment(ctx) },
    timeoutMs: 30 * 60_000,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code !== 0 || !line.startsWith('{'))
    throw new Error(`@platformatic/kafka run failed (${result.code}): ${result.stderr.slice(-1000)}`);
  const { records, seconds } = JSON.parse(line) as { records: number; seconds: number };
  return {
    client: '@platformatic/kafka (batches of 1000)',
    records,
    recordsPerSecond: records / seconds,
    mbPerSecond: (records * options.recordSize) / seconds / (1024 * 1024),
  };
}

/** kafkajs alone, batched like the @platformatic/kafka run: tells the engine's cost from the client's. */
async function plainKafkajs(ctx: PlatformContext, topic: string, options: IngestOptions): Promise<IngestResult> {
  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-ingest-kafkajs'), {
    retries: 10,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const payload = randomLetters(options.recordSize);
  const started = process.hrtime.bigint();
  let sent = 0;
  try {
    while (sent < options.records) {
      const count = Math.min(1000, options.records - sent);
      await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: Array.from({ length: count }, (_, i) => ({ key: `k${(sent + i) % 64}`, value: payload })),
      });
      sent += count;
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    client: 'kafkajs alone (batches of 1000)',
    records: sent,
    recordsPerSecond: sent / seconds,
    mbPerSecond: (sent * options.recordSize) / seconds / (1024 * 1024),
  };
}

async function sluiceEngine(ctx: PlatformContext, topic: string, options: IngestOptions): Promise<IngestResult> {
  const kafka = createKafka(kafkaConnection(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!, 'bench-ingest'), {
    retries: 10,
  });
  // A payload of the same size as ProducerPerformance's: 5 bytes of wire header, Avro length prefix, bytes.
  const type = parseSchema({
    type: 'record',
    name: 'Payload',
    namespace: 'dev.sluice.bench',
    fields: [{ name: 'data', type: 'bytes' }],
  });
  const data = randomLetters(Math.max(1, options.recordSize - 8));
  let produced = 0;
  const source: RecordSource = {
    next: (now) =>
      produced < options.records ? [{ topic, key: `k${produced++ % 64}`, timestamp: now, value: { data } }] : [],
  };
  const metrics = new ProducerMetrics('bench-ingest');
  const engine = new ProduceEngine({
    kafka,
    metrics,
    log: createLogger({ level: 'warn' }),
    serializers: new Map([[topic, { schemaId: 1, type }]]),
    // Unbounded in practice: the loop sends whatever is due, so throughput is limited by the client.
    ratePerSecond: 10_000_000,
    lingerMs: 20,
  });
  const started = Date.now();
  const stopper = setInterval(() => {
    if (metrics.totals.sent + metrics.totals.failed >= options.records) engine.stop();
  }, 50);
  const summary = await engine.run(source);
  clearInterval(stopper);
  const seconds = (Date.now() - started) / 1000;
  return {
    client: 'Sluice engine (kafkajs)',
    records: summary.sent,
    recordsPerSecond: summary.sent / seconds,
    mbPerSecond: (summary.sent * options.recordSize) / seconds / (1024 * 1024),
  };
}

export async function benchIngest(
  ctx: PlatformContext,
  options: IngestOptions,
): Promise<{ results: IngestResult[]; ratio: number }> {
  const admin = adminClient(ctx);
  const topics = ['java', 'sluice', 'kafkajs', 'platformatic'].map((client) => `bench.ingest.${client}.${Date.now()}`);
  try {
    for (const name of topics)
      await admin.createTopic({ name, partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
    const java = await kafkaProducerPerformance(ctx, topics[0]!, options);
    const sluice = await sluiceEngine(ctx, topics[1]!, options);
    const kafkajs = await plainKafkajs(ctx, topics[2]!, options);
    const platformatic = await platformaticKafka(ctx, topics[3]!, options);
    return { results: [java, sluice, kafkajs, platformatic], ratio: sluice.recordsPerSecond / java.recordsPerSecond };
  } finally {
    for (const name of topics) await admin.deleteTopic(name).catch(() => undefined);
    await admin.close();
  }
}

export function renderIngest(options: IngestOptions, results: IngestResult[], ratio: number): string {
  const rows = results.map(
    (r) =>
      `| ${r.client} | ${r.records} | ${r.recordsPerSecond.toFixed(0)} | ${r.mbPerSecond.toFixed(2)} | ${(r.recordsPerSecond / results[0]!.recordsPerSecond).toFixed(2)} |`,
  );
  return [
    `Ingestion benchmark: ${options.records} records of ${options.recordSize} bytes, acks=all, idempotent, gzip, SASL_SSL/SCRAM-SHA-512, 3 brokers`,
    '',
    "| Client | Records | Records/s | MB/s | Ratio to Kafka's own |",
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Ratio (Sluice / Kafka's own producer): ${ratio.toFixed(2)}`,
  ].join('\n');
}
