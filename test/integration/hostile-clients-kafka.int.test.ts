/**
 * Hostile clients against Kafka (issue 10, item 7): every attempt is refused with its specific error (the
 * client's, and where the client only sees a closed connection, the broker's own reason in its log), and
 * the same test runs a positive control with the right credentials, so that no case can pass because a
 * broker was down, a port was wrong or the control itself could not connect. The table of every
 * hostile-client case is in docs/architecture.md, "Security model".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
  type SASLOptions,
} from 'kafkajs';
import type { AclBinding } from '../../orchestrator/clients/kafka-types';
import { generatePassword } from '../../orchestrator/lib/secrets';
import { clientEnvironment, principalIdentity } from '../../orchestrator/platform/client-env';
import { kcatWrapperPath } from '../../orchestrator/platform/client-tools';
import { logFileOf } from '../../orchestrator/platform/component';
import { ADMIN_SECRET, ADMIN_USER, bootstrapServers, caFile } from '../../orchestrator/platform/components/kafka';
import { KAFKA_NODE_IDS } from '../../orchestrator/platform/ports';
import { run } from '../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../orchestrator/platform/wait';
import { expandAcls } from '../../orchestrator/providers/acl';
import { removeClientFiles } from '../../orchestrator/providers/principal';
import { adminClient, kafkaAs, testContext, uniqueName } from './helpers';

const ctx = testContext();
const admin = adminClient(ctx);
const ca = readFileSync(caFile(ctx), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'sluice-hostile-'));

/**
 * A self-signed certificate whose CN is a broker's name (kafka-1, a super user on the mTLS listeners):
 * the impostor's client certificate, and for a client, "another CA" to trust.
 */
const impostor = { key: join(work, 'impostor.key'), cert: join(work, 'impostor.pem') };
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '1',
    '-subj',
    '/CN=kafka-1',
    '-keyout',
    impostor.key,
    '-out',
    impostor.cert,
  ],
  { stdio: 'ignore' },
);

afterAll(async () => {
  await admin.close();
  rmSync(work, { recursive: true, force: true });
});

const adminSasl = (mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain' = 'scram-sha-512'): SASLOptions =>
  ({ mechanism, username: ADMIN_USER, password: ctx.secrets.read(ADMIN_SECRET)! }) as SASLOptions;

function rawKafka(config: Partial<ConstructorParameters<typeof Kafka>[0]>): Kafka {
  return new Kafka({
    clientId: 'hostile-client',
    brokers: bootstrapServers(ctx).split(','),
    connectionTimeout: 5000,
    authenticationTimeout: 5000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    ...config,
  });
}

/** Lists topics; the refusal as "<error name>: <message>", or the topics when the client got in. */
async function attempt(kafka: Kafka): Promise<{ refusal?: string; topics?: string[] }> {
  const client = kafka.admin();
  try {
    await client.connect();
    return { topics: await client.listTopics() };
  } catch (error) {
    return { refusal: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    await client.disconnect().catch(() => undefined);
  }
}

/** The positive control of the client port: TLS with the platform's CA and SCRAM-SHA-512, as admin. */
async function expectAdminGetsIn(): Promise<void> {
  const { refusal, topics } = await attempt(rawKafka({ ssl: { ca: [ca] }, sasl: adminSasl() }));
  expect(refusal).toBeUndefined();
  expect(topics).toEqual(expect.any(Array));
}

/** Marks the brokers' logs now; `expectLogged` then waits (bounded) for the broker's reason for a refusal. */
function brokerLogsFromNow(): { expectLogged(pattern: RegExp): Promise<void> } {
  const files = KAFKA_NODE_IDS.map((id) => logFileOf(ctx, `kafka-${id}`));
  const offsets = files.map((file) => statSync(file).size);
  const since = (i: number) => readFileSync(files[i]!).subarray(offsets[i]).toString('utf8');
  return {
    expectLogged: (pattern) =>
      waitFor(
        forCondition(`a broker to log ${pattern}`, 15_000, async () => files.some((_, i) => pattern.test(since(i)))),
        { intervalMs: 200 },
      ),
  };
}

/** An ApiVersions v0 request (allowed before authentication on every listener), correlation id 4242. */
function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from('hostile-probe');
  const body = Buffer.alloc(10 + clientId.length);
  body.writeInt16BE(18, 0); // api key ApiVersions
  body.writeInt16BE(0, 2); // version 0
  body.writeInt32BE(4242, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

type ProbeResult = { answer: Buffer } | { error: string };

/** Sends one ApiVersions request once the socket is up; the first bytes back, or the socket's error code. */
function probe(socket: Socket, readyEvent: 'connect' | 'secureConnect'): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ error: 'no answer within 10 s' }), 10_000);
    socket.once(readyEvent, () => socket.write(apiVersionsRequest()));
    socket.once('data', (answer: Buffer) => done({ answer }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    socket.once('close', () => done({ error: 'closed without an answer' }));
  });
}

