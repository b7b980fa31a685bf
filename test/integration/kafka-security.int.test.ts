/**
 * The cluster's security, checked from outside: TLS on every client connection, SCRAM-SHA-512 on top,
 * ACLs deny by default; and kcat — a client Sluice did not write — works with the files `platform env` writes.
 * The hostile clients (every way in that must be refused) are in hostile-clients-kafka.int.test.ts.
 */
import type { Kafka } from 'kafkajs';
import { generatePassword } from '../../orchestrator/lib/secrets';
import { clientEnvironment, principalIdentity } from '../../orchestrator/platform/client-env';
import { kcatWrapperPath } from '../../orchestrator/platform/client-tools';
import { run } from '../../orchestrator/platform/processes';
import { removeClientFiles } from '../../orchestrator/providers/principal';
import { adminClient, adminConnection, kafkaAs, testContext, uniqueName } from './helpers';
import { createKafka } from '../../lib/kafka/connection';
import { join } from 'node:path';
import { bundleDir } from '../../orchestrator/platform/install/maven';
import { mavenBundle } from '../../orchestrator/platform/manifest';
import { TEMPLATE_DIR } from '../../orchestrator/platform/template';

const ctx = testContext();
const admin = adminClient(ctx);

afterAll(() => admin.close());

async function listTopicsWith(kafka: Kafka): Promise<string[]> {
  const client = kafka.admin();
  try {
    await client.connect();
    return await client.listTopics();
  } finally {
    await client.disconnect().catch(() => undefined);
  }
}

describe('Kafka listeners', () => {
  // Every refusal (no SASL, a wrong password, other mechanisms, no TLS, another CA, the mTLS listeners)
  // is in hostile-clients-kafka.int.test.ts, each with its specific error and a positive control.
  test('the admin user connects over TLS with SCRAM-SHA-512', async () => {
    await expect(listTopicsWith(createKafka(adminConnection(ctx), { retries: 2 }))).resolves.toEqual(expect.any(Array));
  });
});

describe('ACLs', () => {
  const user = uniqueName('acl-user');
  const password = generatePassword();
  const allowed = uniqueName('acl-allowed');
  const denied = uniqueName('acl-denied');

  beforeAll(async () => {
    await admin.createTopic({ name: allowed, partitions: 1, replicationFactor: 3, config: {} });
    await admin.createTopic({ name: denied, partitions: 1, replicationFactor: 3, config: {} });
    await admin.upsertScramUser(user, password);
    await admin.createAcls(
      ['write', 'describe'].map((operation) => ({
        principal: `User:${user}`,
        resourceType: 'topic' as const,
        resourceName: allowed,
        patternType: 'literal' as const,
        operation: operation as 'write' | 'describe',
        permission: 'allow' as const,
        host: '*',
      })),
    );
  });

  afterAll(async () => {
    await admin.deleteTopic(allowed);
    await admin.deleteTopic(denied);
    await admin.deleteScramUser(user);
  });

  test('a user writes to the topic its ACLs allow, and is refused on another', async () => {
    const producer = kafkaAs(ctx, user, password).producer({ idempotent: true, retry: { retries: 2 } });
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: allowed, acks: -1, messages: [{ key: 'k', value: 'ok' }] }),
      ).resolves.toHaveLength(1);
      await expect(producer.send({ topic: denied, acks: -1, messages: [{ key: 'k', value: 'no' }] })).rejects.toThrow(
        /not authorized|authorization/i,
      );
    } finally {
      await producer.disconnect();
    }
  });

  test("kcat with the restricted user's config is refused where the ACLs say so", async () => {
    ctx.secrets.write(`users/${user}`, password);
    const env = clientEnvironment(ctx, principalIdentity(user));
    const ok = await run(kcatWrapperPath(ctx), ['-F', env.SLUICE_KCAT_CONFIG!, '-P', '-t', allowed, '-k', 'kcat'], {
      input: 'allowed\n',
      timeoutMs: 30_000,
    });
    expect(ok.code).toBe(0);
    const refused = await run(kcatWrapperPath(ctx), ['-F', env.SLUICE_KCAT_CONFIG!, '-P', '-t', denied], {
      input: 'denied\n',
      timeoutMs: 30_000,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authoriz/i);
    ctx.secrets.remove(`users/${user}`);
    removeClientFiles(ctx.paths.clients, user); // the files with its password go with it
  });
});

describe("Kafka's own Java tools", () => {
  test('TopicCommand lists topics with SLUICE_JAVA_CLIENT_CONFIG from platform env', async () => {
    const topic = uniqueName('java-tool');
    await admin.createTopic({ name: topic, partitions: 1, replicationFactor: 3, config: {} });
    try {
      const env = clientEnvironment(ctx);
      const lib = join(bundleDir(ctx.paths.cache, 'kafka', mavenBundle('kafka')), 'lib');
      const result = await run(
        'java',
        [
          '-cp',
          `${lib}/*`,
          `-Dlog4j2.configurationFile=${join(TEMPLATE_DIR, 'log4j2.properties')}`,
          'org.apache.kafka.tools.TopicCommand',
          '--bootstrap-server',
          env.SLUICE_BOOTSTRAP_SERVERS!,
          '--command-config',
          env.SLUICE_JAVA_CLIENT_CONFIG!,
          '--list',
        ],
        { timeoutMs: 60_000 },
      );
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n')).toContain(topic);
    } finally {
      await admin.deleteTopic(topic);
    }
  });
});

describe('kcat, a client Sluice did not write', () => {
  const topic = uniqueName('kcat');

  beforeAll(() => admin.createTopic({ name: topic, partitions: 3, replicationFactor: 3, config: {} }));
  afterAll(() => admin.deleteTopic(topic));

  test('produces and consumes with SLUICE_KCAT_CONFIG from platform env', async () => {
    const env = clientEnvironment(ctx);
    const lines = ['one', 'two', 'three'];
    const produced = await run(kcatWrapperPath(ctx), ['-F', env.SLUICE_KCAT_CONFIG!, '-P', '-t', topic], {
      input: `${lines.join('\n')}\n`,
      timeoutMs: 30_000,
    });
    expect(produced.code).toBe(0);
    const consumed = await run(
      kcatWrapperPath(ctx),
      ['-F', env.SLUICE_KCAT_CONFIG!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'],
      { timeoutMs: 30_000 },
    );
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n').sort()).toEqual([...lines].sort());
  });
});
