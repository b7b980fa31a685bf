/**
 * The Kafka Connect worker of the platform (issue 5): its REST API refuses every request without valid
 * Basic credentials; it lists Sluice's sinks and the Apicurio converter from its plugin.path; its own
 * Kafka user may use its group and three topics and nothing else; it serves its metrics to Prometheus.
 */
import {
  CONNECT_ADMIN_SECRET,
  CONNECT_ADMIN_USER,
  CONNECT_TOPICS,
  CONNECT_WORKER_SECRET,
  CONNECT_WORKER_USER,
  connectUrl,
} from '../../orchestrator/platform/components/connect';
import { kafkaAs, testContext } from './helpers';

const ctx = testContext();
const url = connectUrl(ctx);
const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

test('the REST API refuses requests without credentials or with a wrong password, on every path', async () => {
  for (const path of ['/', '/connectors', '/connector-plugins', '/health', '/connectors/anything/config']) {
    expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 401]);
    expect([
      path,
      (await fetch(`${url}${path}`, { headers: basic(CONNECT_ADMIN_USER, 'not-the-password') })).status,
    ]).toEqual([path, 401]);
  }
  const put = await fetch(`${url}/connectors/sneaky/config`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ 'connector.class': 'FileStreamSink' }),
  });
  expect(put.status).toBe(401);
  const ok = await fetch(`${url}/`, { headers: basic(CONNECT_ADMIN_USER, ctx.secrets.read(CONNECT_ADMIN_SECRET)!) });
  expect(ok.status).toBe(200);
  expect(((await ok.json()) as { version: string }).version).toBe('4.3.1');
});

test("the worker lists Sluice's sinks and Apicurio's converter", async () => {
  const response = await fetch(`${url}/connector-plugins?connectorsOnly=false`, {
    headers: basic(CONNECT_ADMIN_USER, ctx.secrets.read(CONNECT_ADMIN_SECRET)!),
  });
  const plugins = ((await response.json()) as Array<{ class: string; version: string }>).map(
    (p) => `${p.class} ${p.version}`,
  );
  expect(plugins).toEqual(
    expect.arrayContaining([
      'dev.sluice.connect.CassandraSinkConnector 0.1.0',
      'dev.sluice.connect.InfluxSinkConnector 0.1.0',
      expect.stringMatching(/^io\.apicurio\.registry\.utils\.converter\.AvroConverter /),
    ]),
  );
});

test("the worker's own Kafka user reads its config topic, and may not read the topics the sinks read", async () => {
  const kafka = kafkaAs(ctx, CONNECT_WORKER_USER, ctx.secrets.read(CONNECT_WORKER_SECRET)!, 0);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(CONNECT_TOPICS.config);
    expect(offsets.length).toBe(1);
    await expect(admin.fetchTopicOffsets('iot.readings')).rejects.toThrow(
      /not authorized|TOPIC_AUTHORIZATION_FAILED|does not host this topic-partition/i,
    );
  } finally {
    await admin.disconnect();
  }
});

test("the JMX exporter serves the worker's metrics", async () => {
  const text = await (await fetch(`http://${ctx.host}:${ctx.ports.connect.metrics}/metrics`)).text();
  expect(text).toMatch(/^kafka_connect_worker_connector_count /m);
  expect(text).toMatch(/^jvm_memory_heap_used_bytes /m);
});
