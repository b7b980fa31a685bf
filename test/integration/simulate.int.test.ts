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
  for (const bytes of readings) {
    const { schemaId, body } = decodeWireHeader(bytes);
    const type = parseSchema(await registry.schemaById(schemaId));
    expect(type.fromBuffer(body)).toMatchObject({ device_id: expect.any(String), site_id: expect.any(String) });
  }
  const devices = await readSince('ref.devices', started - 10_000, 5);
  expect(devices.length).toBeGreaterThan(0);
  expect((await registry.latest('iot.readings-value'))?.subject).toBe('iot.readings-value');
  expect(await registry.compatibility('iot.readings-value')).toBe('BACKWARD');
});
