/**
 * The plan: a pure function of (desired spec, observed cluster, what Sluice manages) to the steps that
 * make the cluster match the spec. Nothing here talks to Kafka; apply.ts only executes a plan.
 */
import { aclProvider } from '../providers/acl';
import { connectorProvider } from '../providers/connector';
import { principalProvider } from '../providers/principal';
import { schemaProvider } from '../providers/schema';
import { sqlJobProvider } from '../providers/sql-job';
import { topicProvider } from '../providers/topic';
import { cassandraGrantProvider } from '../providers/cassandra-grant';
import { cassandraKeyspaceProvider } from '../providers/cassandra-keyspace';
import { cassandraTableProvider } from '../providers/cassandra-table';
import { influxDatabaseProvider } from '../providers/influx-database';
import { influxGrantProvider } from '../providers/influx-grant';
import { influxRetentionPolicyProvider } from '../providers/influx-retention-policy';
import { STEP_ACTIONS } from '../providers/types';
import type { DiffContext, ObservedState, Provider, Step, StepAction } from '../providers/types';
import type { PipelineSpec } from '../spec/types';

export interface PlanOptions {
  /** Ids Sluice manages (loadManagedState); only these can be deleted. */
  managed: ReadonlySet<string>;
  /** Delete managed resources that are no longer in the spec. */
  prune: boolean;
  /** Whether the local secret store holds a secret, given its name (`users/<principal>`). */
  hasSecret: (secretName: string) => boolean;
  /** Values of the connectors' `${NAME}` placeholders (platform/connector-env.ts). */
  placeholders?: Readonly<Record<string, string>>;
}

export interface Plan {
  /** The spec's name, for "The cluster matches demo." */
  specName: string;
  /** Creates and updates in dependency order (topics, schemas, principals, acls, sql jobs, databases), then deletes in reverse. */
  steps: Step[];
  counts: Record<StepAction, number>;
  /** Any create, update, replace or delete. */
  hasChanges: boolean;
  /** Steps that cannot be made (Kafka cannot in place, the registry refuses); apply refuses the whole plan when there is one. */
  refused: Step[];
  /** Managed ids not in the spec that stay because --prune was not given. */
  kept: string[];
  /** Every id the spec declares; apply records them as managed. */
  specIds: string[];
}

interface KindPlan {
  steps: Step[];
  deletes: Step[];
  kept: string[];
  ids: string[];
}

function planKind<D, O, S extends Step>(
  provider: Provider<D, O, S>,
  spec: PipelineSpec,
  state: ObservedState,
  context: DiffContext,
): KindPlan {
  const desired = provider.desired(spec);
  const observed = provider.observed(state);
  const steps: Step[] = [...desired].map(([id, d]) => provider.diff(id, d, observed.get(id), context));
  const deletes: Step[] = [];
  const kept: string[] = [];
  for (const id of [...observed.keys()].sort()) {
    // Not in the spec and never managed: someone else's resource, not part of the plan at all.
    if (desired.has(id) || !context.managed.has(id)) continue;
    if (context.prune) deletes.push(provider.diff(id, undefined, observed.get(id), context));
    else kept.push(id);
  }
  return { steps, deletes, kept, ids: [...desired.keys()] };
}

export function planPipeline(desired: PipelineSpec, observed: ObservedState, options: PlanOptions): Plan {
  const context: DiffContext = {
    brokerCount: observed.kafka.brokerCount,
    prune: options.prune,
    managed: options.managed,
    hasSecret: options.hasSecret,
    ...(observed.cassandra ? { cassandraRoles: new Set(observed.cassandra.roles) } : {}),
    ...(observed.influx ? { influxUsers: new Set(observed.influx.users.map((u) => u.name)) } : {}),
    ...(options.placeholders ? { placeholders: options.placeholders } : {}),
  };
  const topics = planKind(topicProvider, desired, observed, context);
  const schemas = planKind(schemaProvider, desired, observed, context);
  const principals = planKind(principalProvider, desired, observed, context);
  const acls = planKind(aclProvider, desired, observed, context);
  const sqlJobs = planKind(sqlJobProvider, desired, observed, context);
  // The databases: the keyspace before its tables and grants, the database before its policies and grants.
  const storage = [
    planKind(cassandraKeyspaceProvider, desired, observed, context),
    planKind(cassandraTableProvider, desired, observed, context),
    planKind(cassandraGrantProvider, desired, observed, context),
    planKind(influxDatabaseProvider, desired, observed, context),
    planKind(influxRetentionPolicyProvider, desired, observed, context),
    planKind(influxGrantProvider, desired, observed, context),
  ];
  // Connectors last: they read the topics and write to the tables made above; they go first on removal.
  const connectors = planKind(connectorProvider, desired, observed, context);

  // Grants go before they are used and after what they name exists; removal runs the other way round.
  const steps = [
    ...topics.steps,
    ...schemas.steps,
    ...principals.steps,
    ...acls.steps,
    ...sqlJobs.steps,
    ...storage.flatMap((k) => k.steps),
    ...connectors.steps,
    ...connectors.deletes,
    ...[...storage].reverse().flatMap((k) => k.deletes),
    ...sqlJobs.deletes,
    ...acls.deletes,
    ...principals.deletes,
    ...schemas.deletes,
    ...topics.deletes,
  ];
  const counts = Object.fromEntries(STEP_ACTIONS.map((a) => [a, 0])) as Record<StepAction, number>;
  for (const step of steps) counts[step.action] += 1;
  return {
    specName: desired.name,
    steps,
    counts,
    hasChanges: counts.create + counts.update + counts.replace + counts.delete > 0,
    refused: steps.filter((s) => s.action === 'refused'),
    kept: [
      ...topics.kept,
      ...schemas.kept,
      ...principals.kept,
      ...acls.kept,
      ...sqlJobs.kept,
      ...storage.flatMap((k) => k.kept),
      ...connectors.kept,
    ],
    specIds: [
      ...topics.ids,
      ...schemas.ids,
      ...principals.ids,
      ...acls.ids,
      ...sqlJobs.ids,
      ...storage.flatMap((k) => k.ids),
      ...connectors.ids,
    ],
  };
}
