/**
 * Checks JSON Schema cannot express: names that must be unique, references between topics and
 * principals, and settings that only make sense together. They run even when the schema found problems
 * (so every issue is reported at once), hence they read the data defensively.
 */
import { anomalyIssues } from './anomaly-checks';
import { ingestorIssues } from './ingestor-checks';
import { storageIssues } from './storage-checks';
import { topicConfigKeyIssues } from './topic-configs';
import schema from '../../lib/spec/pipeline.schema.json';
import { isRecord } from './path';
import type { LocatedIssue } from './schema-issues';
import { closest } from './suggest';
import type { ValidateOptions } from './types';

const TOPIC_NAME = new RegExp(schema.definitions.topicName.pattern, 'u');

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `data` has the schema's defaults applied; `raw` is what the user wrote, to say when a value is a default. */
export function semanticIssues(data: unknown, raw: unknown, options: ValidateOptions): LocatedIssue[] {
  const topics = list(field(data, 'topics'));
  const principals = list(field(data, 'principals'));
  const written = list(field(raw, 'topics'));
  return [
    ...topicIssues(topics, written, options),
    ...principalIssues(principals, new Set(topics.map((t) => text(field(t, 'name'))).filter((n) => n !== undefined))),
    ...ingestorIssues(data),
    ...storageIssues(data),
    ...anomalyIssues(data),
  ];
}

function topicIssues(topics: unknown[], written: unknown[], options: ValidateOptions): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const seen = new Map<string, number>();
  // Kafka maps '.' to '_' in metric names and refuses a topic whose name collides with another that way.
  const metricNames = new Map<string, { name: string; index: number }>();
  topics.forEach((topic, i) => {
    const name = text(field(topic, 'name'));
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) {
        issues.push({
          segments: ['topics', i, 'name'],
          message: `duplicate topic name '${name}' (first declared at topics[${first}])`,
          fix: `rename it, or merge the two entries into topics[${first}]`,
        });
      } else {
        seen.set(name, i);
        const metric = name.replace(/\./g, '_');
        const other = metricNames.get(metric);
        if (other) {
          issues.push({
            segments: ['topics', i, 'name'],
            message: `'${name}' collides with '${other.name}' (topics[${other.index}]): Kafka treats '.' and '_' alike in metric names and refuses the second`,
            fix: `rename one of them so they differ by more than '.' versus '_'`,
          });
        } else metricNames.set(metric, { name, index: i });
      }
    }

    const rf = field(topic, 'replicationFactor');
    const replication = typeof rf === 'number' && Number.isInteger(rf) && rf >= 1 ? rf : undefined;
    if (replication !== undefined && options.brokerCount !== undefined && replication > options.brokerCount) {
      const brokers = `${options.brokerCount} broker${options.brokerCount === 1 ? '' : 's'}`;
      const defaulted = field(written[i], 'replicationFactor') === undefined;
      issues.push({
        segments: ['topics', i, 'replicationFactor'],
        message: `replicationFactor ${replication}${defaulted ? ' (the default)' : ''} is above the cluster's broker count (${brokers}): Kafka cannot place more replicas than brokers`,
        fix: `${defaulted ? 'set replicationFactor to' : 'use'} a value of at most ${options.brokerCount}, or add brokers`,
      });
    }

    const config = field(topic, 'config');
    if (isRecord(config)) issues.push(...topicConfigKeyIssues(config, ['topics', i, 'config']));
    if (isRecord(config) && 'min.insync.replicas' in config) {
      const raw = config['min.insync.replicas'];
      const value = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : Number.NaN;
      const at = ['topics', i, 'config', 'min.insync.replicas'];
      if (!Number.isInteger(value) || value < 1) {
        issues.push({
          segments: at,
          message: `must be a whole number of at least 1, got ${String(raw)}`,
          fix: 'use 2 with replicationFactor 3',
        });
      } else if (replication !== undefined && value > replication) {
        issues.push({
          segments: at,
          message: `min.insync.replicas ${value} is greater than replicationFactor ${replication}: every write with acks=all would fail`,
          fix: `use a value of at most ${replication}, or raise replicationFactor`,
        });
      }
    }
  });
  return issues;
}

function principalIssues(principals: unknown[], declared: Set<string>): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const seen = new Map<string, number>();

  const checkTopics = (values: unknown, at: (string | number)[]): void => {
    const reported = new Set<string>();
    list(values).forEach((value, index) => {
      const name = text(value);
      // An illegal name or a repeated item is already reported by the schema; saying more would be noise.
      if (name === undefined || !TOPIC_NAME.test(name) || declared.has(name) || reported.has(name)) return;
      reported.add(name);
      undeclared(name, [...at, index]);
    });
  };
  const undeclared = (name: string, segments: (string | number)[]): void => {
    const suggestion = closest(name, declared);
    issues.push({
      segments,
      message: `topic '${name}' is not declared under topics`,
      fix:
        (suggestion ? `did you mean '${suggestion}'? Otherwise ` : '') +
        `declare it under topics, or grant access with a raw acls entry (resourceType: topic, patternType: prefixed) for topics Sluice does not manage`,
    });
  };

  principals.forEach((principal, i) => {
    const name = text(field(principal, 'name'));
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) {
        issues.push({
          segments: ['principals', i, 'name'],
          message: `duplicate principal name '${name}' (first declared at principals[${first}])`,
          fix: `rename it, or merge the two entries into principals[${first}]`,
        });
      } else seen.set(name, i);
    }
    checkTopics(field(principal, 'produces'), ['principals', i, 'produces']);
    list(field(principal, 'consumes')).forEach((consume, j) =>
      checkTopics(field(consume, 'topics'), ['principals', i, 'consumes', j, 'topics']),
    );
    list(field(principal, 'acls')).forEach((acl, j) => {
      const aclName = text(field(acl, 'name'));
      // Kafka has exactly one cluster resource, and this is its name.
      if (field(acl, 'resourceType') === 'cluster' && aclName !== undefined && aclName !== 'kafka-cluster') {
        issues.push({
          segments: ['principals', i, 'acls', j, 'name'],
          message: `the cluster resource is always named 'kafka-cluster', got '${aclName}'`,
          fix: 'use name: kafka-cluster',
        });
      }
    });
  });
  return issues;
}
