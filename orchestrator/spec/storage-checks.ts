/**
 * Checks of the `cassandra` and `influx` sections that JSON Schema cannot express: a replication that
 * matches its strategy, one grant per role or user, exactly one default retention policy, durations
 * InfluxDB accepts. Like the other semantic checks they read the data defensively.
 */
import { HOUR_NS, parseInfluxDuration } from '../lib/influx/duration';
import { isRecord } from './path';
import type { LocatedIssue } from './schema-issues';

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function storageIssues(data: unknown): LocatedIssue[] {
  return [...cassandraIssues(field(data, 'cassandra')), ...influxIssues(field(data, 'influx'))];
}

function duplicates(
  items: unknown[],
  key: string,
  at: (i: number) => (string | number)[],
  what: string,
): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const name = text(field(item, key));
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      issues.push({
        segments: at(i),
        message: `${what} '${name}' is listed twice (first at [${first}])`,
        fix: `merge the two entries into one`,
      });
  });
  return issues;
}

function cassandraIssues(cassandra: unknown): LocatedIssue[] {
  if (!isRecord(cassandra)) return [];
  const issues: LocatedIssue[] = [];
  const replication = field(cassandra, 'replication');
  const strategy = text(field(replication, 'class'));
  const factor = field(replication, 'replication_factor');
  const datacenters = field(replication, 'datacenters');
  const at = ['cassandra', 'replication'];
  if (strategy === 'SimpleStrategy') {
    if (factor === undefined)
      issues.push({
        segments: at,
        message: 'SimpleStrategy needs a replication_factor',
        fix: 'add replication_factor: 1 (the local platform has one node)',
      });
    if (datacenters !== undefined)
      issues.push({
        segments: [...at, 'datacenters'],
        message: 'SimpleStrategy has one factor for the whole cluster, not one per datacenter',
        fix: 'remove datacenters, or use class: NetworkTopologyStrategy',
      });
  } else if (strategy === 'NetworkTopologyStrategy') {
    if (datacenters === undefined)
      issues.push({
        segments: at,
        message: 'NetworkTopologyStrategy needs a replication factor per datacenter',
        fix: 'add datacenters: [{name: datacenter1, replication_factor: 3}]',
      });
    if (factor !== undefined)
      issues.push({
        segments: [...at, 'replication_factor'],
        message: 'NetworkTopologyStrategy takes its factors from datacenters',
        fix: 'move the factor into datacenters, or use class: SimpleStrategy',
      });
    issues.push(...duplicates(list(datacenters), 'name', (i) => [...at, 'datacenters', i, 'name'], 'datacenter'));
  }
  issues.push(
    ...duplicates(list(field(cassandra, 'grants')), 'role', (i) => ['cassandra', 'grants', i, 'role'], 'role'),
  );
  return issues;
}

function influxIssues(influx: unknown): LocatedIssue[] {
  if (!isRecord(influx)) return [];
  const issues: LocatedIssue[] = [];
  const policies = list(field(influx, 'retentionPolicies'));
  issues.push(...duplicates(policies, 'name', (i) => ['influx', 'retentionPolicies', i, 'name'], 'retention policy'));
  const defaults = policies.map((p, i) => (field(p, 'default') === true ? i : -1)).filter((i) => i >= 0);
  if (policies.length > 0 && defaults.length !== 1) {
    issues.push({
      segments: ['influx', 'retentionPolicies'],
      message:
        defaults.length === 0
          ? 'no retention policy is the default'
          : `${defaults.length} retention policies are the default (${defaults.map((i) => `[${i}]`).join(', ')})`,
      fix: 'set default: true on exactly one policy: writes that name no policy go there',
    });
  }
  policies.forEach((policy, i) => {
    const at = ['influx', 'retentionPolicies', i];
    const duration = text(field(policy, 'duration'));
    const ns = duration === undefined ? undefined : parseInfluxDuration(duration);
    if (ns !== undefined && ns !== 0n && ns < HOUR_NS) {
      issues.push({
        segments: [...at, 'duration'],
        message: `${duration} is shorter than InfluxDB's minimum of 1h`,
        fix: 'keep points for at least 1h, or INF for ever',
      });
    }
    const shard = text(field(policy, 'shardDuration'));
    const shardNs = shard === undefined ? undefined : parseInfluxDuration(shard);
    if (shardNs !== undefined && shardNs < HOUR_NS) {
      issues.push({
        segments: [...at, 'shardDuration'],
        message: `${shard} is shorter than InfluxDB's minimum shard duration of 1h`,
        fix: 'use 1h or more, e.g. 1d',
      });
    } else if (shardNs !== undefined && ns !== undefined && ns !== 0n && shardNs > ns) {
      issues.push({
        segments: [...at, 'shardDuration'],
        message: `shard groups of ${shard} are longer than the policy's duration ${duration}: whole shards would outlive it`,
        fix: `use a shardDuration of at most ${duration}, or leave it out`,
      });
    }
  });
  issues.push(...duplicates(list(field(influx, 'grants')), 'user', (i) => ['influx', 'grants', i, 'user'], 'user'));
  return issues;
}
