/**
 * Cassandra on the real platform (issue 5): deploy-pipeline makes the keyspace and the tables of
 * connectors/cql/, a second plan finds nothing to do, a changed spec gives exactly the expected plan (an
 * added column is an update, a changed key is refused), logins without or with a wrong password are
 * refused, and the sink's role can run the INSERTs of connectors/cql/README.md and nothing more.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, Client } from 'cassandra-driver';
import { isSluiceError } from '../../lib/errors';
import { repoRoot } from '../../lib/repo';
import { preparePlan } from '../../orchestrator/cli/pipeline';
import { CassandraClient, type CassandraConnection } from '../../orchestrator/clients/cassandra';
import {
  CASSANDRA_ADMIN_SECRET,
  CASSANDRA_ADMIN_USER,
  CASSANDRA_CONNECT_SECRET,
  CASSANDRA_CONNECT_USER,
  cassandraAdmin,
  cassandraConnection,
  cassandraContactPoint,
} from '../../orchestrator/platform/components/cassandra';
import { registryAdmin } from '../../orchestrator/platform/components/registry';
import { run } from '../../orchestrator/platform/processes';
import { adminClient, testContext, uniqueName } from './helpers';

const ctx = testContext();
const kafka = adminClient(ctx);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-cassandra-'));
const CQL_DIR = join(repoRoot(), 'connectors', 'cql');
const clients: CassandraClient[] = [];

function sluice(...args: string[]) {
  return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], {
    cwd: repoRoot(),
    env: process.env,
    timeoutMs: 240_000,
  });
}

function writeFile(name: string, text: string): string {
  const file = join(workDir, name);
  writeFileSync(file, text);
  return file;
}

async function connectAs(connection: CassandraConnection): Promise<CassandraClient> {
  const client = await CassandraClient.connect(connection);
  clients.push(client);
  return client;
}

const asAdmin = () =>
  connectAs(cassandraConnection(ctx, CASSANDRA_ADMIN_USER, ctx.secrets.read(CASSANDRA_ADMIN_SECRET)!));
const asSink = () =>
  connectAs(cassandraConnection(ctx, CASSANDRA_CONNECT_USER, ctx.secrets.read(CASSANDRA_CONNECT_SECRET)!));

afterAll(async () => {
  for (const client of clients) await client.close();
  await kafka.close();
});

/** The INSERT statements the sink is documented to use, taken from the README itself. */
function documentedInserts(): Map<string, string> {
  const readme = readFileSync(join(CQL_DIR, 'README.md'), 'utf8');
  const inserts = [...readme.matchAll(/```cql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  return new Map(inserts.map((statement) => [/INSERT INTO sluice\.(\w+)/.exec(statement)![1]!, statement]));
}

/** One record of each source, as the Avro records carry them (field names as the markers). */
const ts = new Date('2026-03-14T15:09:26.535Z');
const RECORDS: Record<string, Record<string, unknown>> = {
  web: {
    event_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    ts,
    client_ip: '10.1.2.3',
    user: null,
    method: 'GET',
    path: '/api/cart',
    status: 200,
    bytes: 512,
    referrer: null,
    user_agent: 'test',
    response_time_ms: 12.5,
    is_bot: false,
  },
  iot: {
    event_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    ts,
    device_id: 'dev-0007',
    site_id: 'site-02',
    temperature_c: 21.5,
    humidity_pct: null,
    pressure_hpa: 1013.2,
    battery_pct: 88,
  },
  finance: {
    event_id: '16fd2706-8baf-433b-82eb-8c7fada847da',
    ts,
    account_id: 'acc-000042',
    merchant_id: 'mrc-00017',
    merchant_category: 'grocery',
    amount: 23.4,
    currency: 'EUR',
    channel: 'card',
    country: 'NL',
    city: 'Amsterdam',
    lat: 52.37,
    lon: 4.89,
  },
};
const sourceOf = (table: string) => (table.startsWith('web') ? 'web' : table.startsWith('iot') ? 'iot' : 'finance');

describe('the Cassandra tables of connectors/cql', () => {
  const specName = uniqueName('cassandra');
  const spec = () =>
    writeFile(
      `${specName}.yaml`,
      `apiVersion: sluice/v1
name: ${specName}
cassandra:
  keyspace: sluice
  tables:
${['020-web-requests.cql', '030-iot-readings.cql', '040-finance-transactions.cql'].map((f) => `    - ${join(CQL_DIR, f)}`).join('\n')}
  grants:
    - { role: ${CASSANDRA_CONNECT_USER}, permissions: [modify] }
`,
    );

  test('deploy-pipeline makes keyspace sluice and its six tables, keyed as the files say; a second plan changes nothing', async () => {
    const applied = await sluice('deploy-pipeline', '--spec', spec());
    expect(applied.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(applied.code).toBe(0);
    const admin = await asAdmin();
    const tables = (
      await admin.rows<{ table_name: string; default_time_to_live: number }>(
        "SELECT table_name, default_time_to_live FROM system_schema.tables WHERE keyspace_name = 'sluice'",
      )
    )
      .map((t) => [t.table_name, t.default_time_to_live])
      .sort();
    expect(tables).toEqual([
      ['finance_transactions_by_account_day', 7776000],
      ['finance_transactions_by_hour', 2592000],
      ['iot_readings_by_device_day', 7776000],
      ['iot_readings_by_hour', 2592000],
      ['web_requests_by_hour', 2592000],
      ['web_requests_by_path_day', 7776000],
    ]);
    const key = await admin.rows<{ column_name: string; kind: string; position: number }>(
      "SELECT column_name, kind, position FROM system_schema.columns WHERE keyspace_name = 'sluice' AND table_name = 'web_requests_by_path_day'",
    );
    expect(
      key
        .filter((c) => c.kind !== 'regular')
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.position - b.position)
        .map((c) => `${c.kind}:${c.column_name}`),
    ).toEqual(['clustering:ts', 'clustering:event_id', 'partition_key:path', 'partition_key:day']);

    const plan = await sluice('plan', '--spec', spec(), '--exit-code');
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.code).toBe(0);
  });

  test("the sink role runs the README's INSERTs; Cassandra computes the buckets; a replayed event overwrites itself", async () => {
    const inserts = documentedInserts();
    expect([...inserts.keys()].sort()).toEqual([
      'finance_transactions_by_account_day',
      'finance_transactions_by_hour',
      'iot_readings_by_device_day',
      'iot_readings_by_hour',
      'web_requests_by_hour',
      'web_requests_by_path_day',
    ]);
    const sink = await asSink();
    for (const [table, statement] of inserts) {
      // Twice: the redelivery of a record after a sink restart.
      for (let i = 0; i < 2; i++) await sink.execute(statement, RECORDS[sourceOf(table)]!);
    }
    const admin = await asAdmin();
    const hour = new Date('2026-03-14T15:00:00Z');
    const web = await admin.rows<{ hour: Date; ts: Date; path: string }>(
      'SELECT hour, ts, path FROM sluice.web_requests_by_hour WHERE hour = ?',
      [hour],
    );
    expect(web.map((r) => [r.hour.toISOString(), r.ts.toISOString(), r.path])).toEqual([
      ['2026-03-14T15:00:00.000Z', ts.toISOString(), '/api/cart'],
    ]);
    const day = await admin.rows<{ day: unknown; temperature_c: number }>(
      "SELECT day, temperature_c FROM sluice.iot_readings_by_device_day WHERE device_id = 'dev-0007' AND day = '2026-03-14'",
    );
    expect(day.map((r) => [String(r.day), r.temperature_c])).toEqual([['2026-03-14', 21.5]]);
    const [count] = await admin.rows<{ count: { toNumber(): number } }>(
      "SELECT count(*) FROM sluice.finance_transactions_by_account_day WHERE account_id = 'acc-000042' AND day = '2026-03-14'",
    );
    expect(count!.count.toNumber()).toBe(1);
  });

  test('the sink role may write and nothing else: no SELECT, no DDL, no grants, no other keyspace', async () => {
    const sink = await asSink();
    const refused = async (statement: string) => {
      const error = await sink.execute(statement).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect([statement, isSluiceError(error, 'SLUICE_CASSANDRA_NOT_AUTHORIZED')]).toEqual([statement, true]);
    };
    await refused("SELECT * FROM sluice.web_requests_by_hour WHERE hour = '2026-03-14 15:00:00+0000'");
    await refused('DROP TABLE sluice.web_requests_by_hour');
    // MODIFY is Cassandra's only write permission, and it covers TRUNCATE too (docs/guides/storage.md).
    await refused('ALTER TABLE sluice.web_requests_by_hour ADD extra text');
    await refused('CREATE TABLE sluice.sneaky (k int PRIMARY KEY)');
    await refused("CREATE KEYSPACE sneaky WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    await refused("GRANT SELECT ON KEYSPACE sluice TO 'sluice-connect'");
    await refused("INSERT INTO system_auth.roles (role, is_superuser) VALUES ('sluice-connect', true)");
  });
});

describe('Cassandra logins', () => {
  test('are refused without credentials, with a wrong password, and for the default superuser', async () => {
    const [host, port] = cassandraContactPoint(ctx).split(':');
    const anonymous = new Client({
      contactPoints: [host!],
      protocolOptions: { port: Number(port) },
      localDataCenter: 'datacenter1',
    });
    await expect(anonymous.connect()).rejects.toThrow(/requires authentication/);
    await anonymous.shutdown();

    const wrong = new Client({
      contactPoints: [host!],
      protocolOptions: { port: Number(port) },
      localDataCenter: 'datacenter1',
      authProvider: new auth.PlainTextAuthProvider(CASSANDRA_ADMIN_USER, 'not-the-password'),
    });
    await expect(wrong.connect()).rejects.toThrow(/Provided username admin and\/or password are incorrect/);
    await wrong.shutdown();

    // Positive control: the same client with the right password logs in and answers.
    const right = new Client({
      contactPoints: [host!],
      protocolOptions: { port: Number(port) },
      localDataCenter: 'datacenter1',
      authProvider: new auth.PlainTextAuthProvider(CASSANDRA_ADMIN_USER, ctx.secrets.read(CASSANDRA_ADMIN_SECRET)!),
    });
    try {
      const { rows } = await right.execute('SELECT release_version FROM system.local');
      expect(rows[0]!.release_version).toMatch(/^\d+\.\d+/);
    } finally {
      await right.shutdown();
    }

    for (const [user, password] of [
      [CASSANDRA_ADMIN_USER, 'not-the-password'],
      ['cassandra', 'cassandra'],
      [CASSANDRA_CONNECT_USER, ''],
    ]) {
      const error = await CassandraClient.connect(cassandraConnection(ctx, user!, password!)).then(
        (c) => c.close(),
        (e: unknown) => e,
      );
      expect([user, isSluiceError(error, 'SLUICE_CASSANDRA_AUTH_FAILED')]).toEqual([user, true]);
    }
  });

  test('the default superuser can no longer log in, nor is it a superuser', async () => {
    const admin = await asAdmin();
    const [role] = await admin.rows<{ can_login: boolean; is_superuser: boolean }>(
      "SELECT can_login, is_superuser FROM system_auth.roles WHERE role = 'cassandra'",
    );
    expect(role).toEqual({ can_login: false, is_superuser: false });
  });
});

describe('a changed Cassandra spec', () => {
  const keyspace = uniqueName('it').replace('-', '_');
  const specName = uniqueName('cassandra-change');
  const table = (
    extra: string,
    key = '((sensor, day), ts, event_id)',
    ttl = 86400,
    order = 'ts DESC, event_id ASC',
  ) => `CREATE TABLE readings (
  sensor text, day date, ts timestamp, event_id uuid, value double,${extra}
  PRIMARY KEY ${key}
) WITH CLUSTERING ORDER BY (${order}) AND default_time_to_live = ${ttl};`;
  const spec = (name: string, cql: string) => {
    const file = writeFile(`${name}.cql`, cql);
    return writeFile(
      `${name}.yaml`,
      `apiVersion: sluice/v1
name: ${specName}
cassandra:
  keyspace: ${keyspace}
  tables: [${file}]
  grants:
    - { role: ${CASSANDRA_CONNECT_USER}, permissions: [modify] }
`,
    );
  };

  afterAll(async () => {
    // The same spec name with nothing in it, and --prune: drops what this suite made.
    const pruned = await sluice(
      'deploy-pipeline',
      '--spec',
      writeFile('empty.yaml', `apiVersion: sluice/v1\nname: ${specName}\n`),
      '--prune',
    );
    expect(pruned.code).toBe(0);
    const admin = await asAdmin();
    expect(
      await admin.rows('SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace]),
    ).toEqual([]);
  });

  test('an added column is an update (ALTER TABLE ADD) with the TTL change, then nothing is left to do', async () => {
    expect((await sluice('deploy-pipeline', '--spec', spec('v1', table('')))).code).toBe(0);
    const v2 = spec('v2', table(' unit text,', undefined, 172800));
    const admin = cassandraAdmin(ctx)!;
    try {
      const { plan } = await preparePlan(ctx, { kafka, registry: registryAdmin(ctx), cassandra: admin }, v2, false);
      const changed = plan.steps
        .filter((s) => s.action !== 'noop')
        .map((s) => [s.id, s.action, s.changes.map((c) => `${c.field}: ${String(c.from)} -> ${String(c.to)}`)]);
      expect(changed).toEqual([
        [
          `cassandra-table/${keyspace}.readings`,
          'update',
          ['column.unit: undefined -> text', 'config.default_time_to_live: 86400 -> 172800'],
        ],
      ]);
    } finally {
      await admin.close();
    }
    expect((await sluice('plan', '--spec', v2, '--exit-code')).code).toBe(2);
    expect((await sluice('deploy-pipeline', '--spec', v2)).code).toBe(0);
    const plan = await sluice('plan', '--spec', v2, '--exit-code');
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.code).toBe(0);
  });

  test('a changed key or column type is refused with what to do instead, and nothing is applied', async () => {
    const changed = spec(
      'v3',
      table(' unit text,', '((sensor), day, ts, event_id)', 172800, 'day ASC, ts DESC, event_id ASC').replace(
        'value double',
        'value float',
      ),
    );
    const result = await sluice('deploy-pipeline', '--spec', changed);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `! cassandra-table/${keyspace}.readings\\s+refused primaryKey: \\(\\(sensor, day\\), ts DESC, event_id ASC\\) -> \\(\\(sensor\\), day ASC, ts DESC, event_id ASC\\): Cassandra cannot change a table's primary key`,
      ),
    );
    expect(result.stdout).toMatch(
      /refused column.value: double -> float: Cassandra cannot change the type of a column/,
    );
    expect(result.stderr).toMatch(/SLUICE_PLAN_REFUSED/);
    const admin = await asAdmin();
    const [value] = await admin.rows<{ type: string }>(
      'SELECT type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?',
      [keyspace, 'readings', 'value'],
    );
    expect(value!.type).toBe('double');
  });
});
