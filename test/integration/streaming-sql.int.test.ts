/**
 * The streaming SQL of sql/ on the real Flink cluster, fed with hand-made IoT readings of known event
 * times on topics of its own: the one-minute windows hold exactly the expected numbers, out-of-range
 * and late readings go to the rejects topic with their reason, and deploy-pipeline manages the jobs
 * (a second deploy changes nothing; editing one job's file replaces that job only, from a savepoint);
 * `sluice sql` and `sluice query` reach the same tables.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { registryFromEnv } from '../../lib/registry/from-env';
import type { AclBinding } from '../../orchestrator/clients/kafka-types';
import { decodeWireHeader, encodeWire, parseSchema } from '../../producers/engine/avro';
import { readSchema } from '../../schemas';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import { FLINK_KAFKA_USER } from '../../orchestrator/platform/components/flink';
import { run } from '../../orchestrator/platform/processes';
import { adminClient, adminConnection, testContext, uniqueName } from './helpers';

const ctx = testContext();
const admin = adminClient(ctx);
const kafka = createKafka(adminConnection(ctx), { retries: 5 });
const registry = registryFromEnv(clientEnvironment(ctx));
const id = uniqueName('sql').replace(/[^a-z0-9]/g, '');
const topics = { readings: `${id}.iot.readings`, rejects: `${id}.rejects.iot`, device1m: `${id}.agg.iot.device-1m` };
const workDir = mkdtempSync(join(tmpdir(), 'sluice-sql-'));
const jobs = { rejects: `${id}-rejects`, device1m: `${id}-device-1m` };

const grants: AclBinding[] = [
  ...(['read', 'describe'] as const).map((operation) => ({ resourceType: 'topic' as const, resourceName: topics.readings, operation })),
  ...(['write', 'describe'] as const).flatMap((operation) => [topics.rejects, topics.device1m].map((resourceName) => ({ resourceType: 'topic' as const, resourceName, operation }))),
].map((b) => ({ ...b, principal: `User:${FLINK_KAFKA_USER}`, patternType: 'literal' as const, permission: 'allow' as const, host: '*' }));

function sluice(...args: string[]) {
  return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], { cwd: repoRoot(), env: process.env, timeoutMs: 300_000 });
}

/** The repository's SQL files, pointed at this suite's topics (and transactional ids). */
function copySql(file: string, edit = (text: string) => text): string {
  let text = readFileSync(join(repoRoot(), 'sql', file), 'utf8');
  text = text.replace(/'topic' = 'iot\.readings'/g, `'topic' = '${topics.readings}'`)
    .replace(/'topic' = 'rejects\.iot'/g, `'topic' = '${topics.rejects}'`)
    .replace(/'topic' = 'agg\.iot\.device-1m'/g, `'topic' = '${topics.device1m}'`)
    .replace(/'sink\.transactional-id-prefix' = 'sluice-/g, `'sink.transactional-id-prefix' = 'sluice-${id}-`);
  writeFileSync(join(workDir, file), edit(text));
  return file;
}

function writeSpec(jobFiles: { rejects: string; device1m: string } | undefined): string {
  const file = join(workDir, 'spec.yaml');
  writeFileSync(file, `apiVersion: sluice/v1
name: ${id}
sql:
  tables: [010-sources.sql, 020-views.sql, 030-outputs.sql]
  jobs:${jobFiles ? `
    - name: ${jobs.rejects}
      file: ${jobFiles.rejects}
    - name: ${jobs.device1m}
      file: ${jobFiles.device1m}` : ' []'}
`);
  return file;
}

async function flinkJobs(): Promise<Array<{ jid: string; name: string; state: string }>> {
  const overview = (await (await fetch(`http://${ctx.host}:${ctx.ports.flink.rest}/jobs/overview`)).json()) as { jobs: Array<{ jid: string; name: string; state: string }> };
  return overview.jobs.filter((j) => j.name.startsWith(`sluice.${id}-`) && j.state === 'RUNNING');
}

/** Every committed record of a topic, decoded with the registry's schema for its id. */
async function readCommitted(topic: string, expected: number, timeoutMs = 90_000): Promise<Array<Record<string, unknown>>> {
  const consumer = kafka.consumer({ groupId: uniqueName('sql-reader'), readUncommitted: false });
  const records: Array<Record<string, unknown>> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const { schemaId, body } = decodeWireHeader(message.value!);
        records.push(parseSchema(await registry.schemaById(schemaId)).fromBuffer(body) as Record<string, unknown>);
        if (records.length >= expected) {
          // A little longer, so that a duplicate would be seen too.
          setTimeout(() => { clearTimeout(timer); resolve(); }, 3000);
        }
      },
    });
  });
  await consumer.disconnect();
  return records;
}

