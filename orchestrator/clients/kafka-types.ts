/**
 * Observed state of a Kafka cluster, as the kafka-admin client reads it. Desired state lives in
 * orchestrator/spec; providers diff one against the other. Kept free of any client library's types.
 */

export type AclResourceType = 'topic' | 'group' | 'cluster' | 'transactional-id';
export type AclPatternType = 'literal' | 'prefixed';
export type AclPermission = 'allow' | 'deny';
export type AclOperation =
  | 'all'
  | 'read'
  | 'write'
  | 'create'
  | 'delete'
  | 'alter'
  | 'describe'
  | 'cluster-action'
  | 'describe-configs'
  | 'alter-configs'
  | 'idempotent-write';

export interface AclBinding {
  /** Kafka principal, e.g. `User:producer-web`. */
  principal: string;
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  operation: AclOperation;
  permission: AclPermission;
  /** `*` unless restricted. */
  host: string;
}

/** Identity of a binding: two bindings with the same key are the same ACL to Kafka. */
export function bindingKey(b: AclBinding): string {
  return [b.principal, b.resourceType, b.patternType, b.resourceName, b.operation, b.permission, b.host].join('|');
}

export interface TopicSettings {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level overrides only (values as Kafka returns them: strings). */
  config: Record<string, string>;
}

export type ObservedTopic = TopicSettings;

export interface ObservedCluster {
  brokerCount: number;
  /** Every topic but Kafka's own internal ones (`__consumer_offsets`, `__transaction_state`, …). */
  topics: ObservedTopic[];
  /** Users that have a SCRAM-SHA-512 credential. */
  scramUsers: string[];
  acls: AclBinding[];
}

/** What providers may ask of Kafka. One implementation talks to the real cluster (kafka-admin.ts). */
export interface KafkaAdmin {
  observe(): Promise<ObservedCluster>;
  createTopic(topic: TopicSettings): Promise<void>;
  addPartitions(topic: string, totalPartitions: number): Promise<void>;
  /** Replaces the topic's whole set of overrides: keys absent from `config` return to the broker default. */
  replaceTopicConfig(topic: string, config: Record<string, string>): Promise<void>;
  deleteTopic(topic: string): Promise<void>;
  upsertScramUser(user: string, password: string): Promise<void>;
  /** Makes the user unable to authenticate (see ClusterKafkaAdmin.deleteScramUser for how). */
  deleteScramUser(user: string): Promise<void>;
  createAcls(bindings: AclBinding[]): Promise<void>;
  deleteAcls(bindings: AclBinding[]): Promise<void>;
  close(): Promise<void>;
}
