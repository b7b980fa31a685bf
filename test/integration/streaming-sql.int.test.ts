/**
 * The streaming SQL of sql/ on the real Flink cluster, fed with hand-made IoT readings of known event
 * times on topics of its own: the one-minute windows hold exactly the expected numbers, out-of-range
 * and late readings go to the rejects topic with their reason, and deploy-pipeline manages the jobs
 * (a second deploy changes nothing; editing one job's file replaces that job only, from a savepoint);
 * `sluice sql` and `sluice query` reach the same tables.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { flinkFetch, flinkRestUrl } from '../../orchestrator/platform/components/flink';
import { down, up } from '../../orchestrator/platform/platform';
import { run } from '../../orchestrator/platform/processes';
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { ctx, topics } = bed;
/** Event time of the hand-made readings: ten minutes ago, on a minute boundary. */
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

beforeAll(() => bed.setUp());
afterAll(() => bed.tearDown());

test('windows hold exactly the expected numbers; out-of-range and late readings are rejected with the reason', async () => {
  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({ rejects: bed.copySql('110-iot-rejects.sql'), windows: bed.copySql('120-iot-windows.sql') }),
  );
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);
  expect((await bed.runningJobs()).size).toBe(2);

  const reading = (device: string, secondsAfterT0: number, temperature: number) =>
    bed.reading(t0, device, secondsAfterT0, temperature);
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const send = (messages: Array<{ key: string; value: Buffer }>) =>
    producer.send({ topic: topics.readings, acks: -1, messages });
  // Phases a few seconds apart, so that Flink's periodic watermark has moved on between them.
  await send([
    reading('d1', 1, 10),
    reading('d1', 20, 20),
    reading('d2', 25, 50),
    reading('d1', 30, 200),
    reading('d1', 40, 30),
    reading('d1', 59, 40),
    reading('d1', 61, 5),
    reading('d1', 130, 15),
  ]);
  await new Promise((r) => setTimeout(r, 4000));
  await send([reading('d1', 30, 25)]); // 100 s behind the newest reading: late
  await new Promise((r) => setTimeout(r, 4000));
  await send([reading('d1', 200, 10)]); // moves the watermark past t0+180 s: the third window closes
  await producer.disconnect();

  const windows = await bed.readCommitted(topics.device1m, 4);
  const rows = windows
    .map((w) => ({
      start: ((w.window_start as number) - t0) / 1000,
      device: w.device_id,
      readings: w.readings,
      avg: w.temperature_avg,
      min: w.temperature_min,
      max: w.temperature_max,
      stddev: w.temperature_stddev,
      p95: w.temperature_p95,
    }))
    .sort((a, b) => a.start - b.start || String(a.device).localeCompare(String(b.device)));
  expect(rows).toEqual([
    { start: 0, device: 'd1', readings: 4, avg: 25, min: 10, max: 40, stddev: Math.sqrt(125), p95: 38.5 },
    { start: 0, device: 'd2', readings: 1, avg: 50, min: 50, max: 50, stddev: 0, p95: 50 },
    { start: 60, device: 'd1', readings: 1, avg: 5, min: 5, max: 5, stddev: 0, p95: 5 },
    { start: 120, device: 'd1', readings: 1, avg: 15, min: 15, max: 15, stddev: 0, p95: 15 },
  ]);

  // Per site: both devices are on site-01. The watermark (t0+195 s) has closed the minutes 0, 1 and 2.
  const sites = (await bed.readCommitted(topics.site1m, 3))
    .map((w) => ({
      start: ((w.window_start as number) - t0) / 1000,
      site: w.site_id,
      devices: w.devices,
      readings: w.readings,
      avg: w.temperature_avg,
      min: w.temperature_min,
      max: w.temperature_max,
      stddev: w.temperature_stddev,
      p95: w.temperature_p95,
    }))
    .sort((a, b) => a.start - b.start);
  expect(sites).toEqual([
    {
      start: 0,
      site: 'site-01',
      devices: 2,
      readings: 5,
      avg: 30,
      min: 10,
      max: 50,
      stddev: expect.closeTo(Math.sqrt(200), 9),
      p95: expect.closeTo(48, 9),
    },
    { start: 60, site: 'site-01', devices: 1, readings: 1, avg: 5, min: 5, max: 5, stddev: 0, p95: 5 },
    { start: 120, site: 'site-01', devices: 1, readings: 1, avg: 15, min: 15, max: 15, stddev: 0, p95: 15 },
  ]);

  // Five minutes every minute: the windows that end by t0+195 s start 4, 3 and 2 minutes before t0, and
  // hold d1's readings of minute 0, then also of minute 1, then also of minute 2.
  const hopping = (await bed.readCommitted(topics.device5m, 6))
    .filter((w) => w.device_id === 'd1')
    .map((w) => ({
      start: ((w.window_start as number) - t0) / 60_000,
      end: ((w.window_end as number) - t0) / 60_000,
      readings: w.readings,
      avg: w.temperature_avg,
      max: w.temperature_max,
    }))
    .sort((a, b) => a.start - b.start);
  expect(hopping).toEqual([
    { start: -4, end: 1, readings: 4, avg: 25, max: 40 },
    { start: -3, end: 2, readings: 5, avg: 21, max: 40 },
    { start: -2, end: 3, readings: 6, avg: 20, max: 40 },
  ]);

  const rejects = (await bed.readCommitted(topics.rejects, 2)).map((r) => [((r.ts as number) - t0) / 1000, r.reason]);
  expect(rejects).toEqual([
    [30, 'temperature_c out of range [-60, 85]'],
    [30, 'late: more than 5 s behind the newest reading'],
  ]);
});

