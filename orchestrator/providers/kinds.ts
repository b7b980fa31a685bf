/**
 * The resource kinds deploy-pipeline manages, in the order their creates, updates and replaces run (their
 * deletes run in the reverse order): each with its provider, the part of the observed state its diff
 * reads (plan/observe.ts reads it when the spec declares resources of a kind that needs it, or Sluice
 * manages some), and the kinds whose resources must exist before its own.
 *
 * Adding a kind is its provider file (a `<Kind>Step` on top of StepBase, and desired / observed / diff /
 * create / update / delete) and one entry here; kinds.test.ts checks that every kind comes after the
 * kinds it depends on. A kind on a server no provider talks to yet also needs that server's client
 * (ApplyContext, cli/pipeline.ts) and its part of ObservedState (plan/observe.ts).
 */
import { aclProvider } from './acl';
import { cassandraGrantProvider } from './cassandra-grant';
import { cassandraKeyspaceProvider } from './cassandra-keyspace';
import { cassandraTableProvider } from './cassandra-table';
import { connectorProvider } from './connector';
import { influxDatabaseProvider } from './influx-database';
import { influxGrantProvider } from './influx-grant';
import { influxRetentionPolicyProvider } from './influx-retention-policy';
import { principalProvider } from './principal';
import { schemaProvider } from './schema';
import { sqlJobProvider } from './sql-job';
import { topicProvider } from './topic';
import type { ObservedState, Provider, StepBase } from './types';

export interface ResourceKindEntry<S extends StepBase = StepBase> {
  provider: Provider<never, never, S>;
  /** The part of the observed state the provider's `observed()` reads. */
  observes: keyof ObservedState;
  /** Kinds whose resources this kind's resources name or use: they are made first and removed last. */
  dependsOn: readonly string[];
}

function entry<D, O, S extends StepBase>(
  provider: Provider<D, O, S>,
  observes: keyof ObservedState,
  dependsOn: readonly string[],
): ResourceKindEntry<S> {
  return { provider: provider as unknown as Provider<never, never, S>, observes, dependsOn };
}

export const RESOURCE_KINDS = [
  entry(topicProvider, 'kafka', []),
  // A topic's value schema, subject `<topic>-value`.
  entry(schemaProvider, 'subjects', ['topic']),
  entry(principalProvider, 'kafka', []),
  // Grants go before they are used and after what they name exists.
  entry(aclProvider, 'kafka', ['principal', 'topic']),
  // Jobs read and write declared topics with registered schemas, as a principal with its ACLs.
  entry(sqlJobProvider, 'sqlJobs', ['topic', 'schema', 'acl']),
  // The databases: the keyspace before its tables and grants, the database before its policies and grants.
  entry(cassandraKeyspaceProvider, 'cassandra', []),
  entry(cassandraTableProvider, 'cassandra', ['cassandra-keyspace']),
  entry(cassandraGrantProvider, 'cassandra', ['cassandra-keyspace']),
  entry(influxDatabaseProvider, 'influx', []),
  entry(influxRetentionPolicyProvider, 'influx', ['influx-database']),
  entry(influxGrantProvider, 'influx', ['influx-database']),
  // Connectors last: they read the topics and write to the tables made above; they go first on removal.
  entry(connectorProvider, 'connect', ['topic', 'acl', 'cassandra-table', 'influx-retention-policy']),
] as const;

/** A step of any kind: the union of the providers' own steps. */
export type Step = ReturnType<(typeof RESOURCE_KINDS)[number]['provider']['diff']>;
export type ResourceKind = Step['kind'];

/** The entry of a kind; an unknown kind is a programming error, not a user's. */
export function kindEntry(kind: string): ResourceKindEntry {
  const found = RESOURCE_KINDS.find((k) => k.provider.kind === kind);
  if (!found) throw new Error(`no resource kind '${kind}' (orchestrator/providers/kinds.ts lists them)`);
  return found as ResourceKindEntry;
}
