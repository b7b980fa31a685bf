/**
 * The produce loop without a broker: a stand-in transport records what each producer was given and when,
 * so the pacing, the batching over lanes, the flush on stop and the keep-up report can be checked to the
 * record. That the brokers acknowledge the same is test/integration/producer-engine.int.test.ts.
 */
import type { Kafka, ProducerBatch } from 'kafkajs';
import { parseSchema } from '../../lib/avro/wire';
import { createLogger } from '../../lib/log';
import { readSchema } from '../../schemas';
import { TOPIC_SCHEMAS, createSimulator } from '../simulators';
import {
  ProduceEngine,
  isTransientSendError,
  type EngineOptions,
  type OutgoingRecord,
  type RecordSource,
} from './engine';
import { ProducerMetrics } from './metrics';

const type = parseSchema({
  type: 'record',
  name: 'Numbered',
  namespace: 'dev.sluice.test',
  fields: [{ name: 'seq', type: 'long' }],
});

interface Sent {
  producer: number;
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer;
}

const seqOf = (s: Sent) => (type.fromBuffer(s.value.subarray(5)) as { seq: number }).seq;

/** A Kafka that acknowledges every batch after `latencyMs`, and fails the test on overlapping batches of one producer. */
function standIn(latencyMs: number) {
  const sent: Sent[] = [];
  const problems: string[] = [];
  let producers = 0;
  const kafka = {
    producer: () => {
      const id = producers++;
      let busy = false;
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async (batch: ProducerBatch) => {
          if (busy) problems.push(`producer ${id} got a second batch while one was in flight`);
          busy = true;
          await new Promise((r) => setTimeout(r, latencyMs));
          busy = false;
          for (const { topic, messages } of batch.topicMessages ?? [])
            for (const m of messages)
              sent.push({
                producer: id,
                topic,
                partition: m.partition as number,
                key: (m.key as string | null) ?? null,
                value: m.value as Buffer,
              });
          return [];
        },
      };
    },
    admin: () => {
      throw new Error('partitions are given');
    },
  } as unknown as Kafka;
  return { kafka, sent, problems };
}

function engine(kafka: Kafka, topics: Record<string, number>, options: Partial<EngineOptions> = {}, lines?: string[]) {
  const serializers = new Map(Object.keys(topics).map((t) => [t, { schemaId: 1, type }]));
  return new ProduceEngine({
    kafka,
    serializers,
    partitions: new Map(Object.entries(topics)),
    metrics: new ProducerMetrics('test-producer'),
    log: createLogger({ level: 'info', format: 'json', write: (line) => lines?.push(line) }),
    ...options,
  });
}

function counter(topic: string, keys = 20): RecordSource & { generated: number } {
  const source = {
    generated: 0,
    next: (now: number): OutgoingRecord[] => {
      const seq = source.generated++;
      return [{ topic, key: `device-${seq % keys}`, timestamp: now, value: { seq } }];
    },
  };
  return source;
}

test('holds a steady simulator at its rate: every event due in the run, none twice', async () => {
  const { kafka, sent, problems } = standIn(5);
  const simulator = createSimulator('finance', { seed: 3, eventsPerSecond: 2000, traffic: 'steady', anomalyRate: 0 });
  const topic = 'finance.transactions';
  const e = new ProduceEngine({
    kafka,
    serializers: new Map([[topic, { schemaId: 1, type: parseSchema(readSchema(TOPIC_SCHEMAS[topic]!)) }]]),
    partitions: new Map([[topic, 6]]),
    metrics: new ProducerMetrics('sim-finance'),
    log: createLogger({ level: 'error' }),
    expectedRate: (now) => simulator.expectedRate(now),
    durationMs: 3000,
  });
  const summary = await e.run({ start: (now) => void simulator.next(now), next: (now) => simulator.next(now) });
  expect(problems).toEqual([]);
  expect(summary.failed).toBe(0);
  expect(summary.sent).toBe(sent.length);
  expect(new Set(sent.map((s) => s.value.toString('base64'))).size).toBe(sent.length);
  // 2,000/s for 3 s: 6,000 within one event (steady slots), unless the machine running the test fell behind.
  expect(sent.length).toBeGreaterThanOrEqual(summary.behindMs > 0 ? 5700 : 5999);
  expect(sent.length).toBeLessThanOrEqual(6001);
  expect(summary.askedPerSecond).toBeCloseTo(2000, 5);
  expect(Math.abs(summary.ratePerSecond - 2000) / 2000).toBeLessThan(0.05);
}, 20_000);