test("a second deploy changes nothing; editing one job's file replaces that job only, from a savepoint", async () => {
  const again = await bed.sluice('plan', '--spec', bed.specFile, '--exit-code');
  expect(again.stdout).toMatch(/No changes/);
  expect(again.code).toBe(0);

  const before = await bed.runningJobs();
  bed.copySql('110-iot-rejects.sql', (text) =>
    text.replace('WHERE `reject_reason` IS NOT NULL', "WHERE `reject_reason` IS NOT NULL AND `device_id` <> ''"),
  );
  const plan = await bed.sluice('plan', '--spec', bed.specFile);
  expect(plan.stdout).toMatch(new RegExp(`± sql-job/${bed.jobName('rejects')}\\s+replace\\s+version: \\w+ -> \\w+`));
  expect(plan.stdout).not.toMatch(new RegExp(`sql-job/${bed.jobName('windows')}\\s+(update|replace)`));
  const applied = await bed.sluice('deploy-pipeline', '--spec', bed.specFile);
  expect(applied.code).toBe(0);
  expect(applied.stderr).toMatch(/stopped with savepoint file:/);

  const after = await bed.runningJobs();
  expect(after.get(bed.jobName('windows'))).toBe(before.get(bed.jobName('windows')));
  expect(after.get(bed.jobName('rejects'))).toBeDefined();
  expect(after.get(bed.jobName('rejects'))).not.toBe(before.get(bed.jobName('rejects')));
});

test('after Flink restarts, deploy-pipeline resumes the jobs from the savepoints taken at shutdown: no window is written twice', async () => {
  const flink = ['flink-jobmanager', 'flink-taskmanager', 'sql-gateway'];
  await down(ctx, flink);
  await up(ctx, flink);
  const plan = await bed.sluice('plan', '--spec', bed.specFile);
  expect(plan.stdout).toMatch(
    new RegExp(
      `\\+ sql-job/${bed.jobName('windows')}\\s+create .*resumes from the savepoint taken when the platform stopped`,
    ),
  );
  expect((await bed.sluice('deploy-pipeline', '--spec', bed.specFile)).code).toBe(0);
  expect((await bed.runningJobs()).size).toBe(2);

  // One more reading closes the window of the t0+200 s reading: five windows in all, none twice.
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: topics.readings, acks: -1, messages: [bed.reading(t0, 'd1', 260, 10)] });
  await producer.disconnect();
  const windows = await bed.readCommitted(topics.device1m, 5);
  expect(windows.map((w) => ((w.window_start as number) - t0) / 1000).sort((a, b) => a - b)).toEqual([
    0, 0, 60, 120, 180,
  ]);
});

/** Every secret a query could leak: the Kafka logins of Flink and of queries, the registry's, the admin's. */
function secrets(): string[] {
  return ['users/sluice-flink', 'users/sluice-query', 'registry/sluice-flink', 'registry/admin', 'kafka/admin']
    .map((name) => ctx.secrets.read(name))
    .filter((s): s is string => Boolean(s));
}

