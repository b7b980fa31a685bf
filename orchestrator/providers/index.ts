/** Providers: one per resource kind, each with desired / observed / diff (pure) and create / update / delete. */
export { topicProvider, topicId } from './topic';
export type { DesiredTopic } from './topic';
export { principalProvider, principalId, secretNameOf, hasSecretIn } from './principal';
export { aclProvider, aclId, expandAcls, describeBinding, bindingKey } from './acl';
export { normaliseConfig, normaliseConfigValue } from './topic-config';
export { cassandraKeyspaceProvider, cassandraKeyspaceId } from './cassandra-keyspace';
export { cassandraTableProvider, cassandraTableId } from './cassandra-table';
export { cassandraGrantProvider, cassandraGrantId } from './cassandra-grant';
export { influxDatabaseProvider, influxDatabaseId } from './influx-database';
export { influxRetentionPolicyProvider, influxRetentionPolicyId } from './influx-retention-policy';
export { influxGrantProvider, influxGrantId } from './influx-grant';
export { connectorProvider, connectorId } from './connector';
export { STEP_ACTIONS } from './types';
export type {
  AclStep,
  ApplyContext,
  Change,
  Diff,
  DiffContext,
  PrincipalStep,
  Provider,
  ResourceKind,
  Step,
  StepAction,
  TopicStep,
} from './types';
