/**
 * deploy-pipeline against the real cluster, through the `sluice` command a user runs: the demo spec
 * applies, a second apply changes nothing, a changed spec gives exactly the expected plan, changes Kafka
 * cannot make and incompatible schemas are refused, and an invalid spec is refused with its path before
 * anything is touched.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { preparePlan } from '../../orchestrator/cli/pipeline';
import { RegistryClient } from '../../lib/registry/client';
import { encodeWire } from '../../lib/avro/wire';
import { topicSerializers } from '../../lib/avro/serializers';
import { registryAdmin, registryUrl } from '../../orchestrator/platform/components/registry';
import { run } from '../../orchestrator/platform/processes';
import { adminClient, kafkaAs, testContext, uniqueName } from './helpers';
import { FixtureServer, fixtureJson } from '../../producers/apis/testing/fixture-server';
import { KEYLESS_INGESTORS, baseUrlVariable } from '../../orchestrator/platform/components/ingestors';
import { workloads } from '../../orchestrator/platform/platform';

const WORKLOADS = workloads.map((w) => w.name);

const ctx = testContext();
const admin = adminClient(ctx);
const workDir = mkdtempSync(join(tmpdir(), 'sluice-spec-'));

afterAll(() => admin.close());

/** Runs the compiled CLI as a user would (npm run build happens before the integration tier). */
function sluice(...args: string[]) {
  return sluiceWithin(180_000, ...args);
}

/** `sluice up` on a platform without the demo submits its 13 Flink jobs: that alone can take minutes. */
function sluiceWithin(timeoutMs: number, ...args: string[]) {
  return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], { cwd: repoRoot(), env: process.env, timeoutMs });
}

