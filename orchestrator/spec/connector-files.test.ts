import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import { repoRoot } from '../../lib/repo';
import { CONNECTOR_ONLY_PLACEHOLDERS } from '../platform/connector-env';
import { loadSpec, parseSpec } from './load';
import type { SpecIssue } from './types';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-connectors-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const known = new Set(['SLUICE_BOOTSTRAP_SERVERS', ...CONNECTOR_ONLY_PLACEHOLDERS]);

function spec(config: Record<string, unknown>, fileName = 'c.json', body?: unknown): string {
  writeFileSync(join(dir, fileName), JSON.stringify(body ?? { name: 'cassandra-iot', config }));
  return `apiVersion: sluice/v1
name: t
topics:
  - { name: iot.readings, partitions: 1 }
  - { name: dlq.iot, partitions: 1 }
connectors:
  - name: cassandra-iot
    file: ${fileName}
`;
}

const base = {
  'connector.class': 'dev.sluice.connect.CassandraSinkConnector',
  topics: 'iot.readings',
  'tasks.max': 1,
  'cassandra.contact.points': '${SLUICE_CASSANDRA_CONTACT_POINT}',
  'cassandra.password': '${SLUICE_CONNECT_CASSANDRA_PASSWORD}',
  'errors.deadletterqueue.topic.name': 'dlq.iot',
};

function issues(text: string): SpecIssue[] {
  try {
    parseSpec(text, join(dir, 'spec.yaml'), { connectorPlaceholders: known });
  } catch (error) {
    if (error instanceof SluiceError) return (error.details?.issues ?? []) as SpecIssue[];
    throw error;
  }
  throw new Error('the spec was accepted');
}

describe('connector files', () => {
  it('are read with the spec: strings only, name added, secrets and topics known', () => {
    const loaded = parseSpec(spec(base), join(dir, 'spec.yaml'), { connectorPlaceholders: known });
    expect(loaded.connectorConfigs).toEqual([
      {
        name: 'cassandra-iot',
        file: 'c.json',
        path: 'connectors[0]',
        config: { ...base, 'tasks.max': '1', name: 'cassandra-iot' },
        secretKeys: ['cassandra.password'],
        topics: ['iot.readings'],
        deadLetterTopic: 'dlq.iot',
      },
    ]);
  });

  it('refuse a secret written out, with the placeholder to use instead', () => {
    const [issue] = issues(spec({ ...base, 'cassandra.password': 'hunter2' }));
    expect(issue).toMatchObject({
      path: 'connectors[0].file',
      message: 'c.json: "cassandra.password" is written out; secrets never go into the repository',
    });
    expect(issue!.fix).toContain('${SLUICE_CONNECT_CASSANDRA_PASSWORD}');
  });

  it('refuse an unknown placeholder, suggesting the known one it resembles', () => {
    const [issue] = issues(spec({ ...base, 'cassandra.contact.points': '${SLUICE_CASANDRA_CONTACT_POINT}' }));
    expect(issue!.message).toBe(
      'c.json: "cassandra.contact.points" uses the unknown placeholder ${SLUICE_CASANDRA_CONTACT_POINT}',
    );
    expect(issue!.fix).toMatch(/^did you mean \$\{SLUICE_CASSANDRA_CONTACT_POINT\}\? use one of: /);
  });

  it('refuse topics and dead-letter topics the spec does not declare, and topics.regex', () => {
    const found = issues(spec({ ...base, topics: 'iot.reading', 'errors.deadletterqueue.topic.name': 'dlq.other' }));
    expect(found.map((i) => i.message)).toEqual([
      "c.json reads topic 'iot.reading', which is not declared under topics",
      "c.json writes dead letters to topic 'dlq.other', which is not declared under topics",
    ]);
    expect(found[0]!.fix).toMatch(/^did you mean 'iot.readings'\?/);
    const { topics: _omitted, ...withoutTopics } = base;
    expect(issues(spec({ ...withoutTopics, 'topics.regex': 'iot\\..*' })).map((i) => i.message)).toEqual([
      'c.json reads topics by "topics.regex"',
    ]);
  });

  it('refuse a file that is not a connector: no config, no class, a name of its own, a value that is not a string', () => {
    expect(issues(spec({}, 'c.json', { name: 'x' }))[0]!.message).toMatch(/has no "config" object$/);
    const { 'connector.class': _class, ...classless } = base;
    expect(issues(spec(classless)).map((i) => i.message)).toEqual(['c.json has no "connector.class"']);
    expect(issues(spec(base, 'c.json', { name: 'other', config: base })).map((i) => i.message)).toEqual([
      "c.json names the connector 'other', the spec 'cassandra-iot'",
    ]);
    expect(issues(spec({ ...base, 'tasks.max': { n: 1 } })).map((i) => i.message)).toEqual([
      'c.json: "tasks.max" is object, Connect takes only strings',
    ]);
    expect(issues(spec(base, 'missing.json').replace('file: missing.json', 'file: nowhere.json'))[0]!.message).toMatch(
      /cannot read .*nowhere\.json \(no such file\)/,
    );
  });

  it('of the repository are valid, read only declared topics, and hold no secret', () => {
    const loaded = loadSpec(join(repoRoot(), 'pipeline.yaml'), { brokerCount: 3, connectorPlaceholders: known });
    expect(loaded.connectorConfigs.map((c) => [c.name, c.secretKeys])).toEqual([
      ['cassandra-web-access-logs', ['cassandra.password']],
      ['cassandra-iot-readings', ['cassandra.password']],
      ['cassandra-finance-transactions', ['cassandra.password']],
      ['influx-aggregates', ['influx.password']],
    ]);
    // Each reads in its own group, granted to the sluice-connect principal with exactly its topics.
    const principal = loaded.principals.find((p) => p.name === 'sluice-connect')!;
    for (const connector of loaded.connectorConfigs) {
      expect(principal.consumes).toContainEqual({ group: `connect-${connector.name}`, topics: connector.topics });
      expect(principal.produces).toContain(connector.deadLetterTopic);
    }
  });
});
