import { validateSpec } from './validate';
import type { SpecIssue } from './types';

/** A small valid spec; each test breaks one thing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reshapes the spec freely
function base(): Record<string, any> {
  return {
    apiVersion: 'sluice/v1',
    name: 'demo',
    topics: [
      { name: 'web.access-logs', partitions: 6, config: { 'min.insync.replicas': 2, 'retention.ms': 604800000 } },
      { name: 'labels.web', partitions: 3, replicationFactor: 3 },
    ],
    principals: [{ name: 'sim-web', produces: ['web.access-logs', 'labels.web'] }],
  };
}

const issueAt = (issues: SpecIssue[], path: string): SpecIssue | undefined => issues.find((i) => i.path === path);

describe('validateSpec', () => {
  it('accepts a valid spec, applies defaults and turns config values into strings', () => {
    const raw = base();
    const { spec, issues } = validateSpec(raw);
    expect(issues).toEqual([]);
    expect(spec?.topics[0]).toEqual({
      name: 'web.access-logs',
      partitions: 6,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2', 'retention.ms': '604800000' },
    });
    expect(spec?.topics[1]?.config).toEqual({});
    expect(spec?.principals[0]).toEqual({
      name: 'sim-web',
      produces: ['web.access-logs', 'labels.web'],
      consumes: [],
      acls: [],
    });
    // The caller's object is not modified by the defaults.
    expect(raw.topics[0].replicationFactor).toBeUndefined();
  });

  it('defaults raw ACL fields', () => {
    const raw = base();
    raw.principals[0].acls = [{ resourceType: 'transactional-id', name: 'flink-', operations: ['write', 'describe'] }];
    const { spec } = validateSpec(raw);
    expect(spec?.principals[0]?.acls).toEqual([
      {
        resourceType: 'transactional-id',
        name: 'flink-',
        patternType: 'literal',
        operations: ['write', 'describe'],
        permission: 'allow',
        host: '*',
      },
    ]);
  });

  it('names an unknown key by its path and suggests the key that was meant', () => {
    const raw = base();
    raw.topics[1].partitons = 3;
    raw.principals[0].produce = ['labels.web'];
    raw.principals[0].owner = 'web team';
    const { spec, issues } = validateSpec(raw);
    expect(spec).toBeUndefined();
    expect(issues).toEqual([
      {
        path: 'topics[1].partitons',
        message: "unknown key 'partitons'",
        fix: "remove it (did you mean 'partitions'?)",
      },
      { path: 'principals[0].produce', message: "unknown key 'produce'", fix: "remove it (did you mean 'produces'?)" },
      {
        path: 'principals[0].owner',
        message: "unknown key 'owner'",
        fix: 'remove it; the known keys are name, description, produces, consumes, acls',
      },
    ]);
  });

  it('reports a misspelt required key once, as a rename', () => {
    const raw = base();
    raw.topics[1].partitons = raw.topics[1].partitions;
    delete raw.topics[1].partitions;
    expect(validateSpec(raw).issues).toEqual([
      { path: 'topics[1].partitons', message: "unknown key 'partitons'", fix: "rename it to 'partitions'" },
    ]);
  });

  it('reports one wrong top-level key once, not every issue that follows from it (issue 11: topic: gave 99)', () => {
    const raw = base();
    // The control: the same principal with its topics declared is valid.
    expect(validateSpec(raw).issues).toEqual([]);
    raw.topic = raw.topics;
    delete raw.topics;
    expect(validateSpec(raw).issues).toEqual([
      { path: 'topic', message: "unknown key 'topic'", fix: "rename it to 'topics'" },
    ]);
  });

  it('still reports the issues that do not follow from the typo', () => {
    const raw = base();
    raw.topic = raw.topics;
    delete raw.topics;
    raw.principals[0].produces.push('no.such-topic');
    raw.principals.push({ name: 'sim-web' });
    expect(validateSpec(raw).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "topic: unknown key 'topic'",
      "principals[0].produces[2]: topic 'no.such-topic' is not declared under topics",
      "principals[1].name: duplicate principal name 'sim-web' (first declared at principals[0])",
    ]);
  });

  it('suggests moving a Kafka config written beside partitions under config', () => {
    const raw = base();
    raw.topics[1]['retention.ms'] = 1000;
    expect(validateSpec(raw).issues[0]).toMatchObject({
      path: 'topics[1]["retention.ms"]',
      fix: expect.stringContaining('move it under config'),
    });
  });

  it('rejects negative partitions with the minimum as the fix', () => {
    const raw = base();
    raw.topics[1].partitions = -3;
    expect(validateSpec(raw).issues).toEqual([
      { path: 'topics[1].partitions', message: 'must be at least 1, got -3', fix: 'use a value of at least 1' },
    ]);
  });

  it('rejects a replication factor above the broker count, naming the count', () => {
    const raw = base();
    const { issues } = validateSpec(raw, { brokerCount: 1 });
    expect(issues.map((i) => i.path)).toEqual(['topics[0].replicationFactor', 'topics[1].replicationFactor']);
    expect(issueAt(issues, 'topics[1].replicationFactor')).toEqual({
      path: 'topics[1].replicationFactor',
      message:
        "replicationFactor 3 is above the cluster's broker count (1 broker): Kafka cannot place more replicas than brokers",
      fix: 'use a value of at most 1, or add brokers',
    });
    expect(issueAt(issues, 'topics[0].replicationFactor')?.message).toContain('3 (the default)');
  });

  it('allows replicationFactor 1 and min.insync.replicas 1', () => {
    const raw = base();
    raw.topics[0].replicationFactor = 1;
    raw.topics[0].config['min.insync.replicas'] = 1;
    raw.topics[1].replicationFactor = 1;
    expect(validateSpec(raw, { brokerCount: 1 }).issues).toEqual([]);
  });

  it('rejects min.insync.replicas above the replication factor', () => {
    const raw = base();
    raw.topics[0].replicationFactor = 2;
    raw.topics[0].config['min.insync.replicas'] = '3';
    expect(validateSpec(raw).issues).toEqual([
      {
        path: 'topics[0].config["min.insync.replicas"]',
        message: 'min.insync.replicas 3 is greater than replicationFactor 2: every write with acks=all would fail',
        fix: 'use a value of at most 2, or raise replicationFactor',
      },
    ]);
  });

  it('rejects a topic in produces or consumes that is not declared, suggesting a declared one', () => {
    const raw = base();
    raw.principals[0].produces.push('web.acess-logs');
    raw.principals[0].consumes = [{ group: 'g', topics: ['elsewhere.topic'] }];
    const { issues } = validateSpec(raw);
    expect(issues.map((i) => i.path)).toEqual(['principals[0].produces[2]', 'principals[0].consumes[0].topics[0]']);
    expect(issues[0]?.message).toBe("topic 'web.acess-logs' is not declared under topics");
    expect(issues[0]?.fix).toMatch(
      /^did you mean 'web.access-logs'\? Otherwise declare it under topics, or .*patternType: prefixed/,
    );
    expect(issues[1]?.fix).toMatch(/^declare it under topics/);
  });

  it('rejects duplicate topic and principal names', () => {
    const raw = base();
    raw.topics.push({ name: 'labels.web', partitions: 1 });
    raw.principals.push({ name: 'sim-web' });
    expect(validateSpec(raw).issues).toEqual([
      {
        path: 'topics[2].name',
        message: "duplicate topic name 'labels.web' (first declared at topics[1])",
        fix: 'rename it, or merge the two entries into topics[1]',
      },
      {
        path: 'principals[1].name',
        message: "duplicate principal name 'sim-web' (first declared at principals[0])",
        fix: 'rename it, or merge the two entries into principals[0]',
      },
    ]);
  });

  it("rejects topic names Kafka would refuse and principals named 'admin'", () => {
    const raw = base();
    raw.topics.push(
      { name: '__internal', partitions: 1 },
      { name: 'web access', partitions: 1 },
      { name: 'labels_web', partitions: 1 },
    );
    raw.principals.push({ name: 'admin' }, { name: 'kafka-1' });
    const paths = validateSpec(raw).issues.map((i) => `${i.path}: ${i.message}`);
    expect(paths).toEqual([
      expect.stringMatching(/^topics\[2\]\.name: '__internal' is not a legal Kafka topic name/),
      expect.stringMatching(/^topics\[3\]\.name: 'web access' is not a legal Kafka topic name/),
      "principals[1].name: 'admin' is reserved",
      "principals[2].name: 'kafka-1' is reserved",
      "topics[4].name: 'labels_web' collides with 'labels.web' (topics[1]): Kafka treats '.' and '_' alike in metric names and refuses the second",
    ]);
  });

  it('lists the allowed values of an enum and the closest one', () => {
    const raw = base();
    raw.principals[0].acls = [{ resourceType: 'topics', name: 'x', operations: ['Describe'] }];
    const { issues } = validateSpec(raw);
    expect(issues).toEqual([
      {
        path: 'principals[0].acls[0].resourceType',
        message: "must be one of topic, group, cluster, transactional-id, got 'topics'",
        fix: "use one of: topic, group, cluster, transactional-id (did you mean 'topic'?)",
      },
      expect.objectContaining({
        path: 'principals[0].acls[0].operations[0]',
        fix: expect.stringContaining("did you mean 'describe'?"),
      }),
    ]);
  });

  it('says how to fix a wrong type', () => {
    const raw = base();
    raw.topics[0].partitions = '6';
    raw.principals[0].produces = 'labels.web';
    expect(validateSpec(raw).issues).toEqual([
      { path: 'topics[0].partitions', message: "must be a whole number, got '6'", fix: 'write 6 without quotes' },
      {
        path: 'principals[0].produces',
        message: "must be a list, got 'labels.web'",
        fix: 'write it as a list: [labels.web]',
      },
    ]);
  });

  it('reports a missing key with an example', () => {
    const raw = base();
    delete raw.topics[1].partitions;
    expect(validateSpec(raw).issues).toEqual([
      { path: 'topics[1].partitions', message: 'partitions is required', fix: 'add it, e.g. partitions: 6' },
    ]);
  });

  it('reports every issue at once, schema and semantic together', () => {
    const raw = base();
    raw.apiVersion = 'sluice/v2';
    raw.topics[0].partitions = 0;
    raw.topics[1].replicas = 3;
    raw.topics.push({ name: 'web.access-logs', partitions: 1 });
    raw.principals[0].produces.push('nowhere');
    raw.principals.push({ name: 'Bad_Name' });
    const { spec, issues } = validateSpec(raw, { brokerCount: 3 });
    expect(spec).toBeUndefined();
    expect(issues.map((i) => i.path)).toEqual([
      'apiVersion',
      'topics[0].partitions',
      'topics[1].replicas',
      'principals[1].name',
      'topics[2].name',
      'principals[0].produces[2]',
    ]);
    for (const issue of issues) expect(issue.fix).not.toBe('');
  });

  it('rejects a cluster ACL not named kafka-cluster', () => {
    const raw = base();
    raw.principals[0].acls = [{ resourceType: 'cluster', name: 'my-cluster', operations: ['idempotent-write'] }];
    expect(validateSpec(raw).issues).toEqual([
      expect.objectContaining({ path: 'principals[0].acls[0].name', fix: 'use name: kafka-cluster' }),
    ]);
  });

  it('reports a document that is not a mapping', () => {
    expect(validateSpec(null).issues).toEqual([
      expect.objectContaining({ path: '(spec)', message: 'must be a mapping, got nothing (an empty value)' }),
    ]);
    expect(validateSpec([]).issues[0]?.path).toBe('(spec)');
  });
});