/** A Kafka ApiVersions response to our request: correlation id 4242, error code 0 (NONE). */
function expectApiVersionsAnswer(result: ProbeResult): void {
  expect(result).toHaveProperty('answer');
  const answer = (result as { answer: Buffer }).answer;
  expect([answer.readInt32BE(4), answer.readInt16BE(8)]).toEqual([4242, 0]);
}

describe('the client listener (SASL_SSL, SCRAM-SHA-512 only)', () => {
  test('TLS without SASL is refused: the broker gets a request before the SASL handshake', async () => {
    const logs = brokerLogsFromNow();
    expect((await attempt(rawKafka({ ssl: { ca: [ca] } }))).refusal).toMatch(
      /^KafkaJSConnectionClosedError: Closed connection/,
    );
    await logs.expectLogged(/Unexpected Kafka request of type METADATA during SASL handshake/);
    await expectAdminGetsIn();
  });

  test('a wrong password is refused by SCRAM', async () => {
    const logs = brokerLogsFromNow();
    const wrong = { mechanism: 'scram-sha-512', username: ADMIN_USER, password: 'not-the-password' } as const;
    expect((await attempt(rawKafka({ ssl: { ca: [ca] }, sasl: wrong }))).refusal).toMatch(
      /^KafkaJSSASLAuthenticationError: SASL SCRAM SHA512 authentication failed: .*invalid credentials/,
    );
    await logs.expectLogged(/Failed authentication .*invalid credentials with SASL mechanism SCRAM-SHA-512/);
    await expectAdminGetsIn();
  });

  test.each([
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['plain', 'PLAIN'],
  ] as const)('SASL %s with the right password is refused: the mechanism is not enabled', async (mechanism, name) => {
    const logs = brokerLogsFromNow();
    expect((await attempt(rawKafka({ ssl: { ca: [ca] }, sasl: adminSasl(mechanism) }))).refusal).toBe(
      'KafkaJSProtocolError: The broker does not support the requested SASL mechanism',
    );
    await logs.expectLogged(new RegExp(`Failed authentication .*Unsupported SASL mechanism ${name}\\)`));
    await expectAdminGetsIn();
  });

  test('PLAINTEXT: a Kafka request in the clear is answered with a fatal TLS alert', async () => {
    const logs = brokerLogsFromNow();
    const port = ctx.ports.kafka[1]!.client;
    const clear = await probe(tcpConnect({ host: ctx.host, port }), 'connect');
    expect(clear).toHaveProperty('answer');
    const alert = (clear as { answer: Buffer }).answer;
    expect([alert[0], alert[5]]).toEqual([0x15, 0x02]); // record type 21 (alert), level 2 (fatal)
    await logs.expectLogged(/Failed authentication .*\(SSL handshake failed\)/);
    // Positive control: the same request over TLS gets Kafka's answer.
    expectApiVersionsAnswer(await probe(tlsConnect({ host: ctx.host, port, ca }), 'secureConnect'));
  });

  test('SASL_PLAINTEXT with the right password is refused: no TLS, no SASL', async () => {
    const logs = brokerLogsFromNow();
    expect((await attempt(rawKafka({ sasl: adminSasl() }))).refusal).toMatch(/Closed connection/);
    await logs.expectLogged(/Failed authentication .*\(SSL handshake failed\)/);
    await expectAdminGetsIn();
  });

  test('a client that trusts another CA refuses the brokers (with the right password)', async () => {
    const other = readFileSync(impostor.cert, 'utf8');
    expect((await attempt(rawKafka({ ssl: { ca: [other] }, sasl: adminSasl() }))).refusal).toMatch(
      /self-signed certificate in certificate chain/,
    );
    await expectAdminGetsIn();
  });
});

