/**
 * The `cassandra` and `influx` sections of pipeline.yaml: defaults, and every issue with its path, its
 * line and a fix, the CQL files' included (file and line of the statement at fault).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goDurationString, normaliseInfluxDuration, parseInfluxDuration } from '../lib/influx/duration';
import { repoRoot } from '../../lib/repo';
import type { SpecIssue } from './types';
import { loadSpec, parseSpec } from './load';

function load(body: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-spec-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const text = `apiVersion: sluice/v1\nname: s\n${body}`;
  return parseSpec(text, join(dir, 'pipeline.yaml'));
}

function issuesOf(body: string, files: Record<string, string> = {}): SpecIssue[] {
  try {
    load(body, files);
  } catch (error) {
    return (error as { details?: { issues: SpecIssue[] } }).details?.issues ?? [];
  }
  throw new Error('the spec was accepted');
}

const TABLE = 'CREATE TABLE t (k text, ts timestamp, PRIMARY KEY ((k), ts));';

describe('the cassandra section', () => {
  test('defaults: keyspace sluice, SimpleStrategy with one replica, no grants; the tables parsed', () => {
    const spec = load('cassandra:\n  tables: [t.cql]\n', { 't.cql': TABLE });
    expect(spec.cassandra).toMatchObject({
      keyspace: 'sluice',
      replication: { class: 'SimpleStrategy', replication_factor: 1 },
      grants: [],
    });
    expect(spec.cassandra!.definitions).toEqual([
      {
        name: 't',
        file: 't.cql',
        path: 'cassandra.tables[0]',
        table: expect.objectContaining({
          keyspace: 'sluice',
          partitionKey: ['k'],
          clustering: [{ name: 'ts', order: 'asc' }],
        }),
      },
    ]);
  });

  test("the demo pipeline declares six tables and the sink role's MODIFY", () => {
    const spec = loadSpec(join(repoRoot(), 'pipeline.yaml'), { brokerCount: 3 });
    expect(spec.cassandra!.definitions.map((d) => d.name)).toEqual([
      'web_requests_by_hour',
      'web_requests_by_path_day',
      'iot_readings_by_hour',
      'iot_readings_by_device_day',
      'finance_transactions_by_hour',
      'finance_transactions_by_account_day',
    ]);
    expect(spec.cassandra!.grants).toEqual([{ role: 'sluice-connect', permissions: ['modify'] }]);
    expect(spec.influx!.retentionPolicies.filter((p) => p.default).map((p) => p.name)).toEqual(['raw']);
  });

  test("a CQL file's problems name the file and the line of the statement", () => {
    const files = {
      'bad.cql': `-- a comment\n\nCREATE TABLE ok (k int PRIMARY KEY);\n\nCREATE TABLE broken (\n  k int,\n  v map<text int>,\n  PRIMARY KEY (k)\n);\nCREATE KEYSPACE other WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};\n`,
      'other.cql':
        "CREATE TABLE elsewhere.t (k int PRIMARY KEY);\nCREATE TABLE ok (k int PRIMARY KEY) WITH read_repair = 'NONE';\n",
    };
    const issues = issuesOf('cassandra:\n  tables: [bad.cql, other.cql, missing.cql]\n', files);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "cassandra.tables[0]: bad.cql:7: expected '>', found 'int'",
      'cassandra.tables[0]: bad.cql:10: CREATE KEYSPACE statement is not a table definition',
      'cassandra.tables[1]: other.cql:1: table elsewhere.t names keyspace elsewhere, but cassandra.keyspace is sluice',
      'cassandra.tables[1]: other.cql:2: table ok sets read_repair, which deploy-pipeline does not manage',
      expect.stringMatching(/^cassandra\.tables\[2\]: cannot read .*missing\.cql \(no such file\)$/),
    ]);
    expect(issues[1]!.fix).toMatch(/the keyspace comes from cassandra.keyspace/);
    expect(issues[2]!.fix).toBe('write CREATE TABLE t without a keyspace: deploy-pipeline creates it in sluice');
    // The YAML line of the file's entry in cassandra.tables.
    expect(issues.map((i) => i.line)).toEqual([4, 4, 4, 4, 4]);
  });

  test('a table defined twice is refused', () => {
    const issues = issuesOf('cassandra:\n  tables: [a.cql, b.cql]\n', { 'a.cql': TABLE, 'b.cql': TABLE });
    expect(issues.map((i) => i.message)).toEqual(['b.cql:1: table t is already defined in a.cql']);
  });

  test('replication must match its strategy; grants and their permissions are checked', () => {
    const issues = issuesOf(
      `cassandra:
  keyspace: Bad-Name
  replication: { class: NetworkTopologyStrategy, replication_factor: 3 }
  tables: [t.cql]
  grants:
    - { role: sluice-connect, permissions: [modify, write] }
    - { role: sluice-connect, permissions: [select] }
`,
      { 't.cql': TABLE },
    );
    expect(issues.map((i) => i.path)).toEqual([
      'cassandra.keyspace',
      'cassandra.replication',
      'cassandra.replication.replication_factor',
      'cassandra.grants[0].permissions[1]',
      'cassandra.grants[1].role',
    ]);
    expect(issues.find((i) => i.path === 'cassandra.replication')!.fix).toBe(
      'add datacenters: [{name: datacenter1, replication_factor: 3}]',
    );
  });
});

describe('the influx section', () => {
  test('defaults: database sluice, replication 1, not the default policy, no grants', () => {
    const spec = load(
      'influx:\n  retentionPolicies:\n    - { name: raw, duration: 30d, default: true }\n    - { name: long, duration: INF }\n',
    );
    expect(spec.influx).toEqual({
      database: 'sluice',
      retentionPolicies: [
        { name: 'raw', duration: '30d', default: true, replication: 1 },
        { name: 'long', duration: 'INF', replication: 1, default: false },
      ],
      grants: [],
    });
  });

  test('exactly one default policy, durations InfluxDB accepts, one grant per user', () => {
    const issues = issuesOf(`influx:
  retentionPolicies:
    - { name: raw, duration: 30m }
    - { name: raw, duration: 30d, shardDuration: 60d }
    - { name: week, duration: 7 days }
  grants:
    - { user: grafana, privilege: read }
    - { user: grafana, privilege: admin }
`);
    // In the order of the file's lines.
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'influx.retentionPolicies: no retention policy is the default',
      "influx.retentionPolicies[0].duration: 30m is shorter than InfluxDB's minimum of 1h",
      expect.stringMatching(/^influx\.retentionPolicies\[1\]\.name: retention policy 'raw' is listed twice/),
      "influx.retentionPolicies[1].shardDuration: shard groups of 60d are longer than the policy's duration 30d: whole shards would outlive it",
      "influx.retentionPolicies[2].duration: '7 days' must be an InfluxQL duration such as 30d, 720h or 1w, or INF",
      "influx.grants[1].privilege: must be one of read, write, all, got 'admin'",
      expect.stringMatching(/^influx\.grants\[1\]\.user: user 'grafana' is listed twice/),
    ]);
  });
});

describe('InfluxQL durations', () => {
  test.each([
    ['30d', '720h0m0s'],
    ['52w', '8736h0m0s'],
    ['1h30m', '1h30m0s'],
    ['90s', '1m30s'],
    ['1500ms', '1.5s'],
    ['INF', '0s'],
  ])('%s is %s, as InfluxDB prints it', (text, printed) => {
    expect(normaliseInfluxDuration(text)).toBe(printed);
  });

  test('anything else is not a duration', () => {
    expect(parseInfluxDuration('7 days')).toBeUndefined();
    expect(parseInfluxDuration('')).toBeUndefined();
    expect(goDurationString(0n)).toBe('0s');
  });
});