test('a source step of 200,000 records and a preamble of 100,000 neither overflow the stack nor get lost', async () => {
  const { kafka, sent } = standIn(1);
  let given = false;
  const burst: RecordSource = {
    next: (now) => {
      if (given) return [];
      given = true;
      return Array.from({ length: 200_000 }, (_, seq) => ({
        topic: 't',
        key: `k${seq % 1000}`,
        timestamp: now,
        value: { seq },
      }));
    },
  };
  const preamble = Array.from({ length: 100_000 }, (_, seq) => ({
    topic: 'ref',
    key: `r${seq}`,
    timestamp: 0,
    value: { seq },
  }));
  const summary = await engine(kafka, { t: 6, ref: 3 }, { durationMs: 100, preamble }).run(burst);
  expect(summary.failures).toEqual([]);
  expect(sent.filter((s) => s.topic === 'ref')).toHaveLength(100_000);
  expect(sent.filter((s) => s.topic === 't')).toHaveLength(200_000);
  expect(summary.sent).toBe(300_000);
}, 60_000);

test('stop() sends everything pulled, each record once; a partition only ever goes through one producer', async () => {
  const { kafka, sent, problems } = standIn(15);
  const source = counter('t');
  const e = engine(kafka, { t: 6 }, { ratePerSecond: 3000, producers: 3 });
  setTimeout(() => e.stop(), 1000);
  const summary = await e.run(source);
  expect(problems).toEqual([]);
  expect(summary.sent).toBe(source.generated);
  expect(new Set(sent.map(seqOf)).size).toBe(source.generated);
  const owners = new Map<number, Set<number>>();
  for (const s of sent) owners.set(s.partition, (owners.get(s.partition) ?? new Set()).add(s.producer));
  expect([...owners.values()].every((set) => set.size === 1)).toBe(true);
  expect(new Set(sent.map((s) => s.producer)).size).toBe(3);
  // A key keeps its partition, and within a partition the records keep their order.
  for (let p = 0; p < 6; p++) {
    const seqs = sent.filter((s) => s.partition === p).map(seqOf);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }
  const partitionOf = new Map<string, number>();
  for (const s of sent)
    expect(partitionOf.set(s.key!, partitionOf.get(s.key!) ?? s.partition).get(s.key!)).toBe(s.partition);
}, 20_000);

test('a rate ceiling holds for a source that gives records on every call', async () => {
  const { kafka } = standIn(2);
  const summary = await engine(kafka, { t: 3 }, { ratePerSecond: 500, durationMs: 2000 }).run(counter('t'));
  expect(Math.abs(summary.ratePerSecond - 500) / 500).toBeLessThan(0.05);
}, 20_000);

test('says plainly when Kafka cannot keep up: the rate asked, the rate acknowledged, and why', async () => {
  const { kafka } = standIn(400);
  const lines: string[] = [];
  let now = 0;
  const source: RecordSource = {
    start: (t) => void (now = t),
    // 5,000 records a second are due; a batch holds 100 records (600 bytes) and takes 400 ms.
    next: (t) => {
      const out: OutgoingRecord[] = [];
      for (; now + 0.2 <= t; now += 0.2)
        out.push({ topic: 't', key: null, timestamp: Math.floor(now), value: { seq: 1 } });
      return out;
    },
  };
  const summary = await engine(
    kafka,
    { t: 1 },
    {
      durationMs: 5000,
      producers: 1,
      batchBytes: 600,
      maxPendingBytes: 3000,
      expectedRate: () => 5000,
      reportEveryMs: 1000,
    },
    lines,
  ).run(source);
  const warning = lines
    .map((l) => JSON.parse(l) as { level: string; msg?: string; message?: string })
    .find((l) => l.level === 'warn');
  const text = warning?.msg ?? warning?.message ?? '';
  expect(text).toMatch(
    /^test-producer: cannot keep up: asked 5,000\/s, Kafka acknowledged [\d,]+\/s over the last 1 s, and the records are [\d.]+ s behind real time\. Why: Kafka acknowledges too slowly: all 1 producer had a batch waiting for acks=all \d+% of the time, median \d+ ms per batch/,
  );
  expect(summary.behindMs).toBeGreaterThan(3000);
  expect(summary.askedPerSecond).toBeCloseTo(5000, -1);
  expect(summary.ratePerSecond).toBeLessThan(1000);
}, 20_000);

test('refuses a rate that is not positive and a number of producers that is not a positive integer', () => {
  const { kafka } = standIn(1);
  expect(() => engine(kafka, { t: 1 }, { ratePerSecond: 0 })).toThrow('rate must be a positive number');
  expect(() => engine(kafka, { t: 1 }, { producers: 1.5 })).toThrow('producers must be a positive integer');
});

describe('isTransientSendError', () => {
  test('a broker down or restarting is worth sending again; a record the broker refuses is not', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:31012'), {
      name: 'KafkaJSConnectionError',
    });
    const exhausted = Object.assign(new Error(refused.message), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: refused,
    });
    expect(isTransientSendError(exhausted)).toBe(true);
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    expect(isTransientSendError(tooLarge)).toBe(false);
    expect(
      isTransientSendError(
        Object.assign(new Error('x'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: tooLarge }),
      ),
    ).toBe(false);
  });
});
