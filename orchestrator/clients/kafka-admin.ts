/**
 * The KafkaAdmin of kafka-types.ts against a real cluster. kafkajs does topics, configs and ACLs;
 * SCRAM credentials go through kafka-scram.ts, which adds the two KIP-554 requests that kafkajs lacks
 * (docs/decisions/0001-kafka-client.md).
 */
import { randomBytes } from 'node:crypto';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ConfigResourceTypes,
  ResourcePatternTypes,
  type Admin,
  type AclEntry,
} from 'kafkajs';
import { createKafka, toSluiceError, type KafkaConnection } from '../../lib/kafka/connection';
import { SCRAM_SHA_512, alterScramUsers, describeScramUsers } from './kafka-scram';
import type {
  AclBinding,
  AclOperation,
  AclPatternType,
  AclResourceType,
  KafkaAdmin,
  ObservedCluster,
  ObservedTopic,
  TopicSettings,
} from './kafka-types';

const DYNAMIC_TOPIC_CONFIG = 1; // kafkajs ConfigSource: set on the topic itself

const RESOURCE: Record<AclResourceType, AclResourceTypes> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
};
const OPERATION: Record<AclOperation, AclOperationTypes> = {
  all: AclOperationTypes.ALL,
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  delete: AclOperationTypes.DELETE,
  alter: AclOperationTypes.ALTER,
  describe: AclOperationTypes.DESCRIBE,
  'cluster-action': AclOperationTypes.CLUSTER_ACTION,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
  'alter-configs': AclOperationTypes.ALTER_CONFIGS,
  'idempotent-write': AclOperationTypes.IDEMPOTENT_WRITE,
};
const PATTERN: Record<AclPatternType, ResourcePatternTypes> = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
};

function reverse<K extends string, V>(map: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(map).map(([k, v]) => [v as V, k as K]));
}
const RESOURCE_NAME = reverse(RESOURCE);
const OPERATION_NAME = reverse(OPERATION);
const PATTERN_NAME = reverse(PATTERN);

function toEntry(b: AclBinding): AclEntry {
  return {
    principal: b.principal,
    host: b.host,
    resourceType: RESOURCE[b.resourceType],
    resourceName: b.resourceName,
    resourcePatternType: PATTERN[b.patternType],
    operation: OPERATION[b.operation],
    permissionType: b.permission === 'allow' ? AclPermissionTypes.ALLOW : AclPermissionTypes.DENY,
  };
}

export class ClusterKafkaAdmin implements KafkaAdmin {
  private admin: Admin | undefined;

  constructor(private readonly connection: KafkaConnection) {}

  private async client(): Promise<Admin> {
    if (!this.admin) {
      const admin = createKafka(this.connection, { retries: 5 }).admin();
      try {
        await admin.connect();
      } catch (error) {
        throw toSluiceError(error, `connecting to Kafka at ${this.connection.brokers.join(',')}`);
      }
      this.admin = admin;
    }
    return this.admin;
  }

  private async call<T>(what: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = await this.client();
    try {
      return await fn(admin);
    } catch (error) {
      throw toSluiceError(error, what);
    }
  }

  async brokerCount(): Promise<number> {
    return this.call('describing the cluster', async (a) => (await a.describeCluster()).brokers.length);
  }

  async observe(): Promise<ObservedCluster> {
    const brokerCount = await this.brokerCount();
    const topics = await this.describeTopics();
    const scramUsers = await this.scramUsers();
    const acls = await this.call('describing ACLs', async (a) => {
      const result = await a.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      const bindings: AclBinding[] = [];
      for (const resource of result.resources) {
        const resourceType = RESOURCE_NAME.get(resource.resourceType);
        const patternType = PATTERN_NAME.get(resource.resourcePatternType);
        if (!resourceType || !patternType) continue; // kinds Sluice does not manage (delegation tokens …)
        for (const acl of resource.acls) {
          const operation = OPERATION_NAME.get(acl.operation);
          if (!operation) continue;
          bindings.push({
            principal: acl.principal,
            host: acl.host,
            resourceType,
            resourceName: resource.resourceName,
            patternType,
            operation,
            permission: acl.permissionType === AclPermissionTypes.DENY ? 'deny' : 'allow',
          });
        }
      }
      return bindings;
    });
    return { brokerCount, topics, scramUsers, acls };
  }

