/**
 * The topic-level configs Kafka accepts, so a misspelt key (`retention.mss`) is refused with the spec's
 * other issues instead of planned (as "reset retention.ms to the default, set retention.mss") and failing
 * only when applied.
 *
 * The list is the 33 keys a Kafka 4.3.1 broker (the local platform's) lists for a topic in DescribeConfigs,
 * read from the demo platform on 2026-12-05; Kafka's topic-config documentation (3.9 to 4.x) names the
 * same keys, 3.9 with the three that 4.0 removed, which are refused below with what replaced them, as the
 * platform runs 4.x. A Kafka release that adds a topic config adds it here (the test names the count).
 */
import type { Segment } from './path';
import type { LocatedIssue } from './schema-issues';
import { closest } from './suggest';

export const TOPIC_CONFIG_KEYS: ReadonlySet<string> = new Set([
  'cleanup.policy',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.type',
  'compression.zstd.level',
  'delete.retention.ms',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'index.interval.bytes',
  'leader.replication.throttled.replicas',
  'local.retention.bytes',
  'local.retention.ms',
  'max.compaction.lag.ms',
  'max.message.bytes',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.type',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
  'min.insync.replicas',
  'preallocate',
  'remote.log.copy.disable',
  'remote.log.delete.on.disable',
  'remote.storage.enable',
  'retention.bytes',
  'retention.ms',
  'segment.bytes',
  'segment.index.bytes',
  'segment.jitter.ms',
  'segment.ms',
  'unclean.leader.election.enable',
]);

/** Topic configs of Kafka 3.x that Kafka 4.0 removed (KIP-724, KIP-937): what to write instead. */
const REMOVED_IN_KAFKA_4: Readonly<Record<string, string>> = {
  'message.format.version':
    'remove it: Kafka 4.0 removed it (every topic uses the v2 record format, the only one 4.x writes)',
  'message.downconversion.enable': 'remove it: Kafka 4.0 no longer down-converts records, so it has no effect',
  'message.timestamp.difference.max.ms':
    'use message.timestamp.before.max.ms and message.timestamp.after.max.ms, which replaced it in Kafka 4.0',
};

/** Broker-level names people write for a topic's (`log.retention.ms` for `retention.ms`). */
function brokerName(key: string): string | undefined {
  if (!key.startsWith('log.')) return undefined;
  const rest = key.slice('log.'.length);
  if (TOPIC_CONFIG_KEYS.has(rest)) return rest;
  // log.cleaner.delete.retention.ms, log.segment.delete.delay.ms, log.roll.ms: the documented server defaults.
  const known: Record<string, string> = {
    'cleaner.delete.retention.ms': 'delete.retention.ms',
    'cleaner.min.compaction.lag.ms': 'min.compaction.lag.ms',
    'cleaner.max.compaction.lag.ms': 'max.compaction.lag.ms',
    'cleaner.min.cleanable.ratio': 'min.cleanable.dirty.ratio',
    'segment.delete.delay.ms': 'file.delete.delay.ms',
    'roll.ms': 'segment.ms',
    'roll.jitter.ms': 'segment.jitter.ms',
    'flush.interval.messages': 'flush.messages',
    'flush.interval.ms': 'flush.ms',
    'index.size.max.bytes': 'segment.index.bytes',
  };
  return known[rest];
}

/**
 * Issues for the keys of one topic's `config` that are not topic-level configs, each with the key it is
 * probably meant to be. `at` is the path of the config mapping (`['topics', 3, 'config']`).
 */
export function topicConfigKeyIssues(config: Record<string, unknown>, at: Segment[]): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  for (const key of Object.keys(config)) {
    if (TOPIC_CONFIG_KEYS.has(key)) continue;
    // Not a config name at all: the schema's pattern already says so.
    if (!/^[a-z][a-z0-9._-]*$/.test(key)) continue;
    const segments = [...at, key];
    const removed = REMOVED_IN_KAFKA_4[key];
    if (removed) {
      issues.push({ segments, message: `topic config '${key}' no longer exists in Kafka 4.x`, fix: removed });
      continue;
    }
    const meant = brokerName(key) ?? closest(key, TOPIC_CONFIG_KEYS);
    issues.push({
      segments,
      message: `unknown topic config '${key}'${meant ? ` (did you mean ${meant}?)` : ''}`,
      fix: meant
        ? `rename it to ${meant}`
        : 'use a topic-level config as Kafka documents it (kafka.apache.org/documentation/#topicconfigs), e.g. retention.ms, cleanup.policy, min.insync.replicas',
    });
  }
  return issues;
}
