/**
 * Hostile clients against the platform's HTTP servers and files (issue 10, item 7); Kafka's are in
 * hostile-clients-kafka.int.test.ts. Each refusal asserts its specific error and has a positive control
 * with the right credentials in the same test. The table of every hostile-client case, with the ones
 * that live in the suite of their server (Connect, Cassandra, InfluxDB, Prometheus, Alertmanager, Flink),
 * is in docs/architecture.md, "Security model".
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { RegistryClient } from '../../lib/registry/client';
import { registryFromEnv } from '../../lib/registry/from-env';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import {
  CASSANDRA_JAVA17_OPTIONS,
  CASSANDRA_JMX_SECRET,
  CASSANDRA_JMX_USER,
} from '../../orchestrator/platform/components/cassandra';
import { REGISTRY_ADMIN_USER, registryUrl } from '../../orchestrator/platform/components/registry';
import { bundleDir } from '../../orchestrator/platform/install/maven';
import { mavenBundle } from '../../orchestrator/platform/manifest';
import { run } from '../../orchestrator/platform/processes';
import { testContext, uniqueName } from './helpers';

const ctx = testContext();

const schema = JSON.stringify({
  type: 'record',
  name: 'Probe',
  namespace: 'dev.sluice.hostile',
  fields: [{ name: 'id', type: 'string' }],
});

/** The HTTP status of a refused registry call (the client throws SLUICE_HTTP_ERROR with details.status). */
const statusOf = (call: Promise<unknown>): Promise<number | 'ok'> =>
  call.then(
    () => 'ok' as const,
    (error: { details?: { status?: number } }) => error.details?.status ?? Promise.reject(error),
  );

test('schema registry: a write, a delete and a config change without credentials or with a wrong password get 401; with them they succeed', async () => {
  const url = registryUrl(ctx);
  const subject = uniqueName('hostile-value');
  const owner = registryFromEnv(clientEnvironment(ctx));
  const intruders = {
    anonymous: new RegistryClient({ url }),
    'wrong password': new RegistryClient({ url, username: REGISTRY_ADMIN_USER, password: 'not-the-password' }),
  };
  for (const [who, intruder] of Object.entries(intruders)) {
    expect([who, 'register', await statusOf(intruder.register(subject, schema))]).toEqual([who, 'register', 401]);
  }
  const id = await owner.register(subject, schema); // positive control: the write
  expect(id).toEqual(expect.any(Number));
  await owner.setCompatibility(subject, 'FULL'); // positive control: the config change
  expect(await owner.compatibility(subject)).toBe('FULL');

  for (const [who, intruder] of Object.entries(intruders)) {
    expect([who, 'config', await statusOf(intruder.setCompatibility(subject, 'NONE'))]).toEqual([who, 'config', 401]);
    expect([who, 'delete', await statusOf(intruder.deleteSubject(subject))]).toEqual([who, 'delete', 401]);
  }
  // The global level too (reads are anonymous: the level is NONE, and stays so).
  const globalLevel = async () =>
    ((await (await fetch(`${url}/config`)).json()) as { compatibilityLevel: string }).compatibilityLevel;
  const before = await globalLevel();
  const globalChange = await fetch(`${url}/config`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: before === 'FORWARD' ? 'BACKWARD' : 'FORWARD' }),
  });
  expect(globalChange.status).toBe(401);
  expect(await globalLevel()).toBe(before);
  // Nothing the intruders did took: the schema and its level are the owner's.
  expect(await owner.latest(subject)).toMatchObject({ id, version: 1 });
  expect(await owner.compatibility(subject)).toBe('FULL');

  await owner.deleteSubject(subject); // positive control: the delete
  expect(await owner.latest(subject)).toBeUndefined();
});

test("Cassandra's JMX (nodetool) without credentials or with a wrong password is refused; with them it answers", async () => {
  // Without a password, any local user could stop the node or truncate a table through JMX, past every CQL role.
  const home = mkdtempSync(join(tmpdir(), 'sluice-nodetool-')); // nodetool keeps its history under user.home
  const nodetool = (...credentials: string[]) =>
    run(
      'java',
      [
        '-Xmx128m',
        '-XX:TieredStopAtLevel=1', // a short-lived tool: start fast
        '-XX:+UseSerialGC',
        ...CASSANDRA_JAVA17_OPTIONS.filter((option) => option.startsWith('--add-')),
        `-Duser.home=${home}`,
        `-Dcassandra.logdir=${home}`,
        '-cp',
        `${join(bundleDir(ctx.paths.cache, 'cassandra', mavenBundle('cassandra')), 'lib')}/*`,
        'org.apache.cassandra.tools.NodeTool',
        '-h',
        ctx.host,
        '-p',
        String(ctx.ports.cassandra.jmx),
        ...credentials,
        'version',
      ],
      { timeoutMs: 120_000 },
    );
  try {
    const [anonymous, wrong, right] = await Promise.all([
      nodetool(),
      nodetool('-u', CASSANDRA_JMX_USER, '-pw', 'not-the-password'),
      nodetool('-u', CASSANDRA_JMX_USER, '-pw', ctx.secrets.read(CASSANDRA_JMX_SECRET)!),
    ]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stdout + anonymous.stderr).toContain('Authentication failed! Credentials required');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toContain('FailedLoginException: Invalid username or password');
    expect([right.code, right.stdout]).toEqual([0, expect.stringMatching(/^ReleaseVersion: 5\./m)]); // positive control
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

/** Every regular file under `dir` (symbolic links, e.g. Connect's plugin folders, are not followed). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) return filesUnder(path);
    return stat.isFile() ? [path] : [];
  });
}

test('every file holding a secret (a password, a private key, a password hash) is readable by its owner only', () => {
  clientEnvironment(ctx); // writes the admin's client files (kcat, Java, the InfluxDB token), as `platform env` does
  const passwords = filesUnder(ctx.paths.secrets)
    .map((file) => readFileSync(file, 'utf8').trim())
    .filter((value) => value.length >= 8);
  const holdsASecret = (text: string): boolean =>
    passwords.some((password) => text.includes(password)) ||
    /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text) ||
    /\$2[aby]\$\d\d\$/.test(text); // a bcrypt hash (the web.yml of Prometheus and Alertmanager)
  const dirs = [ctx.paths.secrets, ctx.paths.certs, ctx.paths.clients, ctx.paths.config];
  const holding = dirs
    .flatMap(filesUnder)
    .filter((file) => holdsASecret(readFileSync(file, 'utf8')))
    .map((file) => relative(ctx.paths.home, file));

  // Positive control: the scan recognises the files known to hold secrets, in each of the four dirs.
  expect(holding).toEqual(
    expect.arrayContaining([
      'secrets/kafka/admin',
      'certs/ca.key',
      'certs/kafka-1.keystore.pem',
      'clients/admin/kcat.properties',
      'clients/admin/client.properties',
      'config/connect/worker.properties',
      'config/cassandra/jmx.password',
      'config/registry/application.properties',
      'config/prometheus/web.yml',
      'config/alertmanager/web.yml',
    ]),
  );
  const readableByOthers = holding.filter((file) => (lstatSync(join(ctx.paths.home, file)).mode & 0o077) !== 0);
  expect(readableByOthers).toEqual([]);
  // And the dirs made for secrets are closed as a whole.
  for (const dir of [ctx.paths.secrets, ctx.paths.certs, ctx.paths.clients]) {
    expect([relative(ctx.paths.home, dir), (lstatSync(dir).mode & 0o777).toString(8)]).toEqual([
      relative(ctx.paths.home, dir),
      '700',
    ]);
  }
});
