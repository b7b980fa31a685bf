import type { ObservedCluster } from '../clients/kafka-types';
import type { ObservedState } from '../providers/types';
import { expandAcls } from '../providers/acl';
import { normaliseConfig } from '../providers/topic-config';
import { validateSpec } from '../spec/validate';
import type { PipelineSpec } from '../spec/types';
import { planPipeline } from './plan';
import type { PlanOptions } from './plan';
import { renderPlan } from './render';

function demoSpec(): PipelineSpec {
  const { spec, issues } = validateSpec({
    apiVersion: 'sluice/v1',
    name: 'demo',
    topics: [
      { name: 'web.access-logs', partitions: 6, config: { 'min.insync.replicas': 2, 'retention.ms': 604800000 } },
      { name: 'iot.readings', partitions: 3, config: { 'retention.ms': 86400000 } },
      { name: 'ref.devices', partitions: 3, config: { 'cleanup.policy': 'compact' } },
    ],
    principals: [
      { name: 'sim-web', produces: ['web.access-logs'] },
      { name: 'anomaly', consumes: [{ group: 'anomaly', topics: ['web.access-logs', 'iot.readings'] }] },
    ],
  });
  if (!spec) throw new Error(JSON.stringify(issues));
  return spec;
}

/** The cluster exactly as the spec wants it. */
function clusterMatching(spec: PipelineSpec, brokerCount = 3): ObservedCluster {
  return {
    brokerCount,
    topics: spec.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      replicationFactor: t.replicationFactor,
      config: { ...t.config },
    })),
    scramUsers: ['admin', ...spec.principals.map((p) => p.name)],
    acls: spec.principals.flatMap(expandAcls),
  };
}

const empty = (brokerCount = 3): ObservedCluster => ({ brokerCount, topics: [], scramUsers: ['admin'], acls: [] });
const state = (kafka: ObservedCluster): ObservedState => ({ kafka, subjects: [], sqlJobs: [] });
const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  managed: new Set(),
  prune: false,
  hasSecret: () => true,
  ...over,
});
const topicOf = (cluster: ObservedCluster, name: string) => {
  const topic = cluster.topics.find((t) => t.name === name);
  if (!topic) throw new Error(name);
  return topic;
};

