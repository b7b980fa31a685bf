/**
 * `sluice simulate`: a simulator run through the producer engine as its own principal. Its records decode
 * with the schema the registry returns for the id in each record, and references and labels land too.
 */
import { join } from 'node:path';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { registryFromEnv } from '../../lib/registry/from-env';
import { decodeWireHeader, parseSchema } from '../../producers/engine/avro';
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

test('sluice simulate iot produces readings and reference data that decode with the registry\'s schemas', async () => {
  const started = Date.now() - 1;
  const result = await run('node', [join(repoRoot(), 'bin', 'sluice.js'), 'simulate', 'iot', '--rate', '5', '--duration', '6', '--seed', '7'], { env: process.env, timeoutMs: 120_000 });
  expect(result.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/sim-iot: sent \d+, failed 0/);

  const readings = await readSince('iot.readings', started, 20);
  expect(readings.length).toBeGreaterThan(0);
  const type = parseSchema(await registry.schemaById(decodeWireHeader(readings[0]!).schemaId));
  for (const bytes of readings) {
    const { schemaId, body } = decodeWireHeader(bytes);
    expect(schemaId).toBe(decodeWireHeader(readings[0]!).schemaId);
    expect(type.fromBuffer(body)).toMatchObject({ device_id: expect.any(String), site_id: expect.any(String) });
  }

  // An independent Avro implementation (Python fastavro, installed with pip into the install cache)
  // decodes the same bytes with the schema the registry returns for each record's id.
  const pylib = join(ctx.paths.cache, 'pylib');
  const pip = await run('python3', ['-m', 'pip', 'install', '--quiet', '--target', pylib, 'fastavro==1.13.1'], { timeoutMs: 300_000 });
  expect(pip.stderr).not.toMatch(/ERROR/);
  const input = (await Promise.all(readings.map(async (bytes) => JSON.stringify({ schema: await registry.schemaById(decodeWireHeader(bytes).schemaId), record: bytes.toString('base64') })))).join('\n');
  const decoded = await run('python3', [join(repoRoot(), 'test', 'integration', 'decode-with-fastavro.py')], { input: `${input}\n`, env: { ...process.env, PYTHONPATH: pylib }, timeoutMs: 60_000 });
  expect(decoded.stderr).toBe('');
  const byPython = decoded.stdout.trim().split('\n').map((l) => JSON.parse(l) as { record: Record<string, unknown> });
  expect(byPython).toHaveLength(readings.length);
  readings.forEach((bytes, i) => {
    const { body } = decodeWireHeader(bytes);
    const ours = type.fromBuffer(body) as Record<string, unknown>;
    expect(byPython[i]!.record).toMatchObject({ device_id: ours.device_id, site_id: ours.site_id, temperature_c: ours.temperature_c, battery_pct: ours.battery_pct });
  });

  const devices = await readSince('ref.devices', started - 10_000, 5);
  expect(devices.length).toBeGreaterThan(0);
  expect((await registry.latest('iot.readings-value'))?.subject).toBe('iot.readings-value');
  expect(await registry.compatibility('iot.readings-value')).toBe('BACKWARD');
});