function writeSpec(name: string, body: string): string {
  const file = join(workDir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

async function topicSettings(name: string) {
  const observed = await admin.observe();
  return observed.topics.find((t) => t.name === name);
}

describe('the demo pipeline', () => {
  test('`sluice up` starts (or keeps) the platform, applies pipeline.yaml and starts the simulators and the keyless ingestors', async () => {
    // The keyless ingestors poll their APIs at once; here the recorded payloads stand in for them.
    const apis = await FixtureServer.start([
      { path: '/v1/forecast', reply: { body: fixtureJson('open-meteo-forecast-current.json') } },
      { path: /^\/v8\/finance\/chart\//, reply: { body: fixtureJson('yahoo-v8-finance-chart-GOOG.json') } },
    ]);
    for (const api of KEYLESS_INGESTORS) process.env[baseUrlVariable(api)] = apis.url;
    const up = await sluiceWithin(900_000, 'up').finally(() => {
      for (const api of KEYLESS_INGESTORS) delete process.env[baseUrlVariable(api)];
    });
    expect(up.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(up.code).toBe(0);
    try {
      const status = await sluice('platform', 'status', '--json');
      const rows = JSON.parse(status.stdout) as Array<{ component: string; health: string }>;
      const health = Object.fromEntries(rows.map((r) => [r.component, r.health]));
      expect(health).toMatchObject({
        'kafka-1': 'healthy',
        'kafka-2': 'healthy',
        'kafka-3': 'healthy',
        registry: 'healthy',
        'sim-web': 'healthy',
        'sim-iot': 'healthy',
        'sim-finance': 'healthy',
        'ingest-open-meteo': 'healthy',
        'ingest-yahoo': 'healthy',
      });

      // The demo pipeline flows: each simulator's and ingestor's own metrics count records acknowledged by Kafka.
      const producers = {
        ...ctx.ports.simulators,
        'open-meteo': ctx.ports.services['ingest-open-meteo'],
        yahoo: ctx.ports.services['ingest-yahoo'],
      };
      for (const [source, port] of Object.entries(producers)) {
        let sent = 0;
        for (let attempt = 0; attempt < 30 && sent === 0; attempt++) {
          const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          sent = [...metrics.matchAll(/^sluice_producer_records_sent_total\{[^}]*\} (\d+)/gm)].reduce(
            (n, m) => n + Number(m[1]),
            0,
          );
          if (sent === 0) await new Promise((r) => setTimeout(r, 1000));
        }
        expect([source, sent]).toEqual([source, expect.any(Number)]);
        expect(sent).toBeGreaterThan(0);
      }
    } finally {
      // The other suites need the CPU more than the demo traffic.
      expect((await sluice('platform', 'down', ...WORKLOADS)).code).toBe(0);
      await apis.close();
    }
    const after = JSON.parse((await sluice('platform', 'status', '--json')).stdout) as Array<{
      component: string;
      health: string;
    }>;
    expect(after.filter((r) => WORKLOADS.includes(r.component)).map((r) => r.health)).toEqual(
      WORKLOADS.map(() => 'stopped'),
    );
  }, 1_000_000);

  test('topics exist with the declared partitions, replication 3 and min ISR 2', async () => {
    for (const [name, partitions] of [
      ['web.access-logs', 6],
      ['iot.readings', 6],
      ['finance.transactions', 6],
      ['labels.web', 3],
      ['ref.devices', 3],
    ] as const) {
      const topic = await topicSettings(name);
      expect(topic).toMatchObject({ name, partitions, replicationFactor: 3 });
      expect(topic!.config['min.insync.replicas']).toBe('2');
    }
    expect((await topicSettings('ref.devices'))!.config['cleanup.policy']).toBe('compact');
  });

  test('after apply, `sluice plan --exit-code` exits 0 and a second deploy changes nothing', async () => {
    const plan = await sluice('plan', '--exit-code');
    expect(plan.stdout).toMatch(/No changes/);
    expect(plan.code).toBe(0);
    const again = await sluice('deploy-pipeline');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    expect(again.stdout).not.toMatch(/Applied/);
  });

  test("a principal writes to its own topics and is refused on another source's topic", async () => {
    const password = ctx.secrets.read('users/sim-web');
    expect(password).toBeDefined();
    const producer = kafkaAs(ctx, 'sim-web', password!).producer({ idempotent: true, retry: { retries: 1 } });
    await producer.connect();
    try {
      // A real access log in the registered schema: the demo's Flink jobs read this topic, and a record
      // that is not Confluent Avro would stop them ("Magic number does not match").
      const serializers = await topicSerializers(new RegistryClient({ url: registryUrl(ctx) }), ['web.access-logs'], {
        'web.access-logs': 'web-access-log',
      });
      const { schemaId, type } = serializers.get('web.access-logs')!;
      const value = encodeWire(schemaId, type, {
        event_id: randomUUID(),
        ts: Date.now(),
        client_ip: '10.0.0.1',
        user: null,
        method: 'GET',
        path: '/',
        status: 200,
        bytes: 0,
        referrer: null,
        user_agent: 'deploy-pipeline test',
        response_time_ms: 1,
        is_bot: false,
      });
      await expect(
        producer.send({ topic: 'web.access-logs', acks: -1, messages: [{ key: '10.0.0.1', value }] }),
      ).resolves.toHaveLength(1);
      await expect(
        producer.send({ topic: 'iot.readings', acks: -1, messages: [{ key: 'd1', value: '{}' }] }),
      ).rejects.toThrow(/not authorized|authorization/i);
    } finally {
      await producer.disconnect();
    }
  });
});

describe('a changed spec', () => {
  const specName = uniqueName('spec');
  const grow = uniqueName('grow');
  const keep = uniqueName('keep');
  const user = uniqueName('svc');
  const base = (growPartitions: number, retention: string, extra = '') => `apiVersion: sluice/v1
name: ${specName}
topics:
  - name: ${grow}
    partitions: ${growPartitions}
    config: { retention.ms: ${retention} }
  - name: ${keep}
    partitions: 3
${extra}principals:
  - name: ${user}
    produces: [${grow}]
`;

  afterAll(async () => {
    // An empty spec of the same name with --prune removes everything this suite created.
    const empty = writeSpec('empty', `apiVersion: sluice/v1\nname: ${specName}\n`);
    const pruned = await sluice('deploy-pipeline', '--spec', empty, '--prune');
    expect(pruned.code).toBe(0);
    expect((await admin.observe()).topics.map((t) => t.name)).not.toContain(grow);
  });

  test('is applied, then an edit gives exactly the expected plan', async () => {
    const first = await sluice('deploy-pipeline', '--spec', writeSpec('v1', base(3, '86400000')));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied/);

    const added = uniqueName('added');
    const v2 = writeSpec('v2', base(6, '172800000', `  - name: ${added}\n    partitions: 1\n`));
    const { plan } = await preparePlan(ctx, { kafka: admin, registry: registryAdmin(ctx) }, v2, false);
    const changed = plan.steps
      .filter((s) => s.action !== 'noop')
      .map((s) => [s.id, s.action, s.changes.map((c) => `${c.field}: ${String(c.from)} -> ${String(c.to)}`)]);
    expect(changed).toEqual([
      [`topic/${grow}`, 'update', ['partitions: 3 -> 6', 'config.retention.ms: 86400000 -> 172800000']],
      [`topic/${added}`, 'create', expect.any(Array)],
    ]);
    const exit = await sluice('plan', '--spec', v2, '--exit-code');
    expect(exit.code).toBe(2);

    const applied = await sluice('deploy-pipeline', '--spec', v2);
    expect(applied.code).toBe(0);
    expect(await topicSettings(grow)).toMatchObject({ partitions: 6, config: { 'retention.ms': '172800000' } });
    expect((await sluice('plan', '--spec', v2, '--exit-code')).code).toBe(0);
  });

  test('fewer partitions or another replication factor are refused with an explanation, and nothing changes', async () => {
    const fewer = writeSpec('fewer', base(2, '172800000', `  - name: ${uniqueName('never')}\n    partitions: 1\n`));
    const result = await sluice('deploy-pipeline', '--spec', fewer);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/SLUICE_PLAN_REFUSED/);
    expect(result.stdout + result.stderr).toMatch(/cannot remove partitions/i);
    expect((await topicSettings(grow))!.partitions).toBe(6);
    // The refused plan also had a create in it: nothing of it was applied.
    expect((await admin.observe()).topics.filter((t) => t.name.startsWith('never-'))).toEqual([]);

    const rf = writeSpec(
      'rf',
      base(6, '172800000').replace('    partitions: 3\n', '    partitions: 3\n    replicationFactor: 2\n'),
    );
    const rfResult = await sluice('plan', '--spec', rf);
    expect(rfResult.code).toBe(1);
    expect(rfResult.stdout).toMatch(/replication/i);
  });
});

describe('schemas in the spec', () => {
  const topic = uniqueName('schema');
  const other = uniqueName('never');
  const specName = uniqueName('schemas');
  const subject = `${topic}-value`;
  const record = (fields: string) =>
    `{"type": "record", "name": "Order", "namespace": "dev.sluice.test", "fields": [${fields}]}`;
  const v1 = record('{"name": "id", "type": "string"}');
  const v2 = record('{"name": "id", "type": "string"}, {"name": "note", "type": ["null", "string"], "default": null}');
  const incompatible = record(
    '{"name": "id", "type": "long"}, {"name": "note", "type": ["null", "string"], "default": null}',
  );
  const spec = (schemaFile: string, extra = '') =>
    writeSpec(
      `${specName}-${schemaFile}`,
      `apiVersion: sluice/v1
name: ${specName}
topics:
  - name: ${topic}
    partitions: 1
    valueSchema: ${schemaFile}.avsc
${extra}`,
    );

  afterAll(async () => {
    await sluice(
      'deploy-pipeline',
      '--spec',
      writeSpec(`${specName}-empty`, `apiVersion: sluice/v1\nname: ${specName}\n`),
      '--prune',
    );
  });

  test('a declared schema is registered as <topic>-value with BACKWARD compatibility; again changes nothing', async () => {
    for (const [name, text] of [
      ['v1', v1],
      ['v2', v2],
      ['incompatible', incompatible],
    ] as const)
      writeFileSync(join(workDir, `${name}.avsc`), text);
    const applied = await sluice('deploy-pipeline', '--spec', spec('v1'));
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      new RegExp(`\\+ schema/${subject}\\s+create\\s+version=1 compatibility=BACKWARD file=v1.avsc`),
    );
    const registry = new RegistryClient({ url: registryUrl(ctx) });
    expect(await registry.latest(subject)).toMatchObject({ version: 1 });
    expect(await registry.compatibility(subject)).toBe('BACKWARD');
    expect((await sluice('plan', '--spec', spec('v1'), '--exit-code')).code).toBe(0);
  });

  test("an incompatible change is refused by plan and by apply with the registry's reason, and nothing is applied", async () => {
    const plan = await sluice('plan', '--spec', spec('incompatible'));
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(
      new RegExp(
        `! schema/${subject}\\s+refused\\s+version: 1 -> 2: the registry finds incompatible.avsc incompatible`,
      ),
    );
    const apply = await sluice(
      'deploy-pipeline',
      '--spec',
      spec('incompatible', `  - name: ${other}\n    partitions: 1\n`),
    );
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/SLUICE_PLAN_REFUSED/);
    expect(apply.stderr).toMatch(/TYPE_MISMATCH|type/i);
    expect((await admin.observe()).topics.map((t) => t.name)).not.toContain(other);
    expect(await new RegistryClient({ url: registryUrl(ctx) }).latest(subject)).toMatchObject({ version: 1 });
  });

  test('a compatible change shows as the next version and is registered', async () => {
    const plan = await sluice('plan', '--spec', spec('v2'), '--exit-code');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(new RegExp(`~ schema/${subject}\\s+update\\s+version: 1 -> 2; file=v2.avsc`));
    expect((await sluice('deploy-pipeline', '--spec', spec('v2'))).code).toBe(0);
    expect(await new RegistryClient({ url: registryUrl(ctx) }).latest(subject)).toMatchObject({ version: 2 });
  });
});

