/**
 * Fault: a broker is killed with -9 while an idempotent acks=all producer sends numbered messages, then
 * restarted. Every acknowledged message must be read back exactly once, and the broker must rejoin the ISR.
 */
import { pidFileOf, type Component } from '../../../orchestrator/platform/component';
import { componentNamed, up } from '../../../orchestrator/platform/platform';
import { readPid } from '../../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../../orchestrator/platform/wait';
import { adminClient, adminConnection, testContext, uniqueName } from '../helpers';
import { createKafka } from '../../../lib/kafka/connection';

const ctx = testContext();
const admin = adminClient(ctx);
const kafka = createKafka(adminConnection(ctx), { retries: 10 });
const topic = uniqueName('broker-failure');
const MESSAGES = 400;
const BATCH = 10;

let victim: Component | undefined;

afterAll(async () => {
  // Whatever happened, leave the platform whole for the suites after this one.
  if (victim) await up(ctx, [victim.name]);
  await admin.deleteTopic(topic).catch(() => undefined);
  await admin.close();
});

async function partitionsOfTopic() {
  const client = kafka.admin();
  await client.connect();
  try {
    return (await client.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
  } finally {
    await client.disconnect();
  }
}

const leaderOfPartitionZero = async () => (await partitionsOfTopic()).find((p) => p.partitionId === 0)!.leader;
const fullyReplicated = async () => (await partitionsOfTopic()).every((p) => p.isr.length === 3);

test('kill -9 of a partition leader loses no acknowledged message and duplicates none; the broker rejoins the ISR', async () => {
  await admin.createTopic({ name: topic, partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  const victimId = await leaderOfPartitionZero();
  const target = componentNamed(`kafka-${victimId}`);
  victim = target;

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 15, maxRetryTime: 10_000 },
  });
  await producer.connect();
  const acknowledged: number[] = [];
  const failed: number[] = [];
  let killed = false;
  for (let start = 0; start < MESSAGES; start += BATCH) {
    if (!killed && start >= MESSAGES / 4) {
      process.kill(readPid(pidFileOf(ctx, target.name))!, 'SIGKILL');
      killed = true;
    }
    const ids = Array.from({ length: BATCH }, (_, i) => start + i);
    try {
      await producer.send({ topic, acks: -1, messages: ids.map((id) => ({ key: `k${id % 30}`, value: String(id) })) });
      acknowledged.push(...ids);
    } catch {
      failed.push(...ids); // not acknowledged: the test owes nothing for these
    }
  }
  await producer.disconnect();
  expect(killed).toBe(true);
  // Nearly everything must have been acknowledged: the cluster keeps a quorum and 2 in-sync replicas.
  expect(acknowledged.length).toBeGreaterThanOrEqual(MESSAGES * 0.9);

  await up(ctx, [target.name]);
  await waitFor(forCondition(`every partition of ${topic} to have 3 in-sync replicas`, 120_000, fullyReplicated), {
    intervalMs: 1000,
  });

  // Read every partition up to its end offset, so that a late duplicate could not slip by unseen.
  const offsetsClient = kafka.admin();
  await offsetsClient.connect();
  const ends = new Map((await offsetsClient.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await offsetsClient.disconnect();
  const position = new Map<number, number>([...ends.keys()].map((p) => [p, 0]));
  const caughtUp = () => [...ends].every(([p, high]) => position.get(p)! >= high);

  // Where each message id sits in the log: a consumer may be handed a record twice (a rebalance before
  // its first commit), but a duplicate *write* would sit at a second offset.
  const seen = new Map<number, Set<string>>();
  const consumer = kafka.consumer({ groupId: uniqueName('broker-failure-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `read ${seen.size} distinct messages; positions ${JSON.stringify([...position])}, ends ${JSON.stringify([...ends])}`,
          ),
        ),
      90_000,
    );
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const id = Number(message.value!.toString());
        if (!seen.has(id)) seen.set(id, new Set());
        seen.get(id)!.add(`${partition}:${message.offset}`);
        position.set(partition, Number(message.offset) + 1);
        if (caughtUp()) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();

  const missing = acknowledged.filter((id) => !seen.has(id));
  expect(missing).toEqual([]);
  for (const id of acknowledged) expect(seen.get(id)?.size).toBe(1);
  const duplicates = [...seen.entries()].filter(([, offsets]) => offsets.size > 1);
  expect(duplicates).toEqual([]);
});