test('issue 11: `sluice query` on an output table prints its rows, as the query principal', async () => {
  // The first test wrote three per-site windows of the suite's readings to its agg.iot.site-1m.
  const result = await bed.sluice(
    'query',
    '--spec',
    bed.specFile,
    'SELECT site_id, readings FROM agg_iot_site_1m LIMIT 3',
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n').filter(Boolean);
  expect(lines[0]).toBe('op\tsite_id\treadings');
  expect(lines.slice(1)).toHaveLength(3);
  for (const line of lines.slice(1)) expect(line).toMatch(/^\+I\tsite-01\t\d+$/);
});

test('issue 11: a query whose job cannot read its topic fails at once with the cause', async () => {
  // Positive control above; here a table over a topic the query principal may not read.
  const forbidden = `${bed.id}.forbidden`;
  writeFileSync(
    join(bed.workDir, 'forbidden.sql'),
    `CREATE TABLE forbidden (x STRING) WITH ('connector' = 'kafka', 'topic' = '${forbidden}', \${KAFKA}, \${REGISTRY});\n`,
  );
  const spec = join(bed.workDir, 'forbidden.yaml');
  writeFileSync(spec, `apiVersion: sluice/v1\nname: ${bed.id}-forbidden\nsql:\n  tables: [forbidden.sql]\n`);
  const started = Date.now();
  const result = await bed.sluice('query', '--spec', spec, 'SELECT * FROM forbidden');
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('SLUICE_SQL_FAILED: ');
  // Kafka's reason, in either of its words (the consumer's metadata or its fetch refused first), and ours.
  expect(result.stderr).toMatch(/Topic authorization failed|Not authorized to access topics/);
  expect(result.stderr).toContain('sluice-query may read only');
  expect(Date.now() - started).toBeLessThan(90_000);
});

test('issue 11: `sluice sql` shows results and one-line errors, no log line, no table statement, no secret', async () => {
  const result = await run('node', [join(repoRoot(), 'bin', 'sluice.js'), 'sql', '--spec', bed.specFile], {
    cwd: repoRoot(),
    env: process.env,
    input:
      'SHOW TABLES;\nSELECT site_id FROM agg_iot_site_1m LIMIT 1;\nSHOW CREATE TABLE agg_iot_site_1m;\nSELECT 1 +;\nQUIT;\n',
    timeoutMs: 180_000,
  });
  const output = result.stdout + result.stderr;
  for (const table of ['iot_readings', 'iot_checked', 'iot_valid', 'iot_rejects', 'agg_iot_device_1m'])
    expect(result.stdout).toContain(table);
  expect(result.stdout).toMatch(/^\+I\tsite-01$/m);
  expect(result.stderr).toBe('[ERROR] the query failed: line 1, column 10: Encountered "+ <EOF>"\n');
  expect(result.code).toBe(1); // a piped statement failed
  expect(output).not.toMatch(/\b(INFO|WARN)\b|Was expecting|\tat org\.apache/);
  expect(output).not.toContain('basic-auth.user-info');
  expect(secrets().length).toBeGreaterThanOrEqual(3);
  for (const secret of secrets()) expect(output).not.toContain(secret);
});

test("issue 11: `sluice sql --flink-client` (Flink's own client) prints no log line and no secret", async () => {
  const result = await run(
    'node',
    [join(repoRoot(), 'bin', 'sluice.js'), 'sql', '--flink-client', '--spec', bed.specFile],
    { cwd: repoRoot(), env: process.env, input: 'SHOW TABLES;\nQUIT;\n', timeoutMs: 180_000 },
  );
  const output = result.stdout + result.stderr;
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('agg_iot_site_1m');
  // No log line (a timestamp and a level) and no table statement; the client's own "[INFO] Exiting" is not a log line.
  expect(output).not.toMatch(/\d{2}:\d{2}:\d{2}[,.]\d+\s+(INFO|WARN|DEBUG)\b|CREATE TABLE/);
  for (const secret of secrets()) expect(output).not.toContain(secret);
});

test('`sluice query` streams rows as JSON until interrupted, then cancels its Flink job', async () => {
  const query = `SELECT device_id, temperature_c FROM iot_readings`;
  const child = spawn(
    'node',
    [join(repoRoot(), 'bin', 'sluice.js'), 'query', '--json', '--spec', bed.specFile, query],
    { cwd: repoRoot(), env: process.env },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  // The suite's own readings topic holds the hand-made readings of the first test.
  const deadline = Date.now() + 120_000;
  while (out.split('\n').filter(Boolean).length < 3 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  const rows = out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; device_id: string });
  expect(rows.length).toBeGreaterThanOrEqual(3);
  expect(rows[0]).toMatchObject({ kind: 'INSERT', device_id: 'd1', temperature_c: 10 });
  const overview = (await (await flinkFetch(ctx, `${flinkRestUrl(ctx)}/jobs/overview`)).json()) as {
    jobs: Array<{ name: string; state: string }>;
  };
  expect(overview.jobs.filter((j) => j.name.startsWith('SELECT') && j.state === 'RUNNING')).toEqual([]);
});
