import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError, SluiceError } from '../../lib/errors';
import { loadSpec, parseSpec } from './load';
import type { SpecIssue } from './types';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'specs');

function failure(run: () => unknown): SluiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error('expected a SluiceError');
}

const issuesOf = (error: SluiceError): SpecIssue[] => (error.details?.issues ?? []) as SpecIssue[];

describe('loadSpec', () => {
  it('loads the demo pipeline.yaml at the repository root', () => {
    const spec = loadSpec(join(ROOT, 'pipeline.yaml'), { brokerCount: 3 });
    expect(spec.name).toBe('demo');
    expect(spec.topics.map((t) => t.name)).toEqual([
      'web.access-logs',
      'iot.readings',
      'finance.transactions',
      'labels.web',
      'labels.iot',
      'labels.finance',
      'ref.devices',
      'ref.accounts',
      'ref.ip-ranges',
      'ref.ip-blocks',
      'rejects.iot',
      'rejects.web',
      'rejects.finance',
      'enriched.iot',
      'enriched.finance',
      'enriched.web',
      'agg.iot.device-1m',
      'agg.iot.device-5m',
      'agg.iot.site-1m',
      'agg.iot.site-5m',
      'agg.web.path-1m',
      'agg.web.path-5m',
      'agg.finance.account-1m',
      'agg.finance.account-5m',
      'agg.finance.merchant-1m',
      'agg.finance.merchant-5m',
      'agg.api.air-quality-1h',
      'agg.api.traffic-15m',
      'agg.api.price-moves-1h',
      'patterns.iot-over-threshold',
      'patterns.card-testing',
      'patterns.web-error-burst',
      // anomaly service (issue 6)
      'alerts',
      'anomaly.state',
      'dlq.ingest',
      'dlq.decode',
      'dlq.connect.cassandra-web-access-logs',
      'dlq.connect.cassandra-iot-readings',
      'dlq.connect.cassandra-finance-transactions',
      'dlq.connect.influx-aggregates',
      // API ingestors (issue 7)
      'api.air-quality',
      'api.traffic-flow',
      'api.traffic-incidents',
      'api.weather',
      'api.market-quotes',
      'api.market-bars',
      'api.social-posts',
    ]);
    for (const topic of spec.topics) {
      expect(topic.replicationFactor).toBe(3);
      expect(topic.config['min.insync.replicas']).toBe('2');
      expect(topic.description).toBeTruthy();
    }
    const byName = new Map(spec.topics.map((t) => [t.name, t]));
    expect(byName.get('finance.transactions')).toMatchObject({
      partitions: 6,
      config: { 'retention.ms': String(7 * 24 * 3600 * 1000) },
    });
    expect(byName.get('ref.devices')).toMatchObject({ partitions: 3, config: { 'cleanup.policy': 'compact' } });
    expect(byName.get('dlq.ingest')).toMatchObject({
      partitions: 3,
      config: { 'retention.ms': String(14 * 24 * 3600 * 1000) },
    });
    expect(spec.principals.map((p) => [p.name, p.produces, p.consumes])).toEqual([
      ['sim-web', ['web.access-logs', 'labels.web', 'ref.ip-ranges', 'ref.ip-blocks'], []],
      ['sim-iot', ['iot.readings', 'labels.iot', 'ref.devices'], []],
      ['sim-finance', ['finance.transactions', 'labels.finance', 'ref.accounts'], []],
      [
        'sluice-flink',
        [
          'rejects.iot',
          'rejects.web',
          'rejects.finance',
          'enriched.iot',
          'enriched.finance',
          'enriched.web',
          'agg.iot.device-1m',
          'agg.iot.device-5m',
          'agg.iot.site-1m',
          'agg.iot.site-5m',
          'agg.web.path-1m',
          'agg.web.path-5m',
          'agg.finance.account-1m',
          'agg.finance.account-5m',
          'agg.finance.merchant-1m',
          'agg.finance.merchant-5m',
          'agg.api.air-quality-1h',
          'agg.api.traffic-15m',
          'agg.api.price-moves-1h',
          'patterns.iot-over-threshold',
          'patterns.card-testing',
          'patterns.web-error-burst',
          'dlq.decode',
        ],
        [
          {
            group: 'flink-sluice',
            topics: [
              'iot.readings',
              'ref.devices',
              'finance.transactions',
              'ref.accounts',
              'web.access-logs',
              'ref.ip-blocks',
              'api.air-quality',
              'api.traffic-flow',
              'api.market-quotes',
            ],
          },
        ],
      ],
      // Queries (issue 11): read every topic of the SQL tables (flink-query.test.ts checks the list is complete).
      [
        'sluice-query',
        [],
        [
          {
            group: 'sluice-query',
            topics: expect.arrayContaining(['iot.readings', 'agg.iot.site-1m', 'patterns.web-error-burst']) as string[],
          },
        ],
      ],
      ['dlq-reader', [], [{ group: 'dlq-reader', topics: ['dlq.ingest', 'dlq.decode'] }]],
      // Kafka Connect (issue 5): each connector reads in its own group; dead letters to one topic per connector.
      [
        'sluice-connect',
        [
          'dlq.connect.cassandra-web-access-logs',
          'dlq.connect.cassandra-iot-readings',
          'dlq.connect.cassandra-finance-transactions',
          'dlq.connect.influx-aggregates',
        ],
        [
          { group: 'connect-cassandra-web-access-logs', topics: ['web.access-logs'] },
          { group: 'connect-cassandra-iot-readings', topics: ['iot.readings'] },
          { group: 'connect-cassandra-finance-transactions', topics: ['finance.transactions'] },
          {
            group: 'connect-influx-aggregates',
            topics: [
              'agg.iot.device-1m',
              'agg.iot.device-5m',
              'agg.iot.site-1m',
              'agg.iot.site-5m',
              'agg.web.path-1m',
              'agg.web.path-5m',
              'agg.finance.account-1m',
              'agg.finance.account-5m',
              'agg.finance.merchant-1m',
              'agg.finance.merchant-5m',
              'agg.api.air-quality-1h',
              'agg.api.traffic-15m',
              'agg.api.price-moves-1h',
            ],
          },
        ],
      ],
      // anomaly service (issue 6): its windows and patterns in its group, its state read back, alerts and state written.
      [
        'sluice-anomaly',
        ['alerts', 'anomaly.state'],
        [
          {
            group: 'sluice-anomaly',
            topics: [
              'agg.iot.device-1m',
              'agg.web.path-1m',
              'patterns.iot-over-threshold',
              'patterns.card-testing',
              'patterns.web-error-burst',
            ],
          },
          { group: 'sluice-anomaly-restore', topics: ['anomaly.state'] },
        ],
      ],
      // API ingestors (issue 7): one principal per API, its topics and the dead-letter queue only.
      ['ingest-openaq', ['api.air-quality', 'dlq.ingest'], []],
      ['ingest-tomtom', ['api.traffic-flow', 'api.traffic-incidents', 'dlq.ingest'], []],
      ['ingest-weatherapi', ['api.weather', 'dlq.ingest'], []],
      ['ingest-open-meteo', ['api.weather', 'dlq.ingest'], []],
      ['ingest-alphavantage', ['api.market-quotes', 'api.market-bars', 'dlq.ingest'], []],
      ['ingest-yahoo', ['api.market-quotes', 'api.market-bars', 'dlq.ingest'], []],
      ['ingest-google-maps', ['api.traffic-flow', 'dlq.ingest'], []],
      ['ingest-x', ['api.social-posts', 'dlq.ingest'], []],
      ['ingest-facebook', ['api.social-posts', 'dlq.ingest'], []],
    ]);
    expect(spec.sqlJobs.map((j) => [j.name, j.file, j.statements.length, j.version])).toEqual([
      ['iot-rejects', 'sql/110-iot-rejects.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['iot-windows', 'sql/120-iot-windows.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['iot-enriched', 'sql/130-iot-enriched.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['iot-over-threshold', 'sql/140-iot-over-threshold.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['finance-enriched', 'sql/150-finance-enriched.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['card-testing', 'sql/160-card-testing.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['web-windows', 'sql/170-web-windows.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['finance-windows', 'sql/180-finance-windows.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['web-enriched', 'sql/190-web-enriched.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['web-error-burst', 'sql/200-web-error-burst.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['web-rejects', 'sql/210-web-rejects.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['finance-rejects', 'sql/220-finance-rejects.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['api-windows', 'sql/300-api-windows.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
      ['decode-errors', 'sql/400-decode-errors.sql', 1, expect.stringMatching(/^[0-9a-f]{12}$/)],
    ]);
    expect(spec.sqlTables.length).toBe(52);
    for (const principal of spec.principals) expect(principal.description).toBeTruthy();
    expect(spec.schemas.map((s) => [s.subject, s.file])).toEqual([
      ['web.access-logs-value', 'schemas/web-access-log.avsc'],
      ['iot.readings-value', 'schemas/iot-reading.avsc'],
      ['finance.transactions-value', 'schemas/financial-transaction.avsc'],
      ['labels.web-value', 'schemas/anomaly-label.avsc'],
      ['labels.iot-value', 'schemas/anomaly-label.avsc'],
      ['labels.finance-value', 'schemas/anomaly-label.avsc'],
      ['ref.devices-value', 'schemas/device.avsc'],
      ['ref.accounts-value', 'schemas/account.avsc'],
      ['ref.ip-ranges-value', 'schemas/ip-range.avsc'],
      ['ref.ip-blocks-value', 'schemas/ip-block.avsc'],
      ['alerts-value', 'schemas/alert.avsc'],
      // API ingestors (issue 7)
      ['api.air-quality-value', 'schemas/air-quality-measurement.avsc'],
      ['api.traffic-flow-value', 'schemas/traffic-flow.avsc'],
      ['api.traffic-incidents-value', 'schemas/traffic-incident.avsc'],
      ['api.weather-value', 'schemas/weather-observation.avsc'],
      ['api.market-quotes-value', 'schemas/market-quote.avsc'],
      ['api.market-bars-value', 'schemas/market-bar.avsc'],
      ['api.social-posts-value', 'schemas/social-post.avsc'],
    ]);
    expect(spec.schemas.every((s) => s.compatibility === 'BACKWARD')).toBe(true);
    // API ingestors (issue 7): every API has an entry, with the schema's defaults filled in.
    expect(Object.keys(spec.ingestors)).toEqual([
      'openaq',
      'tomtom',
      'weatherapi',
      'open-meteo',
      'alphavantage',
      'yahoo',
      'google-maps',
      'x',
      'facebook',
    ]);
    expect(spec.ingestors.openaq).toEqual({
      enabled: true,
      schedule: '*/15 * * * *',
      locations: [2178],
      sensors: [3917],
    });
    expect(spec.ingestors.tomtom).toMatchObject({
      enabled: true,
      zoom: 10,
      points: [
        expect.objectContaining({ name: 'amsterdam-centre' }),
        expect.objectContaining({ name: 'nijmegen-centre' }),
      ],
    });
    expect(spec.ingestors.alphavantage).toEqual({
      enabled: true,
      schedule: '0 */4 * * *',
      symbols: ['IBM', 'MSFT'],
      functions: ['GLOBAL_QUOTE'],
      interval: '5min',
    });
    expect(spec.ingestors.x).toMatchObject({ enabled: true, mode: 'filtered', rules: [{ tag: 'traffic-air' }] });
    expect(spec.ingestors.facebook).toMatchObject({ apiVersion: 'v23.0', maxPages: 2 });
  });

  it('reads value schemas relative to the spec file and refuses a missing or broken one with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-schemas-'));
    try {
      writeFileSync(
        join(dir, 'good.avsc'),
        '{"type": "record", "name": "E", "fields": [{"name": "id", "type": "string"}]}',
      );
      writeFileSync(
        join(dir, 'broken.avsc'),
        '{"type": "record", "name": "E", "fields": [{"name": "id", "type": "strang"}]}',
      );
      const spec = (topics: string) => `apiVersion: sluice/v1\nname: s\ntopics:\n${topics}`;
      const good = join(dir, 'good.yaml');
      writeFileSync(good, spec('  - name: e\n    partitions: 1\n    valueSchema: good.avsc\n'));
      expect(loadSpec(good).schemas).toEqual([
        expect.objectContaining({
          subject: 'e-value',
          topic: 'e',
          schema: '{"fields":[{"name":"id","type":"string"}],"name":"E","type":"record"}',
        }),
      ]);

      const bad = join(dir, 'bad.yaml');
      writeFileSync(
        bad,
        spec(
          '  - name: a\n    partitions: 1\n    valueSchema: missing.avsc\n  - name: b\n    partitions: 1\n    valueSchema: broken.avsc\n',
        ),
      );
      const issues = issuesOf(failure(() => loadSpec(bad)));
      expect(issues.map((i) => [i.path, i.line])).toEqual([
        ['topics[0].valueSchema', 6],
        ['topics[1].valueSchema', 9],
      ]);
      expect(issues[0]!.message).toMatch(/no such file/);
      expect(issues[1]!.message).toMatch(/broken.avsc is not a valid Avro schema: .*strang/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads every good fixture', () => {
    expect(loadSpec(join(FIXTURES, 'good', 'minimal.yaml')).topics[0]).toEqual({
      name: 'events',
      partitions: 1,
      replicationFactor: 3,
      config: {},
    });
    const spec = loadSpec(join(FIXTURES, 'good', 'raw-acls.yaml'), { brokerCount: 1 });
    // Long.MAX_VALUE stays exact although YAML reads it as a number.
    expect(spec.topics[0]?.config).toEqual({
      'cleanup.policy': 'compact, delete',
      'retention.ms': '9223372036854775807',
      'message.timestamp.before.max.ms': '1000',
      preallocate: 'false',
    });
    expect(spec.principals[0]?.acls[2]).toEqual({
      resourceType: 'topic',
      name: 'legacy.',
      patternType: 'prefixed',
      operations: ['read'],
      permission: 'deny',
      host: '10.0.0.5',
    });
  });

  it('throws SLUICE_SPEC_NOT_FOUND for a missing file', () => {
    const error = failure(() => loadSpec(join(FIXTURES, 'does-not-exist.yaml')));
    expect(error.code).toBe('SLUICE_SPEC_NOT_FOUND');
    expect(error.message).toContain('does-not-exist.yaml: cannot read the pipeline spec (no such file)');
  });

  it('reports a YAML syntax error with its line', () => {
    const file = join(FIXTURES, 'bad', 'syntax.yaml');
    const error = failure(() => loadSpec(file));
    expect(isSluiceError(error, 'SLUICE_SPEC_INVALID')).toBe(true);
    expect(error.message.startsWith(`${file} is not a valid pipeline spec`)).toBe(true);
    // YAML reads the mis-indented key as the value of line 5 running on, so it reports line 5.
    expect(issuesOf(error)).toEqual([
      {
        path: 'line 5, column 17',
        line: 5,
        message: 'Nested mappings are not allowed in compact mappings',
        fix: 'check the indentation of this line and the next: keys of one mapping start in the same column',
      },
    ]);
  });

  it('reports a duplicate YAML key with its line', () => {
    const error = failure(() => loadSpec(join(FIXTURES, 'bad', 'duplicate-key.yaml')));
    expect(issuesOf(error)).toEqual([
      {
        path: 'line 6, column 5',
        line: 6,
        message: 'Map keys must be unique',
        fix: 'remove one of the two keys, or merge their values',
      },
    ]);
  });

  it('lists every issue in the message, in file order, with path, fix and line', () => {
    const error = failure(() => loadSpec(join(FIXTURES, 'bad', 'many-issues.yaml'), { brokerCount: 3 }));
    expect(error.code).toBe('SLUICE_SPEC_INVALID');
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`${join(FIXTURES, 'bad', 'many-issues.yaml')} is not a valid pipeline spec (5 issues):`);
    expect(lines.slice(1)).toEqual([
      '  - topics[0].partitions: must be at least 1, got -1 (fix: use a value of at least 1) [line 6]',
      "  - topics[0].replicationFactor: replicationFactor 5 is above the cluster's broker count (3 brokers): Kafka cannot place more replicas than brokers (fix: use a value of at most 3, or add brokers) [line 7]",
      "  - topics[1].partitons: unknown key 'partitons' (fix: rename it to 'partitions') [line 9]",
      "  - topics[2].name: duplicate topic name 'web.access-logs' (first declared at topics[0]) (fix: rename it, or merge the two entries into topics[0]) [line 10]",
      "  - principals[0].produces[1]: topic 'web.acces-logs' is not declared under topics (fix: did you mean 'web.access-logs'? Otherwise declare it under topics, or grant access with a raw acls entry (resourceType: topic, patternType: prefixed) for topics Sluice does not manage) [line 14]",
    ]);
    expect(issuesOf(error)).toHaveLength(5);
  });

  it('reports an empty file', () => {
    const error = failure(() => parseSpec('', 'empty.yaml'));
    expect(error.message).toBe(
      'empty.yaml is not a valid pipeline spec (1 issue):\n' +
        '  - (spec): must be a mapping, got nothing (an empty value) (fix: write the spec as a mapping that starts with apiVersion: sluice/v1 and name: <pipeline>)',
    );
  });

  it('reports a file that is a directory as not found', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spec-'));
    try {
      writeFileSync(join(dir, 'x'), '');
      expect(failure(() => loadSpec(dir)).code).toBe('SLUICE_SPEC_NOT_FOUND');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
