/**
 * `sluice simulate`: a simulator run through the producer engine as its own principal. Its records decode
 * with the schema the registry returns for the id in each record, and references and labels land too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { registryFromEnv } from '../../lib/registry/from-env';
import { deployPipeline } from '../../orchestrator/cli/pipeline';
import { decodeWireHeader, parseSchema } from '../../lib/avro/wire';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import { run } from '../../orchestrator/platform/processes';
import { adminConnection, testContext, uniqueName } from './helpers';

const ctx = testContext();
const kafka = createKafka(adminConnection(ctx), { retries: 5 });
const registry = registryFromEnv(clientEnvironment(ctx));

async function readSince(topic: string, since: number, max = 200): Promise<Buffer[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('simulate-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 15_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (Number(message.timestamp) >= since && values.length < max) values.push(message.value!);
        if (values.length >= max) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return values;
}

/**
 * The demo spec without its SQL jobs, connectors and Cassandra tables: the simulators need its topics,
 * schemas and principals, and submitting the demo's 13 Flink jobs (cancelled by the Grafana suite before
 * this one) would take minutes and load every later suite. Without --prune, what the spec leaves out and
 * is already deployed stays as it is.
 */
function demoSpecWithoutJobs(): string {
  const root = repoRoot();
  const spec = parse(readFileSync(join(root, 'pipeline.yaml'), 'utf8')) as Record<string, unknown> & {
    topics: Array<{ valueSchema?: string }>;
  };
  delete spec.sql;
  delete spec.connectors;
  delete spec.cassandra;
  for (const topic of spec.topics) if (topic.valueSchema) topic.valueSchema = join(root, topic.valueSchema);
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-sim-spec-')), 'pipeline.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

beforeAll(async () => {
  // The simulators' principals and their topics' schemas come from the demo pipeline.
  await deployPipeline(ctx, demoSpecWithoutJobs(), { log: ctx.log });
  const pip = await run('python3', ['-m', 'pip', 'install', '--quiet', '--target', pylib, 'fastavro==1.13.1'], {
    timeoutMs: 300_000,
  });
  expect(pip.stderr).not.toMatch(/ERROR/);
});

/** Fields an independent decoder must agree on exactly: everything but logical types and bytes. */
function plainFields(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v)),
  );
}

// An independent Avro implementation (Python fastavro, installed with pip into the install cache)
// decodes the same bytes with the schema the registry returns for each record's id.
const pylib = join(ctx.paths.cache, 'pylib');

test.each([
  ['web', 'web.access-logs', 'ref.ip-ranges', { client_ip: expect.any(String), path: expect.any(String) }],
  ['iot', 'iot.readings', 'ref.devices', { device_id: expect.any(String), site_id: expect.any(String) }],
  [
    'finance',
    'finance.transactions',
    'ref.accounts',
    { account_id: expect.any(String), merchant_id: expect.any(String) },
  ],
] as const)(
  "sluice simulate %s: events and reference data decode with the registry's schema, in avsc and in Python fastavro",
  async (source, topic, reference, shape) => {
    const started = Date.now() - 1;
    const result = await run(
      'node',
      [join(repoRoot(), 'bin', 'sluice.js'), 'simulate', source, '--rate', '5', '--duration', '6', '--seed', '7'],
      { env: process.env, timeoutMs: 120_000 },
    );
    expect(result.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`sim-${source}: sent \\d+, failed 0`));

    const events = await readSince(topic, started, 20);
    expect(events.length).toBeGreaterThan(0);
    const latest = await registry.latest(`${topic}-value`);
    for (const bytes of events) expect(decodeWireHeader(bytes).schemaId).toBe(latest!.id);
    const type = parseSchema(await registry.schemaById(latest!.id));
    const ours = events.map((bytes) => type.fromBuffer(decodeWireHeader(bytes).body) as Record<string, unknown>);
    for (const record of ours) expect(record).toMatchObject(shape);

    const input = (
      await Promise.all(
        events.map(async (bytes) =>
          JSON.stringify({
            schema: await registry.schemaById(decodeWireHeader(bytes).schemaId),
            record: bytes.toString('base64'),
          }),
        ),
      )
    ).join('\n');
    const decoded = await run('python3', [join(repoRoot(), 'test', 'integration', 'decode-with-fastavro.py')], {
      input: `${input}\n`,
      env: { ...process.env, PYTHONPATH: pylib },
      timeoutMs: 60_000,
    });
    expect(decoded.stderr).toBe('');
    const byPython = decoded.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { record: Record<string, unknown> });
    expect(byPython).toHaveLength(events.length);
    ours.forEach((record, i) => {
      const plain = plainFields(record);
      expect(Object.keys(plain).length).toBeGreaterThan(3);
      // fastavro gives timestamp-millis as a datetime (printed as text); avsc as the epoch milliseconds.
      const python = Object.fromEntries(
        Object.entries(byPython[i]!.record).map(([k, v]) => [
          k,
          typeof v === 'string' && typeof plain[k] === 'number' ? Date.parse(v.replace(' ', 'T')) : v,
        ]),
      );
      expect(python).toMatchObject(plain);
    });

    expect((await readSince(reference, started - 10_000, 5)).length).toBeGreaterThan(0);
    expect(await registry.compatibility(`${topic}-value`)).toBe('BACKWARD');
  },
);
