/**
 * The producer engine against the real cluster: it holds the requested rate, every acknowledged record is
 * in the topic, and a record that does not match its schema is counted and reported, never sent.
 */
import { createKafka } from '../../lib/kafka/connection';
import { createLogger } from '../../lib/log';
import { decodeWireHeader, parseSchema } from '../../lib/avro/wire';
import { ProduceEngine, type OutgoingRecord, type RecordSource } from '../../producers/engine/engine';
import { ProducerMetrics } from '../../producers/engine/metrics';
import { adminClient, adminConnection, testContext, uniqueName } from './helpers';

const ctx = testContext();
const admin = adminClient(ctx);
const kafka = createKafka(adminConnection(ctx), { retries: 5 });
const type = parseSchema({
  type: 'record',
  name: 'Reading',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'seq', type: 'long' },
    { name: 'device_id', type: 'string' },
    { name: 'temperature_c', type: 'double' },
  ],
});
const SCHEMA_ID = 7;

afterAll(() => admin.close());

function counter(topic: string, bad: (i: number) => boolean = () => false): RecordSource {
  let i = 0;
  return {
    next: (now) => {
      const seq = i++;
      const record: OutgoingRecord = {
        topic,
        key: `device-${seq % 20}`,
        timestamp: now,
        value: { seq, device_id: `device-${seq % 20}`, temperature_c: bad(seq) ? 'hot' : 20 + (seq % 7) },
      };
      return [record];
    },
  };
}

async function endOffsetsTotal(topic: string): Promise<number> {
  const client = kafka.admin();
  await client.connect();
  try {
    return (await client.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await client.disconnect();
  }
}

function engine(topic: string, ratePerSecond: number, durationMs: number) {
  return new ProduceEngine({
    kafka,
    serializers: new Map([[topic, { schemaId: SCHEMA_ID, type }]]),
    metrics: new ProducerMetrics(uniqueName('test-producer')),
    log: createLogger({ level: 'error' }),
    ratePerSecond,
    durationMs,
  });
}

test('holds the requested rate within 5% over 60 s, and every acknowledged record is in the topic', async () => {
  const topic = uniqueName('engine-rate');
  await admin.createTopic({ name: topic, partitions: 3, replicationFactor: 3, config: {} });
  try {
    const summary = await engine(topic, 200, 60_000).run(counter(topic));
    const rate = (summary.sent * 1000) / summary.elapsedMs;
    expect(summary.failed).toBe(0);
    expect(Math.abs(rate - 200) / 200).toBeLessThan(0.05);
    expect(await endOffsetsTotal(topic)).toBe(summary.sent);
  } finally {
    await admin.deleteTopic(topic);
  }
});

test('a record that does not match its schema is counted, reported with the field, and not sent', async () => {
  const topic = uniqueName('engine-bad');
  await admin.createTopic({ name: topic, partitions: 1, replicationFactor: 3, config: {} });
  try {
    const summary = await engine(topic, 100, 3_000).run(counter(topic, (i) => i % 10 === 3));
    const serialization = summary.failures.find((f) => f.reason === 'serialization');
    expect(serialization?.count).toBeGreaterThan(0);
    expect(serialization?.example).toMatch(
      /key=device-\d+ does not match Avro schema dev\.sluice\.test\.Reading: temperature_c="hot"/,
    );
    expect(summary.sent + summary.failed).toBeGreaterThanOrEqual(290);
    expect(await endOffsetsTotal(topic)).toBe(summary.sent);

    // What was sent is in the wire format, with the schema id the engine was given.
    const consumer = kafka.consumer({ groupId: uniqueName('engine-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const first = await new Promise<Buffer>(
      (resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!) }),
    );
    await consumer.disconnect();
    const { schemaId, body } = decodeWireHeader(first);
    expect(schemaId).toBe(SCHEMA_ID);
    expect(type.fromBuffer(body)).toMatchObject({ device_id: expect.stringMatching(/^device-/) });
  } finally {
    await admin.deleteTopic(topic);
  }
});
