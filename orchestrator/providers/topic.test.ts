import type { ObservedTopic } from '../clients/kafka-types';
import type { DesiredTopic } from './topic';
import { topicProvider } from './topic';
import type { DiffContext } from './types';

const context: DiffContext = { brokerCount: 3, prune: false, managed: new Set(), hasSecret: () => true };

const desired = (over: Partial<DesiredTopic['settings']> = {}): DesiredTopic => ({
  settings: {
    name: 'iot.readings',
    partitions: 6,
    replicationFactor: 3,
    config: { 'retention.ms': '604800000' },
    ...over,
  },
  path: 'topics[1]',
});
const observed = (over: Partial<ObservedTopic> = {}): ObservedTopic => ({
  name: 'iot.readings',
  partitions: 6,
  replicationFactor: 3,
  config: { 'retention.ms': '604800000' },
  ...over,
});

const diff = (d?: DesiredTopic, o?: ObservedTopic, ctx: DiffContext = context) =>
  topicProvider.diff('topic/iot.readings', d, o, ctx);

describe('topicProvider.diff', () => {
  it('creates a missing topic', () => {
    expect(diff(desired(), undefined)).toMatchObject({
      action: 'create',
      changes: [
        { field: 'partitions', to: 6 },
        { field: 'replicationFactor', to: 3 },
        { field: 'config.retention.ms', to: '604800000' },
      ],
    });
  });

  it('refuses to create a topic with more replicas than brokers, naming the spec path', () => {
    const step = diff(desired(), undefined, { ...context, brokerCount: 1 });
    expect(step.action).toBe('refused');
    expect(step.reason).toBe(
      'replicationFactor: topics[1].replicationFactor is 3 but the cluster has 1 broker; use at most 1, or add brokers',
    );
  });

  it('is a noop when only the spelling of a config value differs', () => {
    expect(
      diff(
        desired({ config: { 'retention.ms': '604800000' } }),
        observed({ config: { 'retention.ms': '604800000.0' } }),
      ).action,
    ).toBe('noop');
  });

  it('adds partitions', () => {
    expect(diff(desired({ partitions: 12 }), observed())).toMatchObject({
      action: 'update',
      changes: [{ field: 'partitions', from: 6, to: 12 }],
    });
  });

  it('refuses fewer partitions and a different replication factor, with what to do instead', () => {
    const step = diff(desired({ partitions: 3, replicationFactor: 2 }), observed());
    expect(step.action).toBe('refused');
    expect(step.changes.map((c) => c.refused)).toEqual([
      'Kafka cannot remove partitions from a topic; create a new topic with 3 partitions and migrate, or keep 6',
      'Kafka cannot change the replication factor of a topic in place; reassign its partitions (kafka-reassign-partitions.sh) or create a new topic with replicationFactor 2 and migrate, or keep 3',
    ]);
  });

  it('returns config keys the spec dropped to the default', () => {
    const step = diff(desired({ config: { 'cleanup.policy': 'compact' } }), observed());
    expect(step).toMatchObject({
      action: 'update',
      changes: [
        { field: 'config.cleanup.policy', to: 'compact' },
        { field: 'config.retention.ms', from: '604800000' },
      ],
    });
    expect(step.changes[1]).not.toHaveProperty('to');
  });

  it('deletes a topic the planner no longer wants', () => {
    expect(diff(undefined, observed())).toMatchObject({ action: 'delete', topic: 'iot.readings', changes: [] });
  });
});
