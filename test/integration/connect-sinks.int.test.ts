/**
 * Kafka Connect sinks on the real platform (issue 5), with connectors made from the repository's own
 * files: N readings become exactly N rows in both Cassandra tables (a resent event overwrites itself);
 * a record that cannot be decoded, and one whose value does not fit its column, go to the dead-letter
 * topic with the reason in their headers while the connector keeps writing; a configuration the plugin
 * refuses refuses the plan before anything is applied; deploying twice changes nothing; a changed file
 * updates that connector only; no plan, JSON plan or log line holds a secret.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connectorPlaceholders } from '../../orchestrator/platform/connector-env';
import { ConnectTestbed, hoursOfToday } from './connect-testbed';

const bed = new ConnectTestbed();
const iot = bed.connector('cassandra-iot', 'cassandra-iot-readings.json', [bed.readings]);
const other = bed.connector('cassandra-other', 'cassandra-iot-readings.json', [bed.readings], (config) => {
  // The same readings, written to the per-hour table only: a second connector to leave alone.
  config['cassandra.cql'] = config['cassandra.cql']!.split(';')[0]!;
});
const HOUR = 3_600_000;
const { t0, day } = hoursOfToday(2);

beforeAll(async () => {
  const deployed = await bed.deploy();
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);
});
afterAll(() => bed.tearDown());

test('N readings become exactly N rows in both tables, a resent event overwriting itself', async () => {
  const device = `dev-${randomUUID().slice(0, 8)}`;
  const N = 240;
  const readings = Array.from({ length: N }, (_, i) => ({ id: randomUUID(), ts: t0 + i * 30_000 })); // two hours
  const messages = readings.map((r) => bed.reading(device, r.ts, r.id));
  // Every tenth reading once more: what a producer retry or a sink's redelivery would write again.
  const resent = readings.filter((_, i) => i % 10 === 0).map((r) => bed.reading(device, r.ts, r.id));
  await bed.produce(bed.readings, [...messages, ...resent]);

  const rows = await bed.waitForCount(`rows of ${device}`, N, async () => (await bed.deviceRows(device, day)).length);
  expect(rows).toBe(N);
  expect(new Set(await bed.deviceRows(device, day))).toEqual(new Set(readings.map((r) => r.id)));
  expect(await bed.hourRows(device, [t0, t0 + HOUR])).toBe(N);
});

test('a poison record and a value that does not fit go to the dead-letter topic with the reason; the connector keeps writing', async () => {
  const device = `dev-${randomUUID().slice(0, 8)}`;
  const good = (ts: number) => bed.reading(device, ts);
  await bed.produce(bed.readings, [
    good(t0),
    { key: 'poison', value: Buffer.from('not avro at all') },
    bed.reading(device, t0 + 1000, 'not-a-uuid'),
    good(t0 + 2000),
  ]);
  // The two records are on different partitions (their keys differ): they reach the dead-letter topic in either order.
  const letters = (await bed.deadLetters(iot, 2))
    .sort((a, b) => a.headers['__connect.errors.stage']!.localeCompare(b.headers['__connect.errors.stage']!))
    .reverse();
  expect(letters.map((l) => l.headers['__connect.errors.stage'])).toEqual(['VALUE_CONVERTER', 'TASK_PUT']);
  const [poison, misfit] = letters;
  expect(poison!.key).toBe('poison');
  expect(poison!.value.toString()).toBe('not avro at all');
  expect(poison!.headers).toMatchObject({
    '__connect.errors.topic': bed.readings,
    '__connect.errors.connector.name': iot,
  });
  expect(poison!.headers['__connect.errors.exception.message']).toBeTruthy();
  expect(misfit!.headers['__connect.errors.exception.message']).toMatch(/field 'event_id': .*not-a-uuid/);
  expect(misfit!.headers['__connect.errors.exception.class.name']).toBe(
    'org.apache.kafka.connect.errors.DataException',
  );

  expect(await bed.waitForCount(`rows of ${device}`, 2, async () => (await bed.deviceRows(device, day)).length)).toBe(
    2,
  );
  const status = await bed.status(iot);
  expect([status.state, status.tasks.map((t) => t.state)]).toEqual(['RUNNING', ['RUNNING']]);
});

test('a configuration the plugin refuses refuses the plan, naming the field; nothing is applied', async () => {
  const broken = bed.connector('cassandra-broken', 'cassandra-iot-readings.json', [bed.readings], (config) => {
    config['cassandra.cql'] = `SELECT * FROM ${bed.keyspace}.iot_readings_by_hour`;
  });
  const plan = await bed.sluice('plan', '--spec', bed.writeSpec([iot, other, broken]));
  expect(plan.code).toBe(1);
  expect(plan.stdout).toMatch(
    new RegExp(
      `! connector/${broken} +refused cassandra\\.cql: Connect refuses .*${broken}\\.json: .*must be an INSERT or UPDATE`,
    ),
  );
  expect(plan.stderr).toMatch(/SLUICE_PLAN_REFUSED/);
  const applied = await bed.deploy([iot, other, broken]);
  expect(applied.code).toBe(1);
  expect((await bed.connect.listConnectors()).map((c) => c.name)).not.toContain(broken);
});

test('deploying twice changes nothing; a changed file updates that connector only; no secret is ever shown', async () => {
  const again = await bed.sluice('plan', '--spec', bed.writeSpec([iot, other]), '--exit-code', '--verbose');
  expect(again.stdout).toMatch(/No changes/);
  expect(again.stdout).toMatch(new RegExp(`connector/${iot} +noop +RUNNING, (\\d+)/\\1 tasks running`));
  expect(again.code).toBe(0);

  const before = new Map((await bed.connect.listConnectors()).map((c) => [c.name, c.config]));
  const file = `${bed.workDir}/${iot}.json`;
  const body = JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, string> };
  body.config['retry.backoff.ms'] = '2000';
  writeFileSync(file, JSON.stringify(body));
  const plan = await bed.sluice('plan', '--spec', bed.writeSpec([iot, other]), '--json');
  const steps = (
    JSON.parse(plan.stdout) as { steps: Array<{ id: string; action: string; changes: unknown[] }> }
  ).steps.filter((s) => s.action !== 'noop');
  expect(steps).toEqual([
    {
      ...steps[0],
      id: `connector/${iot}`,
      action: 'update',
      changes: [{ field: 'retry.backoff.ms', from: '5000', to: '2000' }],
    },
  ]);

  const deployed = await bed.deploy([iot, other]);
  expect(deployed.code).toBe(0);
  expect(deployed.stderr).toMatch(new RegExp(`connector/${iot}: update`));
  expect(deployed.stderr).toMatch(new RegExp(`connector/${iot}: RUNNING, (\\d+)/\\1 tasks running`));
  const after = new Map((await bed.connect.listConnectors()).map((c) => [c.name, c.config]));
  expect(after.get(iot)).toEqual({ ...before.get(iot), 'retry.backoff.ms': '2000' });
  expect(after.get(other)).toEqual(before.get(other));

  // Connect holds the real password; no output of deploy-pipeline ever shows it.
  const password = connectorPlaceholders(bed.ctx).SLUICE_CONNECT_CASSANDRA_PASSWORD!;
  expect(after.get(iot)!['cassandra.password']).toBe(password);
  for (const output of [again.stdout, again.stderr, plan.stdout, plan.stderr, deployed.stdout, deployed.stderr])
    expect(output).not.toContain(password);
});
