/**
 * Executes a plan, step by step in its order. It decides nothing: a refused step refuses the whole plan
 * before anything runs, and a failed step stops the apply (earlier steps stay applied, the error says
 * which resource failed).
 */
import { SluiceError, messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { KafkaAdmin } from '../clients/kafka-types';
import type { FlinkAdmin } from '../clients/flink-types';
import type { ConnectAdmin } from '../clients/connect-types';
import type { SchemaRegistryAdmin } from '../clients/registry-types';
import type { SecretStore } from '../lib/secrets';
import { aclProvider } from '../providers/acl';
import { connectorProvider } from '../providers/connector';
import { principalProvider } from '../providers/principal';
import { schemaProvider } from '../providers/schema';
import { sqlJobProvider } from '../providers/sql-job';
import { topicProvider } from '../providers/topic';
import type { CassandraAdmin } from '../clients/cassandra-types';
import type { InfluxAdmin } from '../clients/influx-types';
import { cassandraGrantProvider } from '../providers/cassandra-grant';
import { cassandraKeyspaceProvider } from '../providers/cassandra-keyspace';
import { cassandraTableProvider } from '../providers/cassandra-table';
import { influxDatabaseProvider } from '../providers/influx-database';
import { influxGrantProvider } from '../providers/influx-grant';
import { influxRetentionPolicyProvider } from '../providers/influx-retention-policy';
import type { ApplyContext, Provider, Step } from '../providers/types';
import type { Plan } from './plan';
import { loadManagedState, saveManagedState } from './state';

export interface ApplyOptions {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
  /** Needed only by plans with sql-job steps. */
  flink?: FlinkAdmin;
  /** Needed only by plans with cassandra-* steps. */
  cassandra?: CassandraAdmin;
  /** Needed only by plans with influx-* steps. */
  influx?: InfluxAdmin;
  /** Needed only by plans with connector steps. */
  connect?: ConnectAdmin;
  secrets: SecretStore;
  log: Logger;
  /** Where the ids Sluice manages are kept (orchestrator/plan/state.ts). */
  managedStateFile: string;
  /** Ids the spec declares; defaults to the plan's own `specIds`. */
  specIds?: string[];
}

export interface ApplyResult {
  /** Ids of the steps executed, in order. */
  applied: string[];
}

function refusal(plan: Plan): SluiceError {
  const lines = plan.refused.map((s) => `  - ${s.id}: ${s.reason ?? 'refused'}`);
  return new SluiceError(
    'SLUICE_PLAN_REFUSED',
    [
      `the plan has ${plan.refused.length} change${plan.refused.length === 1 ? '' : 's'} that cannot be made; nothing was applied:`,
      ...lines,
    ].join('\n'),
    {
      fix: 'change the spec back to what the cluster has, or follow the instructions for each refused resource',
      details: { refused: plan.refused.map((s) => ({ id: s.id, reason: s.reason, changes: s.changes })) },
    },
  );
}

// A provider typed for its own step kind, called with a step of that kind.
type AnyProvider = Provider<unknown, unknown, Step>;
const PROVIDERS = {
  topic: topicProvider,
  principal: principalProvider,
  acl: aclProvider,
  schema: schemaProvider,
  'sql-job': sqlJobProvider,
  'cassandra-keyspace': cassandraKeyspaceProvider,
  'cassandra-table': cassandraTableProvider,
  'cassandra-grant': cassandraGrantProvider,
  'influx-database': influxDatabaseProvider,
  'influx-retention-policy': influxRetentionPolicyProvider,
  'influx-grant': influxGrantProvider,
  connector: connectorProvider,
} as unknown as Record<Step['kind'], AnyProvider>;

async function execute(context: ApplyContext, step: Step): Promise<void> {
  const provider = PROVIDERS[step.kind];
  switch (step.action) {
    case 'create':
      return provider.create(context, step);
    case 'update':
      return provider.update(context, step);
    case 'delete':
      return provider.delete(context, step);
    default:
      // No provider produces `replace` yet; executing half of one would be worse than stopping.
      throw new Error(`cannot ${step.action} ${step.kind} resources`);
  }
}

/** Stands in when the platform runs no Flink: only a plan with sql-job steps ever calls it. */
const noFlinkError = () =>
  Promise.reject(
    new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', 'this plan has SQL jobs, but no Flink cluster is running', {
      fix: 'start the platform with Flink: npx sluice platform up',
    }),
  );
const noFlink: FlinkAdmin = {
  listJobs: noFlinkError,
  submit: noFlinkError,
  stopWithSavepoint: noFlinkError,
  forgetSavepoint: noFlinkError,
};
const notRunning = (what: string, component: string) => () =>
  Promise.reject(
    new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `this plan changes ${what}, but ${what} is not running`, {
      fix: `start it: npx sluice platform up ${component}`,
    }),
  );
const noCassandra: CassandraAdmin = {
  observe: notRunning('Cassandra', 'cassandra'),
  schema: notRunning('Cassandra', 'cassandra'),
  grant: notRunning('Cassandra', 'cassandra'),
  revoke: notRunning('Cassandra', 'cassandra'),
  close: async () => undefined,
};
const noInflux: InfluxAdmin = {
  observe: notRunning('InfluxDB', 'influxdb'),
  execute: notRunning('InfluxDB', 'influxdb'),
};
const noConnectCall = notRunning('Kafka Connect', 'connect');
const noConnect: ConnectAdmin = {
  listConnectors: noConnectCall,
  validate: noConnectCall,
  putConfig: noConnectCall,
  restartFailed: noConnectCall,
  deleteConnector: noConnectCall,
  settledStatus: noConnectCall,
};

const PAST: Record<string, string> = { create: 'created', update: 'updated', delete: 'deleted' };

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.refused.length > 0) throw refusal(plan);

  const previous = loadManagedState(options.managedStateFile);
  const context: ApplyContext = {
    kafka: options.kafka,
    registry: options.registry,
    flink: options.flink ?? noFlink,
    cassandra: options.cassandra ?? noCassandra,
    influx: options.influx ?? noInflux,
    connect: options.connect ?? noConnect,
    secrets: options.secrets,
    log: options.log,
  };
  const applied: string[] = [];
  const deleted = new Set<string>();

  for (const step of plan.steps) {
    if (step.action === 'noop') continue;
    options.log.info(step.action, { resource: step.id });
    try {
      await execute(context, step);
    } catch (cause) {
      // What did get created is Sluice's to prune later, even though the apply as a whole failed.
      const created = applied.filter((id) => !deleted.has(id));
      saveManagedState(
        options.managedStateFile,
        [...previous, ...created].filter((id) => !deleted.has(id)),
      );
      throw new SluiceError('SLUICE_APPLY_FAILED', `${step.id}: ${messageOf(cause)}`, {
        cause,
        path: step.id,
        details: { resource: step.id, action: step.action, applied },
      });
    }
    applied.push(step.id);
    if (step.action === 'delete') deleted.add(step.id);
    options.log.debug(PAST[step.action] ?? step.action, { resource: step.id });
  }

  // Managed from now on: everything the spec declares, and what was managed before and still exists.
  const stillThere = plan.kept.filter((id) => previous.has(id));
  const managed = [...(options.specIds ?? plan.specIds), ...stillThere].filter((id) => !deleted.has(id));
  saveManagedState(options.managedStateFile, managed);
  return { applied };
}
