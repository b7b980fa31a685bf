/**
 * Kafka topics. Partitions can only grow and the replication factor cannot change in place, so those
 * diffs are refused with what to do instead; config converges by replacing the topic's overrides.
 */
import type { ObservedTopic, TopicSettings } from '../clients/kafka-types';
import type { PipelineSpec } from '../spec/types';
import { normaliseConfig } from './topic-config';
import type { Change, DiffContext, Provider, StepBase } from './types';

export interface TopicStep extends StepBase {
  kind: 'topic';
  topic: string;
  /** The settings to create or converge to (absent for delete). */
  desired?: TopicSettings;
}

export interface DesiredTopic {
  settings: TopicSettings;
  /** Where the topic is declared (`topics[2]`), so a refusal points at the line to change. */
  path: string;
}

export const topicId = (name: string): string => `topic/${name}`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function configChanges(desired: Record<string, string>, observed: Record<string, string>): Change[] {
  const keys = [...new Set([...Object.keys(desired), ...Object.keys(observed)])].sort();
  const changes: Change[] = [];
  for (const key of keys) {
    const to = desired[key];
    const from = observed[key];
    if (to === from) continue;
    // A key the topic overrides but the spec omits goes back to the broker default.
    const change: Change = { field: `config.${key}` };
    if (from !== undefined) change.from = from;
    if (to !== undefined) change.to = to;
    changes.push(change);
  }
  return changes;
}

function createChanges(settings: TopicSettings, context: DiffContext, path: string): Change[] {
  const replication: Change = { field: 'replicationFactor', to: settings.replicationFactor };
  if (settings.replicationFactor > context.brokerCount) {
    replication.refused =
      `${path}.replicationFactor is ${settings.replicationFactor} but the cluster has ${plural(context.brokerCount, 'broker')}; ` +
      `use at most ${context.brokerCount}, or add brokers`;
  }
  return [
    { field: 'partitions', to: settings.partitions },
    replication,
    ...Object.entries(settings.config).map(([key, value]) => ({ field: `config.${key}`, to: value })),
  ];
}

function updateChanges(desired: TopicSettings, observed: ObservedTopic): Change[] {
  const changes: Change[] = [];
  if (desired.partitions !== observed.partitions) {
    const change: Change = { field: 'partitions', from: observed.partitions, to: desired.partitions };
    if (desired.partitions < observed.partitions) {
      change.refused =
        `Kafka cannot remove partitions from a topic; create a new topic with ${desired.partitions} partitions and migrate, ` +
        `or keep ${observed.partitions}`;
    }
    changes.push(change);
  }
  if (desired.replicationFactor !== observed.replicationFactor) {
    changes.push({
      field: 'replicationFactor',
      from: observed.replicationFactor,
      to: desired.replicationFactor,
      refused:
        'Kafka cannot change the replication factor of a topic in place; reassign its partitions ' +
        `(kafka-reassign-partitions.sh) or create a new topic with replicationFactor ${desired.replicationFactor} and migrate, ` +
        `or keep ${observed.replicationFactor}`,
    });
  }
  return [...changes, ...configChanges(desired.config, normaliseConfig(observed.config))];
}

function stepOf(id: string, topic: string, changes: Change[], desired?: TopicSettings): TopicStep {
  const refusals = changes.flatMap((c) => (c.refused ? [`${c.field}: ${c.refused}`] : []));
  const step: TopicStep = { kind: 'topic', id, topic, action: 'noop', changes };
  if (desired) step.desired = desired;
  if (refusals.length > 0) {
    step.action = 'refused';
    step.reason = refusals.join('; ');
  }
  return step;
}

export const topicProvider: Provider<DesiredTopic, ObservedTopic, TopicStep> = {
  kind: 'topic',

  desired(spec: PipelineSpec) {
    return new Map(
      spec.topics.map((topic, i) => [
        topicId(topic.name),
        {
          settings: {
            name: topic.name,
            partitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            config: normaliseConfig(topic.config),
          },
          path: `topics[${i}]`,
        },
      ]),
    );
  },

  observed({ kafka: cluster }) {
    return new Map(cluster.topics.map((topic) => [topicId(topic.name), topic]));
  },

  diff(id, desired, observed, context) {
    if (!desired) {
      const step = stepOf(id, observed?.name ?? id.slice('topic/'.length), []);
      step.action = 'delete';
      return step;
    }
    if (!observed) {
      const step = stepOf(
        id,
        desired.settings.name,
        createChanges(desired.settings, context, desired.path),
        desired.settings,
      );
      if (step.action === 'noop') step.action = 'create';
      return step;
    }
    const step = stepOf(id, desired.settings.name, updateChanges(desired.settings, observed), desired.settings);
    if (step.action === 'noop' && step.changes.length > 0) step.action = 'update';
    return step;
  },

  async create({ kafka }, step) {
    if (!step.desired) throw new Error(`${step.id}: create step without desired settings`);
    await kafka.createTopic(step.desired);
  },

  async update({ kafka }, step) {
    const desired = step.desired;
    if (!desired) throw new Error(`${step.id}: update step without desired settings`);
    if (step.changes.some((c) => c.field === 'partitions')) await kafka.addPartitions(step.topic, desired.partitions);
    if (step.changes.some((c) => c.field.startsWith('config.')))
      await kafka.replaceTopicConfig(step.topic, desired.config);
  },

  async delete({ kafka }, step) {
    await kafka.deleteTopic(step.topic);
  },
};