describe('the controller and replication listeners (mutual TLS, for the brokers only)', () => {
  const node = { key: `${ctx.paths.certs}/kafka-2.key`, cert: `${ctx.paths.certs}/kafka-2.crt` };
  const connectTo = (port: number, identity?: { key: string; cert: string }) =>
    probe(
      tlsConnect({
        host: ctx.host,
        port,
        ca,
        ...(identity && { key: readFileSync(identity.key), cert: readFileSync(identity.cert) }),
      }),
      'secureConnect',
    );

  test.each([
    ['controller', 'no certificate', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'],
    ['controller', 'a self-signed certificate named kafka-1', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'],
    ['internal', 'no certificate', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'],
    ['internal', 'a self-signed certificate named kafka-1', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'],
  ] as const)('the %s listener refuses a client with %s: %s', async (listener, what, alert) => {
    const identity = what === 'no certificate' ? undefined : impostor;
    for (const id of KAFKA_NODE_IDS) {
      const port = ctx.ports.kafka[id]![listener];
      expect([`kafka-${id}`, await connectTo(port, identity)]).toEqual([`kafka-${id}`, { error: alert }]);
      // Positive control: a broker's own certificate, signed by the platform's CA, gets Kafka's answer.
      expectApiVersionsAnswer(await connectTo(port, node));
    }
  });
});

describe('a service user stays inside its own topics (ACLs as deploy-pipeline grants them)', () => {
  const user = uniqueName('svc');
  const password = generatePassword();
  const own = uniqueName('svc-own'); // the topic its spec says it produces and consumes
  const other = uniqueName('svc-other'); // another source's topic
  const group = uniqueName('svc-group');
  const kafka = () => kafkaAs(ctx, user, password, 0);
  let kcatConfig: string;
  const kcat = (...args: string[]) =>
    run(kcatWrapperPath(ctx), ['-F', kcatConfig, '-q', ...args], { timeoutMs: 30_000 });

  beforeAll(async () => {
    for (const name of [own, other]) {
      await admin.createTopic({ name, partitions: 1, replicationFactor: 3, config: {} });
    }
    await admin.upsertScramUser(user, password);
    await admin.createAcls(expandAcls({ name: user, produces: [own], consumes: [{ group, topics: [own] }], acls: [] }));
    const producer = createAdminProducer();
    await producer.connect();
    await producer.send({ topic: other, acks: -1, messages: [{ key: 'k', value: 'theirs' }] });
    await producer.send({ topic: own, acks: -1, messages: [{ key: 'k', value: 'mine' }] });
    await producer.disconnect();
    ctx.secrets.write(`users/${user}`, password);
    kcatConfig = clientEnvironment(ctx, principalIdentity(user)).SLUICE_KCAT_CONFIG!;
  });

  afterAll(async () => {
    await admin.deleteTopic(own);
    await admin.deleteTopic(other);
    await admin.deleteScramUser(user);
    await admin.deleteAcls(expandAcls({ name: user, produces: [own], consumes: [{ group, topics: [own] }], acls: [] }));
    ctx.secrets.remove(`users/${user}`);
    removeClientFiles(ctx.paths.clients, user);
  });

  function createAdminProducer() {
    return rawKafka({ ssl: { ca: [ca] }, sasl: adminSasl(), retry: { retries: 2 } }).producer({ idempotent: true });
  }

  test("writing another source's topic: Topic authorization failed", async () => {
    const producer = kafka().producer({ idempotent: true, retry: { retries: 2 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: other, acks: -1, messages: [{ value: 'no' }] })).rejects.toThrow(
        'Not authorized to access topics: [Topic authorization failed]',
      );
      await expect(
        producer.send({ topic: own, acks: -1, messages: [{ key: 'k', value: 'mine too' }] }),
      ).resolves.toHaveLength(1);
    } finally {
      await producer.disconnect();
    }
  });

  test("reading another source's topic by assignment: Topic authorization failed", async () => {
    const refused = await kcat('-C', '-t', other, '-p', '0', '-o', 'beginning', '-e');
    expect([refused.code, refused.stdout]).toEqual([1, '']);
    expect(refused.stderr).toContain(`Topic ${other} error: Broker: Topic authorization failed`);
    const ok = await kcat('-C', '-t', own, '-p', '0', '-o', 'beginning', '-c', '1');
    expect([ok.code, ok.stdout]).toEqual([0, 'mine\n']);
  });

  test("reading another source's topic in its own group, or its own topic in another group: refused", async () => {
    const topic = await kcat('-C', '-G', group, '-o', 'beginning', '-c', '1', other);
    expect(topic.code).toBe(1);
    expect(topic.stderr).toContain(`Subscribed topic not available: ${other}: Broker: Topic authorization failed`);
    const foreignGroup = await kcat('-C', '-G', uniqueName('not-its-group'), '-o', 'beginning', '-c', '1', own);
    expect(foreignGroup.code).toBe(1);
    expect(foreignGroup.stderr).toContain('FindCoordinator response error: Group authorization failed');
    const ok = await kcat('-C', '-G', group, '-o', 'beginning', '-c', '1', own);
    expect([ok.code, ok.stdout]).toEqual([0, 'mine\n']);
  });

  test("describing another source's topic: TOPIC_AUTHORIZATION_FAILED, and it is not even listed", async () => {
    const client = kafka().admin();
    await client.connect();
    try {
      await expect(client.fetchTopicMetadata({ topics: [other] })).rejects.toMatchObject({
        type: 'TOPIC_AUTHORIZATION_FAILED',
      });
      expect((await client.fetchTopicMetadata({ topics: [own] })).topics.map((t) => t.name)).toEqual([own]);
      const listed = await client.listTopics();
      expect([listed.includes(own), listed.includes(other)]).toEqual([true, false]);
    } finally {
      await client.disconnect();
    }
  });

  test('creating a topic: TOPIC_AUTHORIZATION_FAILED; the admin creates the same topic', async () => {
    const topic = uniqueName('svc-new');
    const client = kafka().admin();
    await client.connect();
    try {
      await expect(
        client.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] }),
      ).rejects.toMatchObject({ name: 'KafkaJSAggregateError', errors: [{ type: 'TOPIC_AUTHORIZATION_FAILED' }] });
    } finally {
      await client.disconnect();
    }
    await admin.createTopic({ name: topic, partitions: 1, replicationFactor: 3, config: {} });
    await admin.deleteTopic(topic);
  });

  test('granting itself READ on another source: CLUSTER_AUTHORIZATION_FAILED; the admin may grant it', async () => {
    const grant: AclBinding = {
      principal: `User:${user}`,
      resourceType: 'topic',
      resourceName: other,
      patternType: 'literal',
      operation: 'read',
      permission: 'allow',
      host: '*',
    };
    const client = kafka().admin();
    await client.connect();
    try {
      await expect(
        client.createAcls({
          acl: [
            {
              principal: grant.principal,
              host: '*',
              resourceType: AclResourceTypes.TOPIC,
              resourceName: other,
              resourcePatternType: ResourcePatternTypes.LITERAL,
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        }),
      ).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
    } finally {
      await client.disconnect();
    }
    await admin.createAcls([grant]);
    await admin.deleteAcls([grant]);
  });
});
