import { Partitioners } from 'kafkajs';
import { Lanes, Partitioner, type QueuedMessage } from './lanes';

const message = (topic: string, partition: number, bytes: number, n = 0): QueuedMessage => ({
  topic,
  partition,
  key: `k${n}`,
  value: Buffer.alloc(bytes - 2),
  timestamp: String(n),
  bytes,
});

describe('Partitioner', () => {
  test("a keyed record goes where kafkajs' default (Java-compatible murmur2) partitioner puts it", () => {
    const partitioner = new Partitioner(new Map([['t', 6]]), 1000);
    const reference = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [],
      isr: [],
    }));
    for (let i = 0; i < 500; i++) {
      const key = `dev-${String(i).padStart(4, '0')}`;
      expect(partitioner.partition('t', key, 100)).toBe(
        reference({ topic: 't', partitionMetadata, message: { key, value: null } }),
      );
    }
  });

  test('records without a key stick to one partition for a batch of bytes, then move to the next', () => {
    const partitioner = new Partitioner(new Map([['t', 3]]), 1000);
    const partitions = Array.from({ length: 40 }, () => partitioner.partition('t', null, 100));
    expect(partitions).toEqual([
      ...Array(10).fill(0),
      ...Array(10).fill(1),
      ...Array(10).fill(2),
      ...Array(10).fill(0),
    ]);
  });

  test('refuses a topic whose partitions it does not know', () => {
    expect(() => new Partitioner(new Map(), 10).partition('nope', 'k', 1)).toThrow('no partition count for topic nope');
  });
});

describe('Lanes', () => {
  test('a partition belongs to exactly one lane, and the partitions spread over the lanes', () => {
    const lanes = new Lanes({ lanes: 3, batchBytes: 1000 });
    const owners = new Map<string, Set<number>>();
    for (const topic of ['a', 'b'])
      for (let p = 0; p < 6; p++)
        for (let i = 0; i < 3; i++) {
          const id = `${topic}/${p}`;
          if (!owners.has(id)) owners.set(id, new Set());
          owners.get(id)!.add(lanes.laneOf(topic, p));
        }
    for (const set of owners.values()) expect(set.size).toBe(1);
    const perLane = [0, 1, 2].map((lane) => [...owners.values()].filter((s) => s.has(lane)).length);
    expect(perLane).toEqual([4, 4, 4]);
  });

  test('take() sends at most a batch of bytes per partition, in order, and leaves the rest for the next', () => {
    const lanes = new Lanes({ lanes: 1, batchBytes: 300 });
    for (let n = 0; n < 5; n++) lanes.add(message('t', 0, 100, n), 1000 + n);
    for (let n = 5; n < 7; n++) lanes.add(message('t', 1, 100, n), 1000 + n);
    expect(lanes.pendingRecords).toBe(7);
    expect(lanes.pendingBytes).toBe(700);
    expect(lanes.full(0)).toBe(true);
    expect(lanes.oldestAt(0)).toBe(1000);

    const first = lanes.take(0);
    expect(first.records).toBe(5);
    expect(first.topicMessages).toEqual([{ topic: 't', messages: expect.any(Array) }]);
    expect(first.topicMessages[0]!.messages.map((m) => [m.partition, m.timestamp])).toEqual([
      [0, '0'],
      [0, '1'],
      [0, '2'],
      [1, '5'],
      [1, '6'],
    ]);
    // Two records of partition 0 wait: they are due with the next batch (their wait began at 1000).
    expect(lanes.pending(0)).toBe(true);
    expect(lanes.oldestAt(0)).toBe(1000);
    expect(lanes.full(0)).toBe(false);
    const second = lanes.take(0);
    expect(second.topicMessages[0]!.messages.map((m) => m.timestamp)).toEqual(['3', '4']);
    expect(lanes.pending(0)).toBe(false);
    expect(lanes.pendingRecords).toBe(0);
    expect(lanes.pendingBytes).toBe(0);
  });

  test('a record larger than the batch still leaves, alone', () => {
    const lanes = new Lanes({ lanes: 1, batchBytes: 50 });
    lanes.add(message('t', 0, 100, 1), 0);
    lanes.add(message('t', 0, 100, 2), 0);
    expect(lanes.take(0).records).toBe(1);
    expect(lanes.take(0).records).toBe(1);
  });

  test('a long queue stays cheap: 200,000 records in and out of one partition', () => {
    const lanes = new Lanes({ lanes: 1, batchBytes: 100 * 1000 });
    for (let n = 0; n < 200_000; n++) lanes.add(message('t', 0, 100, n), 0);
    let out = 0;
    let inOrder = true;
    while (lanes.pending(0)) {
      for (const { messages } of lanes.take(0).topicMessages)
        for (const m of messages) inOrder &&= Number(m.timestamp) === out++;
    }
    expect(out).toBe(200_000);
    expect(inOrder).toBe(true);
  });
});
