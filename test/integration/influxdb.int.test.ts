/**
 * InfluxDB on the real platform (issue 5): deploy-pipeline makes the database, its retention policies and
 * the users' grants, a second plan finds nothing to do, a changed spec gives exactly the expected plan;
 * writes and queries without credentials get 401; through @influxdata/influxdb-client (token
 * `user:password`, /api/v2) the writer can write but not read, and grafana can read but not write.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpError, InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import { repoRoot } from '../../lib/repo';
import { preparePlan } from '../../orchestrator/cli/pipeline';
import { HttpInfluxAdmin, InfluxQlClient } from '../../orchestrator/clients/influx';
import {
  INFLUX_ADMIN_SECRET,
  INFLUX_ADMIN_USER,
  INFLUX_READER_SECRET,
  INFLUX_READER_USER,
  INFLUX_WRITER_SECRET,
  INFLUX_WRITER_USER,
  influxAdmin,
  influxUrl,
} from '../../orchestrator/platform/components/influxdb';
import { registryAdmin } from '../../orchestrator/platform/components/registry';
import { run } from '../../orchestrator/platform/processes';
import { adminClient, testContext, uniqueName } from './helpers';

const ctx = testContext();
const kafka = adminClient(ctx);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-influx-'));
const url = influxUrl(ctx);
const database = uniqueName('it').replace('-', '_');
const specName = uniqueName('influx');

function sluice(...args: string[]) {
  return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], {
    cwd: repoRoot(),
    env: process.env,
    timeoutMs: 240_000,
  });
}

function spec(name: string, policies: string, grafana = 'read'): string {
  const file = join(workDir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: sluice/v1
name: ${specName}
influx:
  database: ${database}
  retentionPolicies:
${policies}
  grants:
    - { user: ${INFLUX_WRITER_USER}, privilege: write }
    - { user: ${INFLUX_READER_USER}, privilege: ${grafana} }
`,
  );
  return file;
}

const V1 = '    - { name: raw, duration: 30d, shardDuration: 1d, default: true }\n    - { name: long, duration: 52w }';

const tokenOf = (user: string, secret: string) => `${user}:${ctx.secrets.read(secret)!}`;
const writer = () => new InfluxDB({ url, token: tokenOf(INFLUX_WRITER_USER, INFLUX_WRITER_SECRET) });
const reader = () => new InfluxDB({ url, token: tokenOf(INFLUX_READER_USER, INFLUX_READER_SECRET) });

async function write(client: InfluxDB, bucket: string, value: number): Promise<void> {
  const api = client.getWriteApi('', bucket, 'ms', { maxRetries: 0, flushInterval: 0 });
  api.writePoint(
    new Point('window').tag('device_id', 'dev-0007').floatField('temperature_avg', value).timestamp(new Date()),
  );
  await api.close();
}

const statusOf = async (promise: Promise<unknown>): Promise<number | 'ok'> =>
  promise.then(
    () => 'ok' as const,
    (error: unknown) => (error instanceof HttpError ? error.statusCode : Promise.reject(error)),
  );

afterAll(async () => {
  const pruned = await sluice('deploy-pipeline', '--spec', join(workDir, 'empty.yaml'), '--prune');
  expect(pruned.code).toBe(0);
  const observed = await new HttpInfluxAdmin({
    url,
    username: INFLUX_ADMIN_USER,
    password: ctx.secrets.read(INFLUX_ADMIN_SECRET)!,
  }).observe();
  expect(observed.databases).not.toContain(database);
  await kafka.close();
});

beforeAll(() => {
  // The client logs every failed write to the console; the refusals here are expected.
  setLogger({ error: () => undefined, warn: () => undefined });
  writeFileSync(join(workDir, 'empty.yaml'), `apiVersion: sluice/v1\nname: ${specName}\n`);
});

describe('the InfluxDB database of a spec', () => {
  test('deploy-pipeline makes the database, its policies (no autogen) and the grants; a second plan changes nothing', async () => {
    const applied = await sluice('deploy-pipeline', '--spec', spec('v1', V1));
    expect(applied.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(applied.code).toBe(0);
    const observed = await new HttpInfluxAdmin({
      url,
      username: INFLUX_ADMIN_USER,
      password: ctx.secrets.read(INFLUX_ADMIN_SECRET)!,
    }).observe();
    expect(
      observed.retentionPolicies
        .filter((p) => p.database === database)
        .map((p) => [p.name, p.duration, p.shardGroupDuration, p.default]),
    ).toEqual([
      ['raw', '720h0m0s', '24h0m0s', true],
      ['long', '8736h0m0s', '168h0m0s', false],
    ]);
    expect(observed.grants.filter((g) => g.database === database).sort((a, b) => a.user.localeCompare(b.user))).toEqual(
      [
        { user: INFLUX_READER_USER, database, privilege: 'READ' },
        { user: INFLUX_WRITER_USER, database, privilege: 'WRITE' },
      ],
    );
    const plan = await sluice('plan', '--spec', spec('v1', V1), '--exit-code');
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.code).toBe(0);
  });

  test('writes and queries without credentials, or with a wrong password, get 401; with the right ones they succeed', async () => {
    const anonymous = new InfluxDB({ url });
    expect(await statusOf(write(anonymous, `${database}/raw`, 1))).toBe(401);
    expect(
      await statusOf(anonymous.getQueryApi('').collectRows(`from(bucket: "${database}/raw") |> range(start: -1h)`)),
    ).toBe(401);
    const wrong = new InfluxDB({ url, token: `${INFLUX_READER_USER}:not-the-password` });
    expect(
      await statusOf(wrong.getQueryApi('').collectRows(`from(bucket: "${database}/raw") |> range(start: -1h)`)),
    ).toBe(401);
    // InfluxQL too: /query and /write.
    const influxql = await fetch(`${url}/query?db=${database}`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'SHOW MEASUREMENTS' }),
    });
    expect(influxql.status).toBe(401);
    const v1write = await fetch(`${url}/write?db=${database}`, { method: 'POST', body: 'window temperature_avg=1' });
    expect(v1write.status).toBe(401);
    // Only the unauthenticated /ping answers.
    expect((await fetch(`${url}/ping`)).status).toBe(204);
    // Positive controls: the same writes and queries with the users' own passwords succeed.
    // (measurement 'probe': the next test reads 'window' and expects its own point only)
    const probeWrite = writer().getWriteApi('', `${database}/raw`, 'ms', { maxRetries: 0, flushInterval: 0 });
    probeWrite.writePoint(new Point('probe').floatField('value', 1));
    expect(await statusOf(probeWrite.close())).toBe('ok');
    expect(
      await statusOf(reader().getQueryApi('').collectRows(`from(bucket: "${database}/raw") |> range(start: -1h)`)),
    ).toBe('ok');
    const basic = (user: string, secret: string) => ({
      Authorization: `Basic ${Buffer.from(tokenOf(user, secret)).toString('base64')}`,
    });
    const influxqlOk = await fetch(`${url}/query?db=${database}`, {
      method: 'POST',
      headers: basic(INFLUX_READER_USER, INFLUX_READER_SECRET),
      body: new URLSearchParams({ q: 'SHOW MEASUREMENTS' }),
    });
    expect(influxqlOk.status).toBe(200);
    const v1writeOk = await fetch(`${url}/write?db=${database}`, {
      method: 'POST',
      headers: basic(INFLUX_WRITER_USER, INFLUX_WRITER_SECRET),
      body: 'probe value=1',
    });
    expect(v1writeOk.status).toBe(204);
  });

  test('the writer writes but cannot read; grafana reads but cannot write; neither administers', async () => {
    await write(writer(), `${database}/raw`, 21.5);
    const flux = `from(bucket: "${database}/raw") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "window")`;
    const rows = await reader().getQueryApi('').collectRows<{ _value: number; device_id: string }>(flux);
    expect(rows.map((r) => [r.device_id, r._value])).toEqual([['dev-0007', 21.5]]);

    expect(await statusOf(write(reader(), `${database}/raw`, 99))).toBe(403);
    // InfluxDB 1.x answers a query without READ with a 500 that names the missing privilege.
    const denied = await writer()
      .getQueryApi('')
      .collectRows(flux)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(denied).toBeInstanceOf(HttpError);
    expect((denied as HttpError).body).toMatch(/requires READ/);

    for (const [user, secret] of [
      [INFLUX_WRITER_USER, INFLUX_WRITER_SECRET],
      [INFLUX_READER_USER, INFLUX_READER_SECRET],
    ] as const) {
      const client = new InfluxQlClient({ url, username: user, password: ctx.secrets.read(secret)! });
      await expect(client.query(`DROP DATABASE "${database}"`)).rejects.toThrow(/requires admin privilege/);
      await expect(client.query(`CREATE USER "intruder" WITH PASSWORD 'x' WITH ALL PRIVILEGES`)).rejects.toThrow(
        /requires admin privilege/,
      );
    }
  });

  test('a changed spec gives exactly the expected plan, which applies in place', async () => {
    const v2 = spec(
      'v2',
      '    - { name: raw, duration: 14d, shardDuration: 1d, default: true }\n    - { name: long, duration: 104w }',
      'all',
    );
    const admin = influxAdmin(ctx)!;
    const { plan } = await preparePlan(ctx, { kafka, registry: registryAdmin(ctx), influx: admin }, v2, false);
    const changed = plan.steps
      .filter((s) => s.action !== 'noop')
      .map((s) => [s.id, s.action, s.changes.map((c) => `${c.field}: ${String(c.from)} -> ${String(c.to)}`)]);
    expect(changed).toEqual([
      [`influx-retention-policy/${database}.raw`, 'update', ['duration: 720h0m0s -> 336h0m0s']],
      [`influx-retention-policy/${database}.long`, 'update', ['duration: 8736h0m0s -> 17472h0m0s']],
      [`influx-grant/${database}/${INFLUX_READER_USER}`, 'update', ['privilege: READ -> ALL']],
    ]);
    expect((await sluice('deploy-pipeline', '--spec', v2)).code).toBe(0);
    expect((await sluice('plan', '--spec', v2, '--exit-code')).code).toBe(0);
    // Back to READ: GRANT replaces the privilege, so grafana can no longer write.
    expect(
      (
        await sluice(
          'deploy-pipeline',
          '--spec',
          spec(
            'v3',
            '    - { name: raw, duration: 14d, shardDuration: 1d, default: true }\n    - { name: long, duration: 104w }',
          ),
        )
      ).code,
    ).toBe(0);
    expect(await statusOf(write(reader(), `${database}/raw`, 99))).toBe(403);
  });

  test('a grant to a user that does not exist is refused, and nothing is applied', async () => {
    const file = join(workDir, 'ghost.yaml');
    writeFileSync(
      file,
      `apiVersion: sluice/v1\nname: ${specName}-ghost\ninflux:\n  database: ${database}_ghost\n  retentionPolicies: [{ name: raw, duration: 1d, default: true }]\n  grants: [{ user: nobody, privilege: read }]\n`,
    );
    const result = await sluice('deploy-pipeline', '--spec', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /! influx-grant\/\S+\/nobody\s+refused user=nobody: user nobody does not exist in InfluxDB/,
    );
    const observed = await new HttpInfluxAdmin({
      url,
      username: INFLUX_ADMIN_USER,
      password: ctx.secrets.read(INFLUX_ADMIN_SECRET)!,
    }).observe();
    expect(observed.databases).not.toContain(`${database}_ghost`);
  });
});
