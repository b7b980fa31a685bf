/**
 * Where each record goes and when it leaves, as pure logic (no Kafka): the partition of a record (the
 * key's murmur2 hash, as the Java client and kafkajs compute it; records without a key stick to one
 * partition until a batch's worth has gone to it, as the Java client's built-in partitioner does), and
 * the lane of that partition. Each lane is one idempotent producer with at most one batch in flight, and
 * owns its partitions alone: a partition's sequence numbers only ever come from one producer, one
 * request at a time, so they stay right when a request is retried after a leader change. Several lanes
 * give several batches in flight at once.
 */
import { Partitioners, type PartitionMetadata, type PartitionerArgs } from 'kafkajs';

export interface QueuedMessage {
  topic: string;
  partition: number;
  key: string | null;
  value: Buffer;
  /** Kafka record timestamp, ms since the epoch, as kafkajs takes it. */
  timestamp: string;
  /** Serialized size (key and value), for the batch limits. */
  bytes: number;
}

type PartitionFn = (args: PartitionerArgs) => number;

export class Partitioner {
  private readonly murmur: PartitionFn = Partitioners.DefaultPartitioner();
  private readonly metadata = new Map<string, PartitionMetadata[]>();
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();

  /** `partitions`: the partition count of every topic; `stickyBytes`: how much goes to one partition before the next (no key). */
  constructor(
    private readonly partitions: ReadonlyMap<string, number>,
    private readonly stickyBytes: number,
  ) {}

  count(topic: string): number {
    const count = this.partitions.get(topic);
    if (count === undefined) throw new Error(`no partition count for topic ${topic}`);
    return count;
  }

  partition(topic: string, key: string | null, bytes: number): number {
    const count = this.count(topic);
    if (key !== null) {
      let metadata = this.metadata.get(topic);
      if (!metadata) {
        metadata = Array.from({ length: count }, (_, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: 0,
          replicas: [],
          isr: [],
        }));
        this.metadata.set(topic, metadata);
      }
      return this.murmur({ topic, partitionMetadata: metadata, message: { key, value: null } });
    }
    let state = this.sticky.get(topic);
    if (!state) {
      state = { partition: 0, bytes: 0 };
      this.sticky.set(topic, state);
    }
    if (state.bytes >= this.stickyBytes) {
      state.partition = (state.partition + 1) % count;
      state.bytes = 0;
    }
    state.bytes += bytes;
    return state.partition;
  }
}

/** A FIFO of messages of one partition. */
class PartitionQueue {
  private items: QueuedMessage[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(message: QueuedMessage): void {
    this.items.push(message);
    this.bytes += message.bytes;
  }

  /** Removes messages from the front up to `maxBytes` (at least one). */
  take(maxBytes: number): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    let bytes = 0;
    while (this.head < this.items.length) {
      const message = this.items[this.head] as QueuedMessage;
      if (out.length > 0 && bytes + message.bytes > maxBytes) break;
      out.push(message);
      bytes += message.bytes;
      this.head++;
    }
    this.bytes -= bytes;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}

export interface LaneBatch {
  lane: number;
  /** Per topic, the messages in partition order. */
  topicMessages: Array<{ topic: string; messages: QueuedMessage[] }>;
  records: number;
  bytes: number;
}

export interface LaneOptions {
  lanes: number;
  /** Most bytes of one partition in one request (the Java client's batch.size; the broker refuses a batch above message.max.bytes). */
  batchBytes: number;
}

/** Messages waiting to leave, per lane and partition. Bounded by the engine: it stops pulling past its limit. */
export class Lanes {
  private readonly queues: Array<Map<string, PartitionQueue>>;
  private readonly oldest: number[];
  private readonly topicIndex = new Map<string, number>();
  pendingRecords = 0;
  pendingBytes = 0;

  constructor(private readonly options: LaneOptions) {
    if (!(options.lanes >= 1)) throw new RangeError('at least one lane');
    this.queues = Array.from({ length: options.lanes }, () => new Map());
    this.oldest = Array.from({ length: options.lanes }, () => Infinity);
  }

  get count(): number {
    return this.options.lanes;
  }

  /** The lane that owns `partition` of `topic`: partitions spread over the lanes, each topic starting one further. */
  laneOf(topic: string, partition: number): number {
    let index = this.topicIndex.get(topic);
    if (index === undefined) {
      index = this.topicIndex.size;
      this.topicIndex.set(topic, index);
    }
    return (index + partition) % this.options.lanes;
  }

  add(message: QueuedMessage, now: number): void {
    const lane = this.laneOf(message.topic, message.partition);
    const queues = this.queues[lane] as Map<string, PartitionQueue>;
    const id = `${message.topic}\u0000${message.partition}`;
    let queue = queues.get(id);
    if (!queue) {
      queue = new PartitionQueue();
      queues.set(id, queue);
    }
    queue.push(message);
    if (this.oldest[lane] === Infinity) this.oldest[lane] = now;
    this.pendingRecords++;
    this.pendingBytes += message.bytes;
  }

  pending(lane: number): boolean {
    return this.oldest[lane] !== Infinity;
  }

  /** When the lane's oldest waiting message arrived (Infinity when none waits). */
  oldestAt(lane: number): number {
    return this.oldest[lane] as number;
  }

  /** A partition of the lane has a full batch waiting. */
  full(lane: number): boolean {
    for (const queue of (this.queues[lane] as Map<string, PartitionQueue>).values())
      if (queue.bytes >= this.options.batchBytes) return true;
    return false;
  }

  /** Takes up to one batch (batchBytes) of every partition of the lane. */
  take(lane: number): LaneBatch {
    const queues = this.queues[lane] as Map<string, PartitionQueue>;
    const byTopic = new Map<string, QueuedMessage[]>();
    let records = 0;
    let bytes = 0;
    let left = false;
    for (const [id, queue] of queues) {
      if (queue.length === 0) {
        queues.delete(id);
        continue;
      }
      const messages = queue.take(this.options.batchBytes);
      const topic = (messages[0] as QueuedMessage).topic;
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      for (const message of messages) {
        list.push(message);
        bytes += message.bytes;
      }
      records += messages.length;
      if (queue.length > 0) left = true;
      else queues.delete(id);
    }
    this.pendingRecords -= records;
    this.pendingBytes -= bytes;
    // What is left has waited since the lane's oldest message at least: it leaves with the next batch.
    if (!left) this.oldest[lane] = Infinity;
    return { lane, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), records, bytes };
  }
}
