/**
 * In-memory stand-ins for unit tests: a KafkaAdmin that keeps an ObservedCluster and records every call,
 * and a SecretStore in a Map. No servers, so plan → apply → plan can be tested end to end in milliseconds.
 */
import type { AclBinding, KafkaAdmin, ObservedCluster, TopicSettings } from '../../clients/kafka-types';
import type { SecretStore } from '../../platform/secrets';
import { bindingKey } from '../../providers/acl';

export interface FakeKafkaAdmin extends KafkaAdmin {
  cluster: ObservedCluster;
  /** `method(arg)` per call, in order; passwords are recorded as `***`. */
  calls: string[];
  /** Makes the next call of this method reject with `error`. */
  failNext(method: keyof KafkaAdmin, error: Error): void;
}

export function emptyCluster(brokerCount = 3): ObservedCluster {
  return { brokerCount, topics: [], scramUsers: [], acls: [] };
}

export function fakeKafkaAdmin(initial: ObservedCluster = emptyCluster()): FakeKafkaAdmin {
  const cluster: ObservedCluster = structuredClone(initial);
  const calls: string[] = [];
  const failures = new Map<string, Error>();
  const passwords = new Map<string, string>();

  const record = (method: keyof KafkaAdmin, arg: string): void => {
    calls.push(`${method}(${arg})`);
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      throw failure;
    }
  };
  const topic = (name: string): TopicSettings => {
    const found = cluster.topics.find((t) => t.name === name);
    if (!found) throw new Error(`topic ${name} does not exist`);
    return found;
  };
  const describe = (bindings: AclBinding[]): string => bindings.map(bindingKey).join(', ');

  return {
    cluster,
    calls,
    failNext(method, error) {
      failures.set(method, error);
    },
    async observe() {
      return structuredClone(cluster);
    },
    async createTopic(settings) {
      record('createTopic', settings.name);
      if (cluster.topics.some((t) => t.name === settings.name)) throw new Error(`topic ${settings.name} already exists`);
      cluster.topics.push(structuredClone(settings));
    },
    async addPartitions(name, total) {
      record('addPartitions', `${name}, ${total}`);
      topic(name).partitions = total;
    },
    async replaceTopicConfig(name, config) {
      record('replaceTopicConfig', `${name}, ${JSON.stringify(config)}`);
      topic(name).config = { ...config };
    },
    async deleteTopic(name) {
      record('deleteTopic', name);
      topic(name);
      cluster.topics = cluster.topics.filter((t) => t.name !== name);
    },
    async upsertScramUser(user, password) {
      record('upsertScramUser', `${user}, ***`);
      passwords.set(user, password);
      if (!cluster.scramUsers.includes(user)) cluster.scramUsers.push(user);
    },
    async deleteScramUser(user) {
      record('deleteScramUser', user);
      cluster.scramUsers = cluster.scramUsers.filter((u) => u !== user);
    },
    async createAcls(bindings) {
      record('createAcls', describe(bindings));
      const existing = new Set(cluster.acls.map(bindingKey));
      cluster.acls.push(...bindings.filter((b) => !existing.has(bindingKey(b))));
    },
    async deleteAcls(bindings) {
      record('deleteAcls', describe(bindings));
      const gone = new Set(bindings.map(bindingKey));
      cluster.acls = cluster.acls.filter((b) => !gone.has(bindingKey(b)));
    },
    async close() {},
  };
}

export function memorySecretStore(initial: Record<string, string> = {}): SecretStore & { values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  let counter = 0;
  return {
    values,
    read: (name) => values.get(name),
    write: (name, value) => void values.set(name, value),
    ensure(name) {
      const existing = values.get(name);
      if (existing !== undefined) return existing;
      const value = `generated-${++counter}`;
      values.set(name, value);
      return value;
    },
    remove: (name) => void values.delete(name),
    pathOf: (name) => `/memory/${name}`,
  };
}
