/**
 * In-memory stand-ins for unit tests: a KafkaAdmin that keeps an ObservedCluster and records every call,
 * a schema registry that keeps versions, and a SecretStore in a Map. No servers, so plan → apply → plan can be tested end to end in milliseconds.
 */
import type { AclBinding, KafkaAdmin, ObservedCluster, TopicSettings } from '../../clients/kafka-types';
import type { Compatibility, ObservedSubject, SchemaRegistryAdmin } from '../../clients/registry-types';
import type { SecretStore } from '../../lib/secrets';
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
      if (cluster.topics.some((t) => t.name === settings.name))
        throw new Error(`topic ${settings.name} already exists`);
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

export interface FakeRegistry extends SchemaRegistryAdmin {
  /** Versions per subject, oldest first. */
  versions: Map<string, string[]>;
  levels: Map<string, Compatibility>;
  calls: string[];
  /** Subjects whose next version the fake registry refuses, with the reason it gives. */
  incompatible: Map<string, string>;
}

/** A registry that keeps versions in memory and refuses what `incompatible` says. */
export function fakeRegistry(): FakeRegistry {
  const versions = new Map<string, string[]>();
  const levels = new Map<string, Compatibility>();
  const incompatible = new Map<string, string>();
  const calls: string[] = [];
  return {
    versions,
    levels,
    calls,
    incompatible,
    async observeSubject(subject, desiredSchema) {
      const history = versions.get(subject);
      if (!history?.length) return undefined;
      const latest = history[history.length - 1]!;
      const observed: ObservedSubject = {
        subject,
        latest: { id: 100 + history.length, version: history.length, schema: latest },
      };
      const level = levels.get(subject);
      if (level) observed.compatibility = level;
      if (desiredSchema !== undefined && desiredSchema !== latest) {
        const reason = incompatible.get(subject);
        observed.candidate = reason ? { compatible: false, messages: [reason] } : { compatible: true, messages: [] };
      }
      return observed;
    },
    async register(subject, schema) {
      calls.push(`register(${subject})`);
      const history = versions.get(subject) ?? [];
      if (history.length && incompatible.has(subject)) throw new Error(`409 ${incompatible.get(subject)}`);
      if (history[history.length - 1] !== schema) history.push(schema);
      versions.set(subject, history);
      return 100 + history.length;
    },
    async setCompatibility(subject, level) {
      calls.push(`setCompatibility(${subject}, ${level})`);
      levels.set(subject, level);
    },
    async deleteSubject(subject) {
      calls.push(`deleteSubject(${subject})`);
      versions.delete(subject);
      levels.delete(subject);
    },
  };
}
