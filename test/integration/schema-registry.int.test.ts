/**
 * The schema registry the launcher runs (Apicurio, Confluent-compatible API): writes need credentials,
 * BACKWARD compatibility is enforced with the registry's reason, and schemas survive a restart because
 * they live in the secured Kafka cluster.
 */
import { RegistryClient } from '../../lib/registry/client';
import { registryFromEnv } from '../../lib/registry/from-env';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import { pidFileOf } from '../../orchestrator/platform/component';
import { registry, registryUrl } from '../../orchestrator/platform/components/registry';
import { up } from '../../orchestrator/platform/platform';
import { readPid, stopProcess } from '../../orchestrator/platform/processes';
import { testContext, uniqueName } from './helpers';

const ctx = testContext();
const client = registryFromEnv(clientEnvironment(ctx));

const v1 = JSON.stringify({
  type: 'record',
  name: 'Reading',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'device_id', type: 'string' },
    { name: 'temperature_c', type: 'double' },
  ],
});
const compatible = JSON.stringify({
  type: 'record',
  name: 'Reading',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'device_id', type: 'string' },
    { name: 'temperature_c', type: 'double' },
    { name: 'site_id', type: ['null', 'string'], default: null },
  ],
});
const incompatible = JSON.stringify({
  type: 'record',
  name: 'Reading',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'device_id', type: 'string' },
    { name: 'temperature_c', type: 'double' },
    { name: 'email', type: 'string' },
  ],
});

test('platform env gives the Confluent-compatible URL and write credentials for the admin', () => {
  const env = clientEnvironment(ctx);
  expect(env.SLUICE_REGISTRY_URL).toBe(registryUrl(ctx));
  expect(env.SLUICE_REGISTRY_URL).toMatch(/\/apis\/ccompat\/v7$/);
  expect(env.SLUICE_REGISTRY_USER).toBe('registry-admin');
  expect(Object.values(env).join('\n')).not.toContain(ctx.secrets.read('registry/admin')!);
});

test('reads are anonymous, writes without credentials are refused', async () => {
  const anonymous = new RegistryClient({ url: registryUrl(ctx) });
  await expect(anonymous.subjects()).resolves.toEqual(expect.any(Array));
  await expect(anonymous.register(uniqueName('anon-value'), v1)).rejects.toMatchObject({
    code: 'SLUICE_HTTP_ERROR',
    details: { status: 401 },
  });
  const wrong = new RegistryClient({ url: registryUrl(ctx), username: 'registry-admin', password: 'wrong' });
  await expect(wrong.register(uniqueName('wrong-value'), v1)).rejects.toMatchObject({ details: { status: 401 } });
});

test('BACKWARD compatibility: a compatible change registers, an incompatible one is refused with the reason', async () => {
  const subject = uniqueName('reading-value');
  const id = await client.register(subject, v1);
  await client.setCompatibility(subject, 'BACKWARD');
  expect(await client.compatibility(subject)).toBe('BACKWARD');
  expect(await client.register(subject, v1)).toBe(id); // idempotent

  expect(await client.checkCompatibility(subject, incompatible)).toMatchObject({ compatible: false });
  await expect(client.register(subject, incompatible)).rejects.toMatchObject({
    code: 'SLUICE_SCHEMA_INCOMPATIBLE',
    message: expect.stringMatching(/Incompatible artifact/),
  });

  expect(await client.checkCompatibility(subject, compatible)).toMatchObject({ compatible: true });
  const id2 = await client.register(subject, compatible);
  expect(id2).not.toBe(id);
  expect(await client.latest(subject)).toMatchObject({ subject, id: id2, version: 2 });
});

test('schemas survive a registry restart (they are kept in Kafka)', async () => {
  const subject = uniqueName('durable-value');
  const id = await client.register(subject, v1);
  await stopProcess(readPid(pidFileOf(ctx, registry.name))!, registry.stopGraceMs);
  await up(ctx, [registry.name]);
  expect(JSON.parse(await client.schemaById(id))).toEqual(JSON.parse(v1));
  expect(await client.latest(subject)).toMatchObject({ id, version: 1 });
});