describe('an invalid spec', () => {
  test('is refused with every issue named by its path, before anything is applied', async () => {
    const topic = uniqueName('invalid');
    const file = writeSpec(
      'invalid',
      `apiVersion: sluice/v1
name: invalid
topics:
  - name: ${topic}
    partitions: -1
    replicationFactor: 5
    colour: blue
`,
    );
    const result = await sluice('deploy-pipeline', '--spec', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SLUICE_SPEC_INVALID/);
    expect(result.stderr).toMatch(/topics\[0\]\.partitions/);
    expect(result.stderr).toMatch(/topics\[0\]\.colour/);
    expect(result.stderr).toMatch(/topics\[0\]\.replicationFactor/);
    expect((await admin.observe()).topics.map((t) => t.name)).not.toContain(topic);
  });

  test('replication above the broker count is refused with the path and the broker count', async () => {
    const file = writeSpec(
      'rf5',
      `apiVersion: sluice/v1\nname: rf5\ntopics:\n  - name: ${uniqueName('rf')}\n    partitions: 1\n    replicationFactor: 4\n`,
    );
    const result = await sluice('plan', '--spec', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/topics\[0\]\.replicationFactor/);
    expect(result.stderr).toMatch(/3 broker/);
  });
});

test('the Kafka client module reaches the cluster with the settings `platform env` prints', async () => {
  const env = await sluice('platform', 'env');
  expect(env.code).toBe(0);
  expect(env.stdout).not.toContain(ctx.secrets.read('kafka/admin')!);
  const vars = Object.fromEntries(
    env.stdout
      .split('\n')
      .filter((l) => l.startsWith('export SLUICE_'))
      .map((l) => l.slice(7).split('=') as [string, string]),
  );
  const { connectionFromEnv } = await import('../../lib/kafka/connection');
  const client = createKafka(connectionFromEnv(vars), { retries: 2 }).admin();
  await client.connect();
  await expect(client.listTopics()).resolves.toContain('web.access-logs');
  await client.disconnect();
});
