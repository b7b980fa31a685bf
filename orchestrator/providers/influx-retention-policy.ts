/**
 * Retention policies of the spec's InfluxDB database (`influx.retentionPolicies`). InfluxDB changes every
 * setting in place (ALTER RETENTION POLICY), so nothing is refused; a shorter duration drops the older
 * shard groups at the next retention check (every 30 minutes). Durations are compared in the form InfluxDB
 * prints them (`30d` is `720h0m0s`); the shard duration only when the spec sets one. Making a policy the
 * default takes the flag from the old default, so `default: true → false` needs no statement of its own.
 */
import { normaliseInfluxDuration } from '../lib/influx/duration';
import { influxIdentifier } from '../clients/influx';
import type { ObservedRetentionPolicy } from '../clients/influx-types';
import type { InfluxRetentionPolicySpec } from '../spec/types';
import type { Change, Provider, StepBase } from './types';

export interface InfluxRetentionPolicyStep extends StepBase {
  kind: 'influx-retention-policy';
  database: string;
  policy: string;
  /** What to create or alter it to (absent for delete). Durations as InfluxQL accepts them. */
  desired?: { duration: string; shardDuration?: string; replication: number; default: boolean };
}

export const influxRetentionPolicyId = (database: string, policy: string): string =>
  `influx-retention-policy/${database}.${policy}`;

export interface DesiredRetentionPolicy {
  database: string;
  policy: InfluxRetentionPolicySpec;
}

type Desired = NonNullable<InfluxRetentionPolicyStep['desired']>;

function clauses(desired: Desired, fields: Set<string>): string {
  return [
    fields.has('duration') ? `DURATION ${desired.duration}` : '',
    fields.has('replication') ? `REPLICATION ${desired.replication}` : '',
    fields.has('shardDuration') && desired.shardDuration ? `SHARD DURATION ${desired.shardDuration}` : '',
    fields.has('default') && desired.default ? 'DEFAULT' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export const influxRetentionPolicyProvider: Provider<
  DesiredRetentionPolicy,
  ObservedRetentionPolicy,
  InfluxRetentionPolicyStep
> = {
  kind: 'influx-retention-policy',

  desired(spec) {
    if (!spec.influx) return new Map();
    const database = spec.influx.database;
    return new Map(
      spec.influx.retentionPolicies.map((policy) => [
        influxRetentionPolicyId(database, policy.name),
        { database, policy },
      ]),
    );
  },

  observed({ influx }) {
    return new Map((influx?.retentionPolicies ?? []).map((p) => [influxRetentionPolicyId(p.database, p.name), p]));
  },

  diff(id, desired, observed) {
    const database = desired?.database ?? observed!.database;
    const policy = desired?.policy.name ?? observed!.name;
    const base = { kind: 'influx-retention-policy' as const, id, database, policy };
    if (!desired) return { ...base, action: 'delete', changes: [{ field: 'duration', from: observed!.duration }] };
    const spec = desired.policy;
    const wanted: Desired = {
      duration: spec.duration,
      replication: spec.replication,
      default: spec.default,
      ...(spec.shardDuration ? { shardDuration: spec.shardDuration } : {}),
    };
    const duration = normaliseInfluxDuration(spec.duration) ?? spec.duration;
    if (!observed) {
      const changes: Change[] = [
        { field: 'duration', to: duration },
        { field: 'replication', to: spec.replication },
      ];
      if (spec.shardDuration)
        changes.push({ field: 'shardDuration', to: normaliseInfluxDuration(spec.shardDuration) ?? spec.shardDuration });
      if (spec.default) changes.push({ field: 'default', to: true });
      return { ...base, action: 'create', desired: wanted, changes };
    }
    const changes: Change[] = [];
    if (duration !== observed.duration) changes.push({ field: 'duration', from: observed.duration, to: duration });
    if (spec.replication !== observed.replication)
      changes.push({ field: 'replication', from: observed.replication, to: spec.replication });
    if (spec.shardDuration) {
      const shard = normaliseInfluxDuration(spec.shardDuration) ?? spec.shardDuration;
      if (shard !== observed.shardGroupDuration)
        changes.push({ field: 'shardDuration', from: observed.shardGroupDuration, to: shard });
    }
    if (spec.default !== observed.default) changes.push({ field: 'default', from: observed.default, to: spec.default });
    if (changes.length === 0) return { ...base, action: 'noop', changes };
    const reason =
      !spec.default && observed.default && changes.length === 1 ? 'another policy becomes the default' : undefined;
    return { ...base, action: 'update', desired: wanted, changes, ...(reason ? { reason } : {}) };
  },

  async create({ influx }, step) {
    const desired = step.desired!;
    await influx.execute(
      `CREATE RETENTION POLICY ${influxIdentifier(step.policy)} ON ${influxIdentifier(step.database)} ${clauses(desired, new Set(['duration', 'replication', 'shardDuration', 'default']))}`,
    );
  },

  async update({ influx }, step) {
    const fields = new Set(step.changes.map((c) => c.field));
    const what = clauses(step.desired!, fields);
    if (what)
      await influx.execute(
        `ALTER RETENTION POLICY ${influxIdentifier(step.policy)} ON ${influxIdentifier(step.database)} ${what}`,
      );
  },

  async delete({ influx }, step) {
    await influx.execute(
      `DROP RETENTION POLICY ${influxIdentifier(step.policy)} ON ${influxIdentifier(step.database)}`,
    );
  },
};
