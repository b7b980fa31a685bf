// The ingestion benchmark's run of @platformatic/kafka, a separate process because the package is ES
// modules only (bench/ingest.ts is compiled to CommonJS). The same settings as the other clients
// (bench/ingest.ts): SASL_SSL with SCRAM-SHA-512, acks=all, idempotence, gzip; no key, batches of
// batchBytes to one partition before the next; at most inFlight sends at once (bench/ingest.ts passes 1:
// with several sends in flight, 1.35.0's idempotent producer failed with OUT_OF_ORDER_SEQUENCE_NUMBER in
// most runs on this cluster, even with the first send alone); random letters, a different slice of a
// 4 MiB pool for every record; the first `warmup` records left out of the rate.
// Usage: node bench/platformatic-producer.mjs '{"topic":…,"records":…,"recordSize":…,"warmup":…,
// "batchBytes":…,"inFlight":…,"partitions":…}'; connection from the SLUICE_* variables of `sluice
// platform env`. Prints one JSON line: {"records": N, "seconds": S} (the records after the warm-up).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';

const o = JSON.parse(process.argv[2]);
const env = process.env;
const producer = new Producer({
  clientId: 'bench-ingest-platformatic',
  bootstrapBrokers: env.SLUICE_BOOTSTRAP_SERVERS.split(','),
  tls: { ca: readFileSync(env.SLUICE_CA_FILE, 'utf8'), rejectUnauthorized: true },
  sasl: {
    mechanism: 'SCRAM-SHA-512',
    username: env.SLUICE_KAFKA_USER,
    password: readFileSync(env.SLUICE_KAFKA_PASSWORD_FILE, 'utf8').trim(),
  },
  idempotent: true,
  acks: ProduceAcks.ALL,
  compression: 'gzip',
  serializers: { ...stringSerializers, value: (v) => v },
});

const POOL = 4 * 1024 * 1024;
const pool = globalThis.Buffer.allocUnsafe(POOL);
for (let i = 0; i < POOL; i++) pool[i] = 65 + Math.floor(Math.random() * 26);
const slots = Math.floor(POOL / o.recordSize);
const payload = (i) => pool.subarray((i % slots) * o.recordSize, (i % slots) * o.recordSize + o.recordSize);

const perBatch = Math.max(1, Math.floor(o.batchBytes / o.recordSize));
const inFlight = new Set();
let steadyFrom = 0;
try {
  for (let from = 0; from < o.records; from += perBatch) {
    const count = Math.min(perBatch, o.records - from);
    const partition = Math.floor(from / perBatch) % o.partitions;
    const messages = [];
    for (let i = from; i < from + count; i++) messages.push({ topic: o.topic, partition, value: payload(i) });
    if (from <= o.warmup && o.warmup < from + count) steadyFrom = performance.now();
    const sending = producer.send({ messages });
    inFlight.add(sending);
    sending.finally(() => inFlight.delete(sending)).catch(() => undefined);
    while (inFlight.size >= o.inFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
} finally {
  await producer.close();
}
const seconds = (performance.now() - steadyFrom) / 1000;
process.stdout.write(`${JSON.stringify({ records: o.records - o.warmup, seconds })}\n`);