  /** Topics as they are now; a topic deleted between listing and describing (a prune in flight) is re-listed. */
  private async describeTopics(attempts = 5): Promise<ObservedTopic[]> {
    try {
      return await this.describeTopicsOnce();
    } catch (error) {
      const type = (error as { cause?: { type?: string } }).cause?.type ?? '';
      if (attempts <= 1 || type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      await new Promise((r) => setTimeout(r, 500));
      return this.describeTopics(attempts - 1);
    }
  }

  private async describeTopicsOnce(): Promise<ObservedTopic[]> {
    return this.call('describing topics', async (a) => {
      const names = (await a.listTopics()).filter((t) => !t.startsWith('__'));
      if (names.length === 0) return [];
      const metadata = await a.fetchTopicMetadata({ topics: names });
      const configs = await a.describeConfigs({
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
        includeSynonyms: false,
      });
      const overrides = new Map<string, Record<string, string>>();
      for (const resource of configs.resources) {
        const set: Record<string, string> = {};
        for (const entry of resource.configEntries) {
          if (entry.configSource === DYNAMIC_TOPIC_CONFIG && !entry.isSensitive)
            set[entry.configName] = entry.configValue;
        }
        overrides.set(resource.resourceName, set);
      }
      return metadata.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        config: overrides.get(t.name) ?? {},
      }));
    });
  }

  async createTopic(topic: TopicSettings): Promise<void> {
    try {
      await this.call(`creating topic ${topic.name}`, (a) =>
        a.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: topic.name,
              numPartitions: topic.partitions,
              replicationFactor: topic.replicationFactor,
              configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
            },
          ],
        }),
      );
    } catch (error) {
      // kafkajs waits for leaders by asking any broker for metadata and gives up on "unknown topic" from
      // one that has not caught up yet, although the controller created the topic: the state decides.
      if (!(await this.waitUntilTopicHasLeaders(topic.name))) throw error;
    }
  }

  private async waitUntilTopicHasLeaders(name: string, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ready = await this.call(`describing topic ${name}`, async (a) => {
        if (!(await a.listTopics()).includes(name)) return false;
        const metadata = await a.fetchTopicMetadata({ topics: [name] });
        return metadata.topics[0]?.partitions.every((p) => p.leader >= 0) ?? false;
      }).catch(() => false);
      if (ready) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  }

  async addPartitions(topic: string, totalPartitions: number): Promise<void> {
    try {
      await this.call(`adding partitions to ${topic}`, (a) =>
        a.createPartitions({ topicPartitions: [{ topic, count: totalPartitions }] }),
      );
    } catch (error) {
      // kafkajs retries a request whose first attempt succeeded and then reports "invalid partitions":
      // the state decides, not the message.
      const [observed] = (await this.describeTopics()).filter((t) => t.name === topic);
      if (observed?.partitions !== totalPartitions) throw error;
    }
  }

  async replaceTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
    // The legacy AlterConfigs request replaces the resource's whole override set, which is exactly the
    // declarative semantics we want: keys left out return to the broker default.
    await this.call(`configuring topic ${topic}`, (a) =>
      a.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
          },
        ],
      }),
    );
  }

  async deleteTopic(topic: string): Promise<void> {
    await this.call(`deleting topic ${topic}`, (a) => a.deleteTopics({ topics: [topic] }));
  }

  async createAcls(bindings: AclBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    await this.call(`creating ${bindings.length} ACLs`, (a) => a.createAcls({ acl: bindings.map(toEntry) }));
  }

  async deleteAcls(bindings: AclBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    await this.call(`deleting ${bindings.length} ACLs`, (a) => a.deleteAcls({ filters: bindings.map(toEntry) }));
  }

  private scramConfig() {
    return {
      brokers: this.connection.brokers,
      clientId: this.connection.clientId ?? 'sluice-admin',
      ssl: { ca: [this.connection.ca], rejectUnauthorized: true },
      sasl: {
        mechanism: 'scram-sha-512' as const,
        username: this.connection.username,
        password: this.connection.password,
      },
      connectionTimeout: 10_000,
    };
  }

  async scramUsers(): Promise<string[]> {
    try {
      const users = await describeScramUsers(this.scramConfig());
      return users
        .filter((u) => u.errorCode === 0 && u.mechanisms.some((m) => m.mechanism === SCRAM_SHA_512))
        .map((u) => u.user)
        .sort();
    } catch (error) {
      throw toSluiceError(error, 'listing SCRAM users');
    }
  }

  async upsertScramUser(user: string, password: string): Promise<void> {
    try {
      await alterScramUsers(this.scramConfig(), [], [{ user, password }]);
    } catch (error) {
      throw toSluiceError(error, `setting the SCRAM credential of ${user}`);
    }
  }

  /**
   * Revokes a user: its credential is replaced by one made from a random password that is discarded at
   * once, so nobody can authenticate as it. A real deletion (RemoveUserScramCredentialRecord) is never
   * sent: with Kafka 4.3.1, replaying such a record when the cluster restarts leaves the brokers
   * refusing every SCRAM user, the admin included (docs/decisions/0003-scram-revocation.md; guarded by
   * test/integration/faults/scram-restart.int.test.ts).
   */
  async deleteScramUser(user: string): Promise<void> {
    try {
      await alterScramUsers(this.scramConfig(), [], [{ user, password: randomBytes(48).toString('base64url') }]);
    } catch (error) {
      throw toSluiceError(error, `revoking the SCRAM credential of ${user}`);
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }
}
