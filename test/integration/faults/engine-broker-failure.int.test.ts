/**
 * Fault: the producer engine keeps its promise while a broker is killed with -9 mid-run and restarted.
 * Nothing fails (sends are retried within the delivery timeout), and every record it generated is in the
 * topic exactly once: counted by key, with no sequence number missing or repeated.
 */
import { unsuperviseComponents } from '../../../orchestrator/platform/supervisor/client';
import { createKafka } from '../../../lib/kafka/connection';
import { createLogger } from '../../../lib/log';
import { decodeWireHeader, parseSchema } from '../../../lib/avro/wire';
import { ProduceEngine, type RecordSource } from '../../../producers/engine/engine';
import { ProducerMetrics } from '../../../producers/engine/metrics';
import { pidFileOf, type Component } from '../../../orchestrator/platform/component';
import { componentNamed, up } from '../../../orchestrator/platform/platform';
import { readPid } from '../../../orchestrator/platform/processes';
import { adminClient, adminConnection, testContext, uniqueName } from '../helpers';

const ctx = testContext();
const admin = adminClient(ctx);
const kafka = createKafka(adminConnection(ctx), { retries: 10 });
const topic = uniqueName('engine-fault');
const KEYS = 25;
const type = parseSchema({
  type: 'record',
  name: 'Numbered',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'seq', type: 'long' },
    { name: 'key', type: 'string' },
  ],
});
let victim: Component | undefined;

afterAll(async () => {
  if (victim) await up(ctx, [victim.name]);
  await admin.deleteTopic(topic).catch(() => undefined);
  await admin.close();
});

async function leaderOfPartitionZero(): Promise<number> {
  const client = kafka.admin();
  await client.connect();
  try {
    return (await client.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.find(
      (p) => p.partitionId === 0,
    )!.leader;
  } finally {
    await client.disconnect();
  }
}

test('a broker killed mid-run loses no record and duplicates none, counted by key', async () => {
  await admin.createTopic({ name: topic, partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  const target = componentNamed(`kafka-${await leaderOfPartitionZero()}`);
  victim = target;

  let seq = 0;
  const generated = new Map<string, number>(); // records generated per key
  const source: RecordSource = {
    next: (now) => {
      const key = `device-${seq % KEYS}`;
      generated.set(key, (generated.get(key) ?? 0) + 1);
      return [{ topic, key, timestamp: now, value: { seq: seq++, key } }];
    },
  };
  const engine = new ProduceEngine({
    kafka,
    metrics: new ProducerMetrics(uniqueName('engine-fault')),
    log: createLogger({ level: 'error' }),
    serializers: new Map([[topic, { schemaId: 1, type }]]),
    ratePerSecond: 150,
    durationMs: 20_000,
  });
  // Kept down on purpose until `up` below: this case is a broker that stays dead (the supervisor would
  // bring it back within seconds; faults/supervision.int.test.ts covers that).
  await unsuperviseComponents(ctx, [target.name]);
  const killer = setTimeout(() => process.kill(readPid(pidFileOf(ctx, target.name))!, 'SIGKILL'), 6_000);
  const summary = await engine.run(source);
  clearTimeout(killer);
  await up(ctx, [target.name]);

  expect(summary.failures).toEqual([]);
  expect(summary.sent).toBe(seq);

  // Read every partition to its end offset and count each key's sequence numbers.
  const offsetsClient = kafka.admin();
  await offsetsClient.connect();
  const ends = new Map((await offsetsClient.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await offsetsClient.disconnect();
  const position = new Map<number, number>([...ends.keys()].map((p) => [p, 0]));
  const seen = new Map<number, number>();
  const perKey = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: uniqueName('engine-fault-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.size} of ${seq}`)), 90_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) >= position.get(partition)!) {
          const value = type.fromBuffer(decodeWireHeader(message.value!).body) as { seq: number; key: string };
          seen.set(value.seq, (seen.get(value.seq) ?? 0) + 1);
          perKey.set(value.key, (perKey.get(value.key) ?? 0) + 1);
          position.set(partition, Number(message.offset) + 1);
        }
        if ([...ends].every(([p, high]) => position.get(p)! >= high)) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();

  expect([...seen.values()].filter((count) => count !== 1)).toEqual([]);
  expect(seen.size).toBe(seq);
  expect(Object.fromEntries(perKey)).toEqual(Object.fromEntries(generated));
});
