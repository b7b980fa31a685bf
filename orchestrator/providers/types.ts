/**
 * One provider per resource kind (Pulumi's dynamic provider shape): it reads desired resources from the
 * spec and observed ones from the cluster, diffs one pair without side effects, and executes the step
 * the diff produced. The planner pairs resources by id (`topic/web.access-logs`); providers never see
 * the whole plan.
 */
import type { Logger } from '../../lib/log';
import type { AclBinding, KafkaAdmin, ObservedCluster, TopicSettings } from '../clients/kafka-types';
import type { FlinkAdmin, ObservedSqlJob } from '../clients/flink-types';
import type { CassandraAdmin, ColumnToAdd, ObservedCassandra } from '../clients/cassandra-types';
import type { InfluxAdmin, InfluxPrivilege, ObservedInflux } from '../clients/influx-types';
import type { ConnectAdmin, ConnectorValidation, ObservedConnector } from '../clients/connect-types';
import type { Compatibility, ObservedSubject, SchemaRegistryAdmin } from '../clients/registry-types';
import type { SecretStore } from '../lib/secrets';
import type { PipelineSpec, SqlJobSpec } from '../spec/types';

export type ResourceKind =
  | 'topic'
  | 'principal'
  | 'acl'
  | 'schema'
  | 'sql-job'
  | 'cassandra-keyspace'
  | 'cassandra-table'
  | 'cassandra-grant'
  | 'influx-database'
  | 'influx-retention-policy'
  | 'influx-grant'
  | 'connector';

/** `refused`: the change is needed but cannot be made (Kafka cannot make it in place, the registry finds it incompatible); the whole plan is refused. */
export type StepAction = 'noop' | 'create' | 'update' | 'replace' | 'delete' | 'refused';
export const STEP_ACTIONS: readonly StepAction[] = ['noop', 'create', 'update', 'replace', 'delete', 'refused'];

export interface Change {
  /** `partitions`, `config.retention.ms`, `acl`, … */
  field: string;
  /** Absent when the field does not exist yet (create) or is at its default. */
  from?: unknown;
  /** Absent when the field goes away (delete, config back to the default). */
  to?: unknown;
  /** Why Kafka cannot make this change, when it cannot. */
  refused?: string;
}

export interface Diff {
  action: StepAction;
  changes: Change[];
  reason?: string;
}

interface StepBase extends Diff {
  kind: ResourceKind;
  /** `<kind>/<name>`, the name every log line and plan line uses. */
  id: string;
}

export interface TopicStep extends StepBase {
  kind: 'topic';
  topic: string;
  /** The settings to create or converge to (absent for delete). */
  desired?: TopicSettings;
}

export interface PrincipalStep extends StepBase {
  kind: 'principal';
  user: string;
}

export interface AclStep extends StepBase {
  kind: 'acl';
  /** Principal name without the `User:` prefix. */
  user: string;
  add: AclBinding[];
  remove: AclBinding[];
  /** Bindings of this principal that the spec does not declare and that stay. */
  kept: AclBinding[];
  /** no-prune: `--prune` would remove them; unmanaged: Sluice has never managed this principal's ACLs. */
  keptBecause?: 'no-prune' | 'unmanaged';
}

export interface SchemaStep extends StepBase {
  kind: 'schema';
  subject: string;
  /** The schema to register (absent for delete and for a compatibility-only update). */
  schema?: string;
  /** The compatibility level to set, when it differs. */
  compatibility?: Compatibility;
}

export interface SqlJobStep extends StepBase {
  kind: 'sql-job';
  name: string;
  /** The job to submit (create, update). */
  job?: SqlJobSpec;
  /** The running job to stop (update, delete). */
  jobId?: string;
  /** Resume from this savepoint (create of a job stopped with the platform). */
  savepoint?: string;
}

export interface CassandraKeyspaceStep extends StepBase {
  kind: 'cassandra-keyspace';
  keyspace: string;
  /** The replication map to create or alter it with (`{class: 'SimpleStrategy', replication_factor: '1'}`). */
  replication?: Record<string, string>;
}

export interface CassandraTableStep extends StepBase {
  kind: 'cassandra-table';
  keyspace: string;
  table: string;
  /** CREATE TABLE (create). */
  statement?: string;
  /** ALTER TABLE ADD (update). */
  addColumns: ColumnToAdd[];
  /** ALTER TABLE WITH (update): option → CQL literal. */
  options: Record<string, string>;
}

