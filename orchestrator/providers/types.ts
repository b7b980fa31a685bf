/**
 * One provider per resource kind (Pulumi's dynamic provider shape): it reads desired resources from the
 * spec and observed ones from the cluster, diffs one pair without side effects, and executes the step
 * the diff produced. The planner pairs resources by id (`topic/web.access-logs`); providers never see
 * the whole plan.
 */
import type { Logger } from '../../lib/log';
import type { AclBinding, KafkaAdmin, ObservedCluster, TopicSettings } from '../clients/kafka-types';
import type { FlinkAdmin, ObservedSqlJob } from '../clients/flink-types';
import type { Compatibility, ObservedSubject, SchemaRegistryAdmin } from '../clients/registry-types';
import type { SecretStore } from '../platform/secrets';
import type { PipelineSpec, SqlJobSpec } from '../spec/types';

export type ResourceKind = 'topic' | 'principal' | 'acl' | 'schema' | 'sql-job';

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

export type Step = TopicStep | PrincipalStep | AclStep | SchemaStep | SqlJobStep;

/** Everything deploy-pipeline observed: the Kafka cluster and the registry subjects it manages. */
export interface ObservedState {
  kafka: ObservedCluster;
  /** The subjects the spec declares or Sluice manages, those that exist. */
  subjects: ObservedSubject[];
  /** Flink jobs named `sluice.<name>.<version>`; empty when the spec has no SQL jobs and Flink is not asked. */
  sqlJobs: ObservedSqlJob[];
}

/** What a diff may depend on besides the two resources. Plain data: diff stays pure. */
export interface DiffContext {
  brokerCount: number;
  prune: boolean;
  /** Ids Sluice created or adopted earlier (orchestrator/plan/state.ts). */
  managed: ReadonlySet<string>;
  /** Whether the local secret store has this secret (`users/<principal>`). */
  hasSecret: (secretName: string) => boolean;
}

export interface ApplyContext {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
  flink: FlinkAdmin;
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
