/**
 * How far each consumer of the pipeline is behind, from what the servers expose, for
 * `npm run bench -- pipeline`. Pure: the benchmark fetches the texts and offsets and passes them in.
 *
 * - A Flink job: its Kafka sources' position per partition (the reporter's
 *   `…KafkaSourceReader_topic_partition_currentOffset`, the offset of the last record fetched) against
 *   the partition's end offset. Not the group's committed offsets: every job reads in the one group
 *   `flink-sluice`, so what the group holds for a topic is whichever job committed last.
 * - A Connect sink: its group's committed offsets against the end offsets (computed by the caller).
 * - The anomaly service: its own metric, `sluice_consumer_lag{group, topic}` (end offsets minus its
 *   group's committed offsets, measured by the service every 15 s).
 */

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Prometheus' text format: the samples whose name passes `wanted` (comments and others skipped). */
export function parseMetrics(text: string, wanted: (name: string) => boolean = () => true): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    // The name first, so that the lines not wanted (most of a Flink scrape) cost no regular expression.
    const end = line.search(/[{\s]/);
    if (!wanted(end < 0 ? line : line.slice(0, end))) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[3]);
    if (!Number.isNaN(value)) out.push({ name: match[1]!, labels, value });
  }
  return out;
}

/** Flink's Prometheus reporter writes every character outside [a-zA-Z0-9:_] of a label value as `_`. */
export const flinkLabel = (value: string): string => value.replace(/[^a-zA-Z0-9:_]/g, '_');

/**
 * `sluice_web_enriched_3f2a…` (the job `sluice.web-enriched.<version>`, clients/flink-types.ts) →
 * `web-enriched`: job names are [a-z0-9-], so every `_` left was a `-`.
 */
export function flinkJobName(label: string): string {
  return label
    .replace(/^sluice_/, '')
    .replace(/_[0-9a-f]{12}$/, '')
    .replaceAll('_', '-');
}

/** End offsets: topic → partition → the offset the next record will get. */
export type EndOffsets = ReadonlyMap<string, ReadonlyMap<number, number>>;

export interface ConsumerLag {
  /** The topics it reads (real names). */
  topics: string[];
  /** Records behind, summed over its topics and partitions. */
  records: number;
}

export const FLINK_CURRENT_OFFSET =
  'flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset';

/**
 * Per Flink job (by its name without prefix and version), the records its sources are behind. A
 * partition from which nothing has been fetched yet (offset −1), or whose end offset is not in `ends`,
 * is left out. Topic labels are matched back to `topics`, by default those of `ends` (the reporter
 * changed their dots).
 */
export function flinkLags(
  series: readonly Series[],
  ends: EndOffsets,
  topics: Iterable<string> = ends.keys(),
): Map<string, ConsumerLag> {
  const topicOf = new Map([...topics].map((t) => [flinkLabel(t), t]));
  // (job, topic, partition) → the highest position reported (one subtask reads a partition).
  const positions = new Map<string, { job: string; topic: string; partition: number; offset: number }>();
  const jobs = new Map<string, ConsumerLag>();
  for (const s of series) {
    if (s.name !== FLINK_CURRENT_OFFSET) continue;
    const job = flinkJobName(s.labels.job_name ?? '');
    const topic = topicOf.get(s.labels.topic ?? '');
    const partition = Number(s.labels.partition);
    if (!job || topic === undefined || !Number.isInteger(partition)) continue;
    if (!jobs.has(job)) jobs.set(job, { topics: [], records: 0 });
    const lag = jobs.get(job)!;
    if (!lag.topics.includes(topic)) lag.topics.push(topic);
    if (s.value < 0) continue;
    const key = `${job}\u0000${topic}\u0000${partition}`;
    const seen = positions.get(key);
    if (!seen || s.value > seen.offset) positions.set(key, { job, topic, partition, offset: s.value });
  }
  for (const { job, topic, partition, offset } of positions.values()) {
    const end = ends.get(topic)?.get(partition);
    if (end === undefined) continue;
    jobs.get(job)!.records += Math.max(0, end - (offset + 1));
  }
  for (const lag of jobs.values()) lag.topics.sort();
  return jobs;
}

/** The anomaly service's own lag metric, summed over the topics its group reads. */
export function anomalyLag(series: readonly Series[], group = 'sluice-anomaly'): ConsumerLag | undefined {
  const mine = series.filter((s) => s.name === 'sluice_consumer_lag' && s.labels.group === group);
  if (mine.length === 0) return undefined;
  return {
    topics: [...new Set(mine.map((s) => s.labels.topic!))].sort(),
    records: mine.reduce((sum, s) => sum + Math.max(0, s.value), 0),
  };
}

/**
 * A consumer group's lag from its committed offsets: end minus committed per partition; a partition
 * with no committed offset counts from its start (`low`), as the anomaly service counts.
 */
export function groupLag(
  committed: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ partition: number; offset: number }> }>,
  ends: EndOffsets,
  lows: EndOffsets = new Map(),
): ConsumerLag {
  let records = 0;
  const topics: string[] = [];
  for (const { topic, partitions } of committed) {
    topics.push(topic);
    for (const [partition, end] of ends.get(topic) ?? []) {
      const offset = partitions.find((p) => p.partition === partition)?.offset ?? -1;
      const from = offset >= 0 ? offset : (lows.get(topic)?.get(partition) ?? 0);
      records += Math.max(0, end - from);
    }
  }
  return { topics: topics.sort(), records };
}