export interface CassandraGrantStep extends StepBase {
  kind: 'cassandra-grant';
  keyspace: string;
  role: string;
  /** Upper-case CQL permissions to grant and to revoke. */
  grant: string[];
  revoke: string[];
}

export interface InfluxDatabaseStep extends StepBase {
  kind: 'influx-database';
  database: string;
}

export interface InfluxRetentionPolicyStep extends StepBase {
  kind: 'influx-retention-policy';
  database: string;
  policy: string;
  /** What to create or alter it to (absent for delete). Durations as InfluxQL accepts them. */
  desired?: { duration: string; shardDuration?: string; replication: number; default: boolean };
}

export interface InfluxGrantStep extends StepBase {
  kind: 'influx-grant';
  database: string;
  user: string;
  /** The privilege to hold (absent for delete: revoke all). */
  privilege?: InfluxPrivilege;
}

export interface ConnectorStep extends StepBase {
  kind: 'connector';
  name: string;
  /** The spec's file, for messages. */
  file?: string;
  /** The configuration to put (create, update): the spec's template, `${NAME}` placeholders unfilled. */
  config?: Record<string, string>;
  /** Restart the failed connector instance and failed tasks (after putting the configuration, if any). */
  restart?: boolean;
  /** The connector's status when observed: `RUNNING, tasks: 0 RUNNING`. */
  status?: string;
}

export type Step =
  | TopicStep
  | PrincipalStep
  | AclStep
  | SchemaStep
  | SqlJobStep
  | CassandraKeyspaceStep
  | CassandraTableStep
  | CassandraGrantStep
  | InfluxDatabaseStep
  | InfluxRetentionPolicyStep
  | InfluxGrantStep
  | ConnectorStep;

/** Everything deploy-pipeline observed: the Kafka cluster and the registry subjects it manages. */
export interface ObservedState {
  kafka: ObservedCluster;
  /** The subjects the spec declares or Sluice manages, those that exist. */
  subjects: ObservedSubject[];
  /** Flink jobs named `sluice.<name>.<version>`; empty when the spec has no SQL jobs and Flink is not asked. */
  sqlJobs: ObservedSqlJob[];
  /** Cassandra's keyspaces, tables, roles and grants; absent when the spec has no cassandra section and Cassandra is not asked. */
  cassandra?: ObservedCassandra;
  /** InfluxDB's databases, retention policies, users and grants; absent like cassandra. */
  influx?: ObservedInflux;
  /** Kafka Connect's connectors, and its verdict on each desired configuration; absent when the spec has no connectors and Connect is not asked. */
  connect?: { connectors: ObservedConnector[]; validations: Record<string, ConnectorValidation> };
}

/** What a diff may depend on besides the two resources. Plain data: diff stays pure. */
export interface DiffContext {
  brokerCount: number;
  prune: boolean;
  /** Ids Sluice created or adopted earlier (orchestrator/plan/state.ts). */
  managed: ReadonlySet<string>;
  /** Whether the local secret store has this secret (`users/<principal>`). */
  hasSecret: (secretName: string) => boolean;
  /** Cassandra's roles, when Cassandra was observed: a grant to a missing role is refused. */
  cassandraRoles?: ReadonlySet<string>;
  /** InfluxDB's users, when InfluxDB was observed: a grant to a missing user is refused. */
  influxUsers?: ReadonlySet<string>;
  /** Values of the connectors' `${NAME}` placeholders, to compare a filled template with what Connect holds. */
  placeholders?: Readonly<Record<string, string>>;
}

export interface ApplyContext {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
  flink: FlinkAdmin;
  cassandra: CassandraAdmin;
  influx: InfluxAdmin;
  connect: ConnectAdmin;
  secrets: SecretStore;
  log: Logger;
}

export interface Provider<Desired, Observed, S extends Step> {
  readonly kind: S['kind'];
  /** Desired resources by id, in spec order. */
  desired(spec: PipelineSpec): Map<string, Desired>;
  /** Observed resources by id; ids of resources the spec does not know are included, the planner decides. */
  observed(state: ObservedState): Map<string, Observed>;
  /** Pure. Called with desired undefined only for a resource the planner wants deleted. */
  diff(id: string, desired: Desired | undefined, observed: Observed | undefined, context: DiffContext): S;
  create(context: ApplyContext, step: S): Promise<void>;
  update(context: ApplyContext, step: S): Promise<void>;
  delete(context: ApplyContext, step: S): Promise<void>;
}
