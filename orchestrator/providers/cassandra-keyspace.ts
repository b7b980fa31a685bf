/**
 * The Cassandra keyspace of the spec (`cassandra.keyspace`, `cassandra.replication`). A changed
 * replication is an ALTER KEYSPACE, which Cassandra makes in place; the data only reaches the new
 * replicas after a repair, which the plan says. Deleted (DROP KEYSPACE, with every table) only with --prune.
 */
import { cqlString, quoteIdentifier } from '../lib/cql/table';
import type { ObservedKeyspace } from '../clients/cassandra-types';
import type { CassandraReplicationSpec } from '../spec/types';
import type { Change, Provider, StepBase } from './types';

export interface CassandraKeyspaceStep extends StepBase {
  kind: 'cassandra-keyspace';
  keyspace: string;
  /** The replication map to create or alter it with (`{class: 'SimpleStrategy', replication_factor: '1'}`). */
  replication?: Record<string, string>;
}

export const cassandraKeyspaceId = (keyspace: string): string => `cassandra-keyspace/${keyspace}`;

export interface DesiredKeyspace {
  keyspace: string;
  replication: Record<string, string>;
}

/** The replication map Cassandra takes: `{class: 'SimpleStrategy', replication_factor: '1'}`. */
export function replicationMap(spec: CassandraReplicationSpec): Record<string, string> {
  if (spec.class === 'SimpleStrategy')
    return { class: 'SimpleStrategy', replication_factor: String(spec.replication_factor ?? 1) };
  return {
    class: 'NetworkTopologyStrategy',
    ...Object.fromEntries((spec.datacenters ?? []).map((dc) => [dc.name, String(dc.replication_factor)])),
  };
}

/** Strips the package Cassandra adds to a class name (`org.apache.cassandra.locator.SimpleStrategy`). */
export const simpleClassName = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

export function normaliseReplication(observed: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, k === 'class' ? simpleClassName(v) : v]));
}

export function renderReplication(map: Record<string, string>): string {
  return `{${Object.entries(map)
    .map(([k, v]) => `${cqlString(k)}: ${k === 'class' ? cqlString(v) : v}`)
    .join(', ')}}`;
}

const describe = (map: Record<string, string>): string =>
  [
    map.class,
    ...Object.entries(map)
      .filter(([k]) => k !== 'class')
      .map(([k, v]) => `${k}=${v}`),
  ].join(' ');

export const cassandraKeyspaceProvider: Provider<DesiredKeyspace, ObservedKeyspace, CassandraKeyspaceStep> = {
  kind: 'cassandra-keyspace',

  desired(spec) {
    if (!spec.cassandra) return new Map();
    const { keyspace, replication } = spec.cassandra;
    return new Map([[cassandraKeyspaceId(keyspace), { keyspace, replication: replicationMap(replication) }]]);
  },

  observed({ cassandra }) {
    return new Map((cassandra?.keyspaces ?? []).map((k) => [cassandraKeyspaceId(k.name), k]));
  },

  diff(id, desired, observed) {
    const keyspace = desired?.keyspace ?? observed?.name ?? id.slice('cassandra-keyspace/'.length);
    const base = { kind: 'cassandra-keyspace' as const, id, keyspace };
    if (!desired)
      return { ...base, action: 'delete', changes: [{ field: 'keyspace', from: `${keyspace} and every table in it` }] };
    if (!observed)
      return {
        ...base,
        action: 'create',
        replication: desired.replication,
        changes: [{ field: 'replication', to: describe(desired.replication) }],
      };
    const have = normaliseReplication(observed.replication);
    const changes: Change[] = [];
    for (const key of [...new Set([...Object.keys(desired.replication), ...Object.keys(have)])].sort()) {
      if (desired.replication[key] === have[key]) continue;
      const change: Change = { field: `replication.${key}` };
      if (have[key] !== undefined) change.from = have[key];
      if (desired.replication[key] !== undefined) change.to = desired.replication[key];
      changes.push(change);
    }
    if (changes.length === 0) return { ...base, action: 'noop', changes };
    return {
      ...base,
      action: 'update',
      replication: desired.replication,
      changes,
      reason: 'existing rows reach new replicas only after a repair (nodetool repair --full on every node)',
    };
  },

  async create({ cassandra }, step) {
    await cassandra.schema(
      `CREATE KEYSPACE IF NOT EXISTS ${quoteIdentifier(step.keyspace)} WITH replication = ${renderReplication(step.replication!)}`,
    );
  },

  async update({ cassandra }, step) {
    await cassandra.schema(
      `ALTER KEYSPACE ${quoteIdentifier(step.keyspace)} WITH replication = ${renderReplication(step.replication!)}`,
    );
  },

  async delete({ cassandra }, step) {
    await cassandra.schema(`DROP KEYSPACE IF EXISTS ${quoteIdentifier(step.keyspace)}`);
  },
};