describe('planPipeline and renderPlan', () => {
  it('creates everything on an empty cluster, topics before principals before ACLs', () => {
    const plan = planPipeline(demoSpec(), state(empty()), options({ hasSecret: () => false }));
    expect(plan.hasChanges).toBe(true);
    expect(plan.counts).toEqual({ noop: 0, create: 7, update: 0, replace: 0, delete: 0, refused: 0 });
    expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  + topic/web.access-logs        create  partitions=6 replicationFactor=3 config{min.insync.replicas=2, retention.ms=604800000}
  + topic/iot.readings           create  partitions=3 replicationFactor=3 config{retention.ms=86400000}
  + topic/ref.devices            create  partitions=3 replicationFactor=3 config{cleanup.policy=compact}
  + principal/sim-web            create  SCRAM-SHA-512 user
  + principal/anomaly            create  SCRAM-SHA-512 user
  + acl/sim-web                  create  + allow WRITE,DESCRIBE topic:web.access-logs
  + acl/anomaly                  create  + allow READ group:anomaly
  + acl/anomaly                  create  + allow READ,DESCRIBE topic:web.access-logs
  + acl/anomaly                  create  + allow READ,DESCRIBE topic:iot.readings

Plan: 7 to create, 0 to update, 0 to replace, 0 to delete, 0 refused."
`);
  });

  it('says there is nothing to do when the cluster matches the spec', () => {
    const spec = demoSpec();
    const plan = planPipeline(spec, state(clusterMatching(spec)), options());
    expect(plan.hasChanges).toBe(false);
    expect(plan.steps.every((s) => s.action === 'noop')).toBe(true);
    expect(renderPlan(plan)).toBe('No changes. The cluster matches demo.');
  });

  it('lists the unchanged resources only with --verbose, and only those beside a change', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    topicOf(cluster, 'iot.readings').partitions = 1;
    const plan = planPipeline(spec, state(cluster), options());
    expect(renderPlan(plan).split('\n')).toEqual([
      '  ~ topic/iot.readings           update  partitions: 1 -> 3',
      '',
      'Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 refused.',
    ]);
    expect(renderPlan(plan, { verbose: true })).toMatchInlineSnapshot(`
"    topic/web.access-logs        noop
  ~ topic/iot.readings           update  partitions: 1 -> 3
    topic/ref.devices            noop
    principal/sim-web            noop
    principal/anomaly            noop
    acl/sim-web                  noop
    acl/anomaly                  noop

Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 refused."
`);
  });

  it('compares config after normalising it', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    topicOf(cluster, 'web.access-logs').config = { 'retention.ms': '604800000.0', 'min.insync.replicas': ' 2' };
    expect(planPipeline(spec, state(cluster), options()).hasChanges).toBe(false);
    expect(normaliseConfig(topicOf(clusterMatching(spec), 'web.access-logs').config)).toEqual(spec.topics[0]?.config);
  });

  it('adds partitions', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    topicOf(cluster, 'web.access-logs').partitions = 3;
    expect(renderPlan(planPipeline(spec, state(cluster), options()))).toMatchInlineSnapshot(`
"  ~ topic/web.access-logs        update  partitions: 3 -> 6

Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 refused."
`);
  });

  it('refuses to remove partitions or change the replication factor', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    topicOf(cluster, 'web.access-logs').partitions = 12;
    topicOf(cluster, 'iot.readings').replicationFactor = 1;
    const plan = planPipeline(spec, state(cluster), options());
    expect(plan.refused.map((s) => s.id)).toEqual(['topic/web.access-logs', 'topic/iot.readings']);
    expect(plan.hasChanges).toBe(false);
    expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  ! topic/web.access-logs        refused partitions: 12 -> 6: Kafka cannot remove partitions from a topic; create a new topic with 6 partitions and migrate, or keep 12
  ! topic/iot.readings           refused replicationFactor: 1 -> 3: Kafka cannot change the replication factor of a topic in place; reassign its partitions (kafka-reassign-partitions.sh) or create a new topic with replicationFactor 3 and migrate, or keep 1

Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 2 refused.
Nothing will be applied while a change is refused: change the spec as each refused line says."
`);
  });

  it('refuses a replication factor above the broker count, naming the spec path', () => {
    const plan = planPipeline(demoSpec(), state(empty(1)), options());
    expect(plan.refused.map((s) => s.reason)).toEqual([
      'replicationFactor: topics[0].replicationFactor is 3 but the cluster has 1 broker; use at most 1, or add brokers',
      'replicationFactor: topics[1].replicationFactor is 3 but the cluster has 1 broker; use at most 1, or add brokers',
      'replicationFactor: topics[2].replicationFactor is 3 but the cluster has 1 broker; use at most 1, or add brokers',
    ]);
  });

  it('changes config values and returns dropped keys to the default', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    topicOf(cluster, 'iot.readings').config = { 'retention.ms': '3600000', 'segment.ms': '600000' };
    expect(renderPlan(planPipeline(spec, state(cluster), options()))).toMatchInlineSnapshot(`
"  ~ topic/iot.readings           update  config.retention.ms: 3600000 -> 86400000; config.segment.ms: 600000 -> (default)

Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 refused."
`);
  });

  it('gives a principal whose password is not known locally a new one', () => {
    const spec = demoSpec();
    const plan = planPipeline(
      spec,
      state(clusterMatching(spec)),
      options({ hasSecret: (name) => name !== 'users/anomaly' }),
    );
    expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  ~ principal/anomaly            update  new SCRAM-SHA-512 password (password not known locally)

Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 refused."
`);
  });

  describe('an ACL the spec does not declare', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    cluster.acls.push({
      principal: 'User:sim-web',
      resourceType: 'topic',
      resourceName: 'legacy.',
      patternType: 'prefixed',
      operation: 'read',
      permission: 'allow',
      host: '*',
    });
    const managed = new Set(planPipeline(spec, state(cluster), options()).specIds);

    it('is kept without --prune', () => {
      const plan = planPipeline(spec, state(cluster), options({ managed }));
      expect(plan.hasChanges).toBe(false);
      expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  = acl/sim-web                  kept    allow READ topic:legacy.* (not in spec; --prune removes it)

No changes. The cluster matches demo. 1 kept (not in spec; --prune deletes them)."
`);
    });

    it('is deleted with --prune', () => {
      const plan = planPipeline(spec, state(cluster), options({ managed, prune: true }));
      expect(plan.counts.update).toBe(1);
      expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  ~ acl/sim-web                  update  - allow READ topic:legacy.*

Plan: 0 to create, 1 to update, 0 to replace, 0 to delete, 0 refused."
`);
    });

    it('is kept even with --prune while Sluice does not manage the principal', () => {
      const plan = planPipeline(spec, state(cluster), options({ managed: new Set(), prune: true }));
      expect(plan.hasChanges).toBe(false);
      expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  = acl/sim-web                  kept    allow READ topic:legacy.* (not in spec; Sluice does not manage acl/sim-web yet, so --prune keeps it too)

No changes. The cluster matches demo. 1 unmanaged ACL binding left alone."
`);
    });
  });

  describe('resources no longer in the spec', () => {
    const spec = demoSpec();
    const cluster = clusterMatching(spec);
    cluster.topics.push(
      { name: 'old.events', partitions: 1, replicationFactor: 3, config: {} },
      { name: 'someone-elses', partitions: 1, replicationFactor: 3, config: {} },
    );
    cluster.scramUsers.push('old-svc', 'hand-made');
    cluster.acls.push(
      {
        principal: 'User:old-svc',
        resourceType: 'topic',
        resourceName: 'old.events',
        patternType: 'literal',
        operation: 'write',
        permission: 'allow',
        host: '*',
      },
      {
        principal: 'User:hand-made',
        resourceType: 'topic',
        resourceName: 'someone-elses',
        patternType: 'literal',
        operation: 'read',
        permission: 'allow',
        host: '*',
      },
    );
    const managed = new Set([
      ...planPipeline(spec, state(cluster), options()).specIds,
      'topic/old.events',
      'principal/old-svc',
      'acl/old-svc',
      'topic/gone-already',
    ]);

    it('are kept without --prune', () => {
      const plan = planPipeline(spec, state(cluster), options({ managed }));
      expect(plan.kept).toEqual(['topic/old.events', 'principal/old-svc', 'acl/old-svc']);
      expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  = topic/old.events             kept    not in spec; --prune deletes it
  = principal/old-svc            kept    not in spec; --prune deletes it
  = acl/old-svc                  kept    not in spec; --prune deletes it

No changes. The cluster matches demo. 3 kept (not in spec; --prune deletes them)."
`);
    });

    it('are deleted with --prune, ACLs first and topics last, and only when Sluice manages them', () => {
      const plan = planPipeline(spec, state(cluster), options({ managed, prune: true }));
      expect(plan.steps.filter((s) => s.action === 'delete').map((s) => s.id)).toEqual([
        'acl/old-svc',
        'principal/old-svc',
        'topic/old.events',
      ]);
      expect(plan.kept).toEqual([]);
      expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  - acl/old-svc                  delete  - allow WRITE topic:old.events
  - principal/old-svc            delete  SCRAM-SHA-512 user, its local secret and client files
  - topic/old.events             delete

Plan: 0 to create, 0 to update, 0 to replace, 3 to delete, 0 refused."
`);
    });
  });

  it('colours lines for a terminal', () => {
    const rendered = renderPlan(planPipeline(demoSpec(), state(empty()), options()), { color: true });
    expect(rendered).toContain('\u001b[32m  + topic/web.access-logs');
  });
});
