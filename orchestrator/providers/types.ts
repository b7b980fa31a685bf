/**
 * One provider per resource kind (Pulumi's dynamic provider shape): it reads desired resources from the
 * spec and observed ones from the cluster, diffs one pair without side effects, and executes the step
 * the diff produced. The planner pairs resources by id (`topic/web.access-logs`); providers never see
 * the whole plan.
 */
import type { Logger } from '../../lib/log';
import type { KafkaAdmin, ObservedCluster } from '../clients/kafka-types';
import type { FlinkAdmin, ObservedSqlJob } from '../clients/flink-types';
import type { CassandraAdmin, ObservedCassandra } from '../clients/cassandra-types';
import type { InfluxAdmin, ObservedInflux } from '../clients/influx-types';
import type { ConnectAdmin, ConnectorValidation, ObservedConnector } from '../clients/connect-types';
import type { ObservedSubject, SchemaRegistryAdmin } from '../clients/registry-types';
import type { SecretStore } from '../lib/secrets';
import type { PipelineSpec } from '../spec/types';

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

/** What every step has; each provider's file declares its own step (`TopicStep`, …) on top of it. */
export interface StepBase extends Diff {
  /** The resource kind (the provider's `kind`); the kinds are listed in ./kinds.ts. */
  kind: string;
  /** `<kind>/<name>`, the name every log line and plan line uses. */
  id: string;
}

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
  /** The folder of the principals' client files (`<SLUICE_HOME>/clients/<name>/`), which hold their passwords. */
  clientFilesDir?: string;
  log: Logger;
}

export interface Provider<Desired, Observed, S extends StepBase> {
  readonly kind: S['kind'];
  /** Desired resources by id, in spec order. */
  desired(spec: PipelineSpec): Map<string, Desired>;
  /** Observed resources by id; ids of resources the spec does not know are included, the planner decides. */
  observed(state: ObservedState): Map<string, Observed>;
  /** Pure. Called with desired undefined only for a resource the planner wants deleted. */
  diff(id: string, desired: Desired | undefined, observed: Observed | undefined, context: DiffContext): S;
  create(context: ApplyContext, step: S): Promise<void>;
  /** In place; absent for a kind whose diff never produces `update`. */
  update?(context: ApplyContext, step: S): Promise<void>;
  /**
   * What cannot change in place is made again: absent for a kind whose diff never produces `replace`. Only
   * where nothing is lost (a SQL job is stopped with a savepoint and its new SQL resumes from it).
   */
  replace?(context: ApplyContext, step: S): Promise<void>;
  delete(context: ApplyContext, step: S): Promise<void>;
}
