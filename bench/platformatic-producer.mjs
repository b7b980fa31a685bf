// The ingestion benchmark's run of @platformatic/kafka, a separate process because the package is ES
// modules only (bench/ingest.ts is compiled to CommonJS). Same settings as the other clients: SASL_SSL
// with SCRAM-SHA-512, acks=all, idempotence, gzip, one request in flight per partition's sequence
// (batches of 1000 records, the next sent when the previous one is acknowledged), the same payload.
// Usage: node bench/platformatic-producer.mjs <topic> <records> <recordSize>; connection from the
// SLUICE_* variables of `sluice platform env`. Prints one JSON line: {"records": N, "seconds": S}.
import { readFileSync } from 'node:fs';
import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';

const [topic, recordsText, sizeText] = process.argv.slice(2);
const records = Number(recordsText);
const recordSize = Number(sizeText);
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
// Random letters A-Z made once and sent with every record, as Kafka's ProducerPerformance does.
const payload = globalThis.Buffer.from(Array.from({ length: recordSize }, () => 65 + Math.floor(Math.random() * 26)));
const BATCH = 1000;
const started = process.hrtime.bigint();
let sent = 0;
try {
  while (sent < records) {
    const count = Math.min(BATCH, records - sent);
    const messages = Array.from({ length: count }, (_, i) => ({ topic, key: `k${(sent + i) % 64}`, value: payload }));
    await producer.send({ messages });
    sent += count;
  }
} finally {
  await producer.close();
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ records: sent, seconds })}\n`);
