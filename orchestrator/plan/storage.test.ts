/**
 * Plans and applies of the storage resource kinds (cassandra-keyspace, cassandra-table, cassandra-grant,
 * influx-database, influx-retention-policy, influx-grant) against in-memory databases: what a first
 * deploy creates and in which order, that a second one changes nothing, what a changed spec gives, and
 * what is refused with which explanation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '../../lib/errors';
import { createLogger } from '../../lib/log';
import { parseSpec } from '../spec/load';
import type { PipelineSpec } from '../spec/types';
import type { ObservedState } from '../providers/types';
import { applyPlan } from './apply';
import { planPipeline, type PlanOptions } from './plan';
import { renderPlan } from './render';
import { fakeKafkaAdmin, fakeRegistry, memorySecretStore } from './testing/fakes';
import { fakeCassandra, fakeInflux, type FakeCassandra, type FakeInflux } from './testing/storage-fakes';

const quiet = createLogger({ write: () => undefined });

const EVENTS = `CREATE TABLE events_by_hour (
  hour timestamp, ts timestamp, event_id uuid, path text, status int,
  PRIMARY KEY ((hour), ts, event_id)
) WITH CLUSTERING ORDER BY (ts DESC, event_id ASC)
  AND default_time_to_live = 2592000
  AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', 'compaction_window_size': 1};`;

const DEVICES = `CREATE TABLE readings_by_device_day (device_id text, day date, ts timestamp, event_id uuid, value double,
  PRIMARY KEY ((device_id, day), ts, event_id)) WITH CLUSTERING ORDER BY (ts DESC, event_id ASC);`;

interface Files {
  events?: string;
  devices?: string;
}

function specWith(files: Files = {}, extra = ''): PipelineSpec {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-storage-'));
  writeFileSync(join(dir, 'events.cql'), files.events ?? EVENTS);
  writeFileSync(join(dir, 'devices.cql'), files.devices ?? DEVICES);
  const text = `apiVersion: sluice/v1
name: store
cassandra:
  keyspace: sluice
  tables: [events.cql, devices.cql]
  grants:
    - { role: sluice-connect, permissions: [modify] }
influx:
  database: sluice
  retentionPolicies:
    - { name: raw, duration: 30d, shardDuration: 1d, default: true }
    - { name: long, duration: 52w }
  grants:
    - { user: sluice-connect, privilege: write }
    - { user: grafana, privilege: read }
${extra}`;
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, text);
  return parseSpec(text, file);
}

function observed(cassandra: FakeCassandra, influx: FakeInflux): ObservedState {
  return {
    kafka: { brokerCount: 3, topics: [], scramUsers: ['admin'], acls: [] },
    subjects: [],
    sqlJobs: [],
    cassandra: structuredClone(cassandra.state),
    influx: structuredClone(influx.state),
  };
}

const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  managed: new Set(),
  prune: false,
  hasSecret: () => true,
  ...over,
});

async function deploy(
  spec: PipelineSpec,
  cassandra: FakeCassandra,
  influx: FakeInflux,
  over: Partial<PlanOptions> = {},
) {
  const plan = planPipeline(spec, observed(cassandra, influx), options(over));
  const stateFile = join(mkdtempSync(join(tmpdir(), 'sluice-state-')), 'state.json');
  await applyPlan(plan, {
    kafka: fakeKafkaAdmin(),
    registry: fakeRegistry(),
    cassandra,
    influx,
    secrets: memorySecretStore(),
    log: quiet,
    managedStateFile: stateFile,
  });
  return plan;
}

const changedSteps = (
  spec: PipelineSpec,
  cassandra: FakeCassandra,
  influx: FakeInflux,
  over: Partial<PlanOptions> = {},
) =>
  planPipeline(spec, observed(cassandra, influx), options(over))
    .steps.filter((s) => s.action !== 'noop')
    .map((s) => [s.id, s.action, s.changes.map((c) => `${c.field}: ${String(c.from)} -> ${String(c.to)}`)]);

describe('the storage resource kinds', () => {
  test('a first deploy creates the keyspace, its tables and grants, then the database, its policies and grants', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    const plan = await deploy(specWith(), cassandra, influx);
    expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  + cassandra-keyspace/sluice                       create  replication=SimpleStrategy replication_factor=1
  + cassandra-table/sluice.events_by_hour           create  primaryKey=((hour), ts DESC, event_id ASC) columns=5 default_time_to_live=2592000 file=events.cql
  + cassandra-table/sluice.readings_by_device_day   create  primaryKey=((device_id, day), ts DESC, event_id ASC) columns=5 file=devices.cql
  + cassandra-grant/sluice/sluice-connect           create  permissions=MODIFY
  + influx-database/sluice                          create  database=sluice
  + influx-retention-policy/sluice.raw              create  duration=720h0m0s replication=1 shardDuration=24h0m0s default=true
  + influx-retention-policy/sluice.long             create  duration=8736h0m0s replication=1
  + influx-grant/sluice/sluice-connect              create  privilege=WRITE
  + influx-grant/sluice/grafana                     create  privilege=READ

Plan: 9 to create, 0 to update, 0 to replace, 0 to delete, 0 refused."
`);
    expect(cassandra.statements[0]).toBe(
      "CREATE KEYSPACE IF NOT EXISTS sluice WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    expect(cassandra.statements[1]).toMatch(/^CREATE TABLE IF NOT EXISTS sluice\.events_by_hour \(/);
    expect(cassandra.statements.at(-1)).toBe('GRANT MODIFY ON KEYSPACE sluice TO sluice-connect');
    expect(influx.statements).toEqual([
      'CREATE DATABASE "sluice"',
      'CREATE RETENTION POLICY "raw" ON "sluice" DURATION 30d REPLICATION 1 SHARD DURATION 1d DEFAULT',
      'CREATE RETENTION POLICY "long" ON "sluice" DURATION 52w REPLICATION 1',
      'GRANT WRITE ON "sluice" TO "sluice-connect"',
      'GRANT READ ON "sluice" TO "grafana"',
    ]);
  });

  test('a second deploy changes nothing: class names, defaults and durations are normalised before the diff', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    const spec = specWith();
    await deploy(spec, cassandra, influx);
    expect(cassandra.state.tables[0]!.options.compaction).toMatchObject({
      class: 'org.apache.cassandra.db.compaction.TimeWindowCompactionStrategy',
      max_threshold: '32',
    });
    const again = planPipeline(spec, observed(cassandra, influx), options());
    expect(again.hasChanges).toBe(false);
    expect(renderPlan(again)).toBe('No changes. The cluster matches store.');
  });

  test('an added column is an ALTER TABLE ADD, a changed option an ALTER TABLE WITH', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    await deploy(specWith(), cassandra, influx);
    const events = EVENTS.replace('status int,', 'status int, region text, site text STATIC,').replace(
      '= 2592000',
      '= 1296000',
    );
    const spec = specWith({ events });
    expect(changedSteps(spec, cassandra, influx)).toEqual([
      [
        'cassandra-table/sluice.events_by_hour',
        'update',
        [
          'column.region: undefined -> text',
          'column.site: undefined -> text static',
          'config.default_time_to_live: 2592000 -> 1296000',
        ],
      ],
    ]);
    cassandra.statements.length = 0;
    await deploy(spec, cassandra, influx);
    expect(cassandra.statements).toEqual([
      'ALTER TABLE sluice.events_by_hour ADD region text',
      'ALTER TABLE sluice.events_by_hour ADD site text STATIC',
      'ALTER TABLE sluice.events_by_hour WITH default_time_to_live = 1296000',
    ]);
    expect(planPipeline(spec, observed(cassandra, influx), options()).hasChanges).toBe(false);
  });

  test('a changed primary key, a changed column type and a removed column are refused, with what to do instead', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    await deploy(specWith(), cassandra, influx);
    const events = EVENTS.replace('status int,', 'status bigint,').replace(
      'PRIMARY KEY ((hour), ts, event_id)',
      'PRIMARY KEY ((hour, path), ts, event_id)',
    );
    const devices = DEVICES.replace(' value double,', '');
    const spec = specWith({ events, devices });
    const plan = planPipeline(spec, observed(cassandra, influx), options());
    expect(plan.refused.map((s) => s.id)).toEqual([
      'cassandra-table/sluice.events_by_hour',
      'cassandra-table/sluice.readings_by_device_day',
    ]);
    expect(renderPlan(plan)).toMatchInlineSnapshot(`
"  ! cassandra-table/sluice.events_by_hour           refused primaryKey: ((hour), ts DESC, event_id ASC) -> ((hour, path), ts DESC, event_id ASC): Cassandra cannot change a table's primary key; create a new table (e.g. events_by_hour_v2) with the new key, copy the rows, and point writers and readers at it, or keep the key as it is
  ! cassandra-table/sluice.events_by_hour           refused column.status: int -> bigint: Cassandra cannot change the type of a column; add a column with another name and type bigint (write both while readers move), or keep int
  ! cassandra-table/sluice.readings_by_device_day   refused column.value: double -> (not in the file): dropping a column deletes its data, so deploy-pipeline does not: put the column back in the file, or drop it by hand (ALTER TABLE sluice.readings_by_device_day DROP value)

Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 2 refused.
Nothing will be applied while a change is refused: change the spec as each refused line says."
`);
    expect(plan.refused[0]!.reason).toMatch(/^cassandra\.tables\[0\] \(events\.cql\): primaryKey: /);
    cassandra.statements.length = 0;
    const error = await deploy(spec, cassandra, influx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSluiceError(error, 'SLUICE_PLAN_REFUSED')).toBe(true);
    expect(cassandra.statements).toEqual([]);
  });

  test('a changed clustering order is a primary key change', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    await deploy(specWith(), cassandra, influx);
    const spec = specWith({ devices: DEVICES.replace('ts DESC', 'ts ASC') });
    expect(changedSteps(spec, cassandra, influx)).toEqual([
      [
        'cassandra-table/sluice.readings_by_device_day',
        'refused',
        ['primaryKey: ((device_id, day), ts DESC, event_id ASC) -> ((device_id, day), ts ASC, event_id ASC)'],
      ],
    ]);
  });

  test('a role gets exactly the listed permissions; a role that does not exist is refused', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    await deploy(specWith(), cassandra, influx);
    await cassandra.grant('SELECT', 'sluice', 'sluice-connect');
    expect(changedSteps(specWith(), cassandra, influx)).toEqual([
      ['cassandra-grant/sluice/sluice-connect', 'update', ['permissions: MODIFY,SELECT -> MODIFY']],
    ]);
    cassandra.statements.length = 0;
    await deploy(specWith(), cassandra, influx);
    expect(cassandra.statements).toEqual(['REVOKE SELECT ON KEYSPACE sluice FROM sluice-connect']);

    const withGhost = specWith({}, '').cassandra!;
    withGhost.grants.push({ role: 'ghost', permissions: ['select'] });
    const plan = planPipeline({ ...specWith(), cassandra: withGhost }, observed(cassandra, influx), options());
    expect(plan.refused.map((s) => s.reason)).toEqual([
      'role ghost does not exist in Cassandra: the launcher makes sluice-connect (npx sluice platform up cassandra); make other roles by hand (CREATE ROLE), or remove the grant',
    ]);
  });

  test('retention policies change in place; a new default takes the flag from the old one', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    await deploy(specWith(), cassandra, influx);
    const spec = specWith();
    spec.influx!.retentionPolicies = [
      { name: 'raw', duration: '14d', shardDuration: '1d', replication: 1, default: false },
      { name: 'long', duration: '52w', replication: 1, default: true },
    ];
    spec.influx!.grants = [
      { user: 'sluice-connect', privilege: 'write' },
      { user: 'grafana', privilege: 'all' },
    ];
    expect(changedSteps(spec, cassandra, influx)).toEqual([
      ['influx-retention-policy/sluice.raw', 'update', ['duration: 720h0m0s -> 336h0m0s', 'default: true -> false']],
      ['influx-retention-policy/sluice.long', 'update', ['default: false -> true']],
      ['influx-grant/sluice/grafana', 'update', ['privilege: READ -> ALL']],
    ]);
    influx.statements.length = 0;
    await deploy(spec, cassandra, influx);
    expect(influx.statements).toEqual([
      'ALTER RETENTION POLICY "raw" ON "sluice" DURATION 14d',
      'ALTER RETENTION POLICY "long" ON "sluice" DEFAULT',
      'GRANT ALL PRIVILEGES ON "sluice" TO "grafana"',
    ]);
    expect(planPipeline(spec, observed(cassandra, influx), options()).hasChanges).toBe(false);
  });

  test('a grant to an InfluxDB user that does not exist is refused', () => {
    const spec = specWith();
    spec.influx!.grants.push({ user: 'nobody', privilege: 'read' });
    const plan = planPipeline(spec, observed(fakeCassandra(), fakeInflux()), options());
    expect(plan.refused.map((s) => s.id)).toEqual(['influx-grant/sluice/nobody']);
  });

  test('a table no longer in the spec is kept, and dropped only with --prune when Sluice made it', async () => {
    const cassandra = fakeCassandra();
    const influx = fakeInflux();
    const spec = specWith();
    const first = await deploy(spec, cassandra, influx);
    const managed = new Set(first.specIds);
    const fewer = {
      ...spec,
      cassandra: {
        ...spec.cassandra!,
        definitions: spec.cassandra!.definitions.filter((d) => d.name !== 'readings_by_device_day'),
      },
    };
    const kept = planPipeline(fewer, observed(cassandra, influx), options({ managed }));
    expect(kept.kept).toEqual(['cassandra-table/sluice.readings_by_device_day']);
    expect(kept.hasChanges).toBe(false);
    const pruned = planPipeline(fewer, observed(cassandra, influx), options({ managed, prune: true }));
    expect(renderPlan(pruned)).toContain(
      '- cassandra-table/sluice.readings_by_device_day   delete  drops table 5 columns and every row',
    );
    // Someone else's table is never part of the plan.
    await cassandra.schema('CREATE TABLE IF NOT EXISTS sluice.hand_made (k int PRIMARY KEY)');
    expect(planPipeline(spec, observed(cassandra, influx), options({ managed, prune: true })).hasChanges).toBe(false);
  });
});