beforeAll(async () => {
  for (const name of Object.values(topics)) await admin.createTopic({ name, partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  await admin.createAcls(grants);
  await registry.register(`${topics.readings}-value`, JSON.stringify(readSchema('iot-reading')));
});

afterAll(async () => {
  await sluice('deploy-pipeline', '--spec', writeSpec(undefined), '--prune');
  await admin.deleteAcls(grants).catch(() => undefined);
  for (const name of Object.values(topics)) await admin.deleteTopic(name).catch(() => undefined);
  await admin.close();
});

test('windows hold exactly the expected numbers; out-of-range and late readings are rejected with the reason', async () => {
  const files = { rejects: copySql('110-iot-rejects.sql'), device1m: copySql('120-iot-device-1m.sql') };
  for (const table of ['010-sources.sql', '020-views.sql', '030-outputs.sql']) copySql(table);
  const deployed = await sluice('deploy-pipeline', '--spec', writeSpec(files));
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);
  expect((await flinkJobs()).length).toBe(2);

  const schemaId = (await registry.latest(`${topics.readings}-value`))!.id;
  const type = parseSchema(readSchema('iot-reading'));
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  const reading = (device: string, secondsAfterT0: number, temperature: number) => ({
    key: device,
    value: encodeWire(schemaId, type, {
      event_id: randomUUID(), ts: t0 + secondsAfterT0 * 1000, device_id: device, site_id: 'site-01',
      temperature_c: temperature, humidity_pct: 50, pressure_hpa: 1013, battery_pct: 90,
    }),
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const send = (messages: Array<{ key: string; value: Buffer }>) => producer.send({ topic: topics.readings, acks: -1, messages });
  // Phases a few seconds apart, so that Flink's periodic watermark has moved on between them.
  await send([reading('d1', 1, 10), reading('d1', 20, 20), reading('d2', 25, 50), reading('d1', 30, 200), reading('d1', 40, 30), reading('d1', 59, 40), reading('d1', 61, 5), reading('d1', 130, 15)]);
  await new Promise((r) => setTimeout(r, 4000));
  await send([reading('d1', 30, 25)]); // 100 s behind the newest reading: late
  await new Promise((r) => setTimeout(r, 4000));
  await send([reading('d1', 200, 10)]); // moves the watermark past t0+180 s: the third window closes
  await producer.disconnect();

  const windows = await readCommitted(topics.device1m, 4);
  const rows = windows
    .map((w) => ({ start: ((w.window_start as number) - t0) / 1000, device: w.device_id, readings: w.readings, avg: w.temperature_avg, min: w.temperature_min, max: w.temperature_max, stddev: w.temperature_stddev, p95: w.temperature_p95 }))
    .sort((a, b) => a.start - b.start || String(a.device).localeCompare(String(b.device)));
  expect(rows).toEqual([
    { start: 0, device: 'd1', readings: 4, avg: 25, min: 10, max: 40, stddev: Math.sqrt(125), p95: 38.5 },
    { start: 0, device: 'd2', readings: 1, avg: 50, min: 50, max: 50, stddev: 0, p95: 50 },
    { start: 60, device: 'd1', readings: 1, avg: 5, min: 5, max: 5, stddev: 0, p95: 5 },
    { start: 120, device: 'd1', readings: 1, avg: 15, min: 15, max: 15, stddev: 0, p95: 15 },
  ]);

  const rejects = (await readCommitted(topics.rejects, 2)).map((r) => [((r.ts as number) - t0) / 1000, r.reason]);
  expect(rejects).toEqual([
    [30, 'temperature_c out of range [-60, 85]'],
    [30, 'late: more than 5 s behind the newest reading'],
  ]);
});

test('a second deploy changes nothing; editing one job\'s file replaces that job only, from a savepoint', async () => {
  const again = await sluice('plan', '--spec', join(workDir, 'spec.yaml'), '--exit-code');
  expect(again.stdout).toMatch(/No changes/);
  expect(again.code).toBe(0);

  const before = new Map((await flinkJobs()).map((j) => [j.name.split('.')[1], j.jid]));
  copySql('110-iot-rejects.sql', (text) => text.replace('WHERE `reject_reason` IS NOT NULL', "WHERE `reject_reason` IS NOT NULL AND `device_id` <> ''"));
  const plan = await sluice('plan', '--spec', join(workDir, 'spec.yaml'));
  expect(plan.stdout).toMatch(new RegExp(`~ sql-job/${jobs.rejects}\\s+update\\s+version: \\w+ -> \\w+`));
  expect(plan.stdout).not.toMatch(new RegExp(`sql-job/${jobs.device1m}\\s+update`));
  const applied = await sluice('deploy-pipeline', '--spec', join(workDir, 'spec.yaml'));
  expect(applied.code).toBe(0);
  expect(applied.stderr).toMatch(/stopped with savepoint file:/);

  const after = new Map((await flinkJobs()).map((j) => [j.name.split('.')[1], j.jid]));
  expect(after.get(jobs.device1m)).toBe(before.get(jobs.device1m));
  expect(after.get(jobs.rejects)).toBeDefined();
  expect(after.get(jobs.rejects)).not.toBe(before.get(jobs.rejects));
});

test('`sluice sql` opens Flink\'s SQL client with every table of the spec defined', async () => {
  const result = await run('node', [join(repoRoot(), 'bin', 'sluice.js'), 'sql'], { cwd: repoRoot(), env: process.env, input: 'SHOW TABLES;\nQUIT;\n', timeoutMs: 180_000 });
  expect(result.code).toBe(0);
  for (const table of ['iot_readings', 'iot_checked', 'iot_valid', 'iot_rejects', 'agg_iot_device_1m']) expect(result.stdout).toContain(table);
});

test('`sluice query` streams rows as JSON until interrupted, then cancels its Flink job', async () => {
  const query = `SELECT device_id, temperature_c FROM iot_readings`;
  const child = spawn('node', [join(repoRoot(), 'bin', 'sluice.js'), 'query', '--json', '--spec', join(workDir, 'spec.yaml'), query], { cwd: repoRoot(), env: process.env });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  // The suite's own readings topic holds the hand-made readings of the first test.
  const deadline = Date.now() + 120_000;
  while (out.split('\n').filter(Boolean).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  const rows = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; device_id: string });
  expect(rows.length).toBeGreaterThanOrEqual(3);
  expect(rows[0]).toMatchObject({ kind: 'INSERT', device_id: 'd1', temperature_c: 10 });
  const overview = (await (await fetch(`http://${ctx.host}:${ctx.ports.flink.rest}/jobs/overview`)).json()) as { jobs: Array<{ name: string; state: string }> };
  expect(overview.jobs.filter((j) => j.name.startsWith('SELECT') && j.state === 'RUNNING')).toEqual([]);
});
