/**
 * Control planes ask who you are (issue "Survive real conditions", item 4): Prometheus and Alertmanager
 * refuse every request without their Basic credentials, and Prometheus' lifecycle API is off even with
 * them; Flink's REST API and the SQL Gateway refuse a connection without a client certificate of their CA. Each refusal has its positive control in the same test: the same request with the credentials
 * succeeds, so no case can pass because the server was down or the path was wrong.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { join } from 'node:path';
import { tlsFetch, type ClientTls, type TlsFetchInit } from '../../lib/tls-fetch';
import { flinkRestUrl, sqlGatewayUrl } from '../../orchestrator/platform/components/flink';
import {
  flinkClientTls,
  flinkInternalTlsFiles,
  flinkRestTlsFiles,
} from '../../orchestrator/platform/components/flink-tls';
import { alertmanagerUrl, monitoringHeaders, prometheusUrl } from '../../orchestrator/platform/components/monitoring';
import { testContext } from './helpers';

const ctx = testContext();
const WRONG = { Authorization: `Basic ${Buffer.from('monitoring-admin:not-the-password').toString('base64')}` };

test('Prometheus: queries and the admin API need the credentials; /-/quit is refused even with them', async () => {
  const query = `${prometheusUrl(ctx)}/api/v1/query?query=up`;
  expect((await fetch(query)).status).toBe(401);
  expect((await fetch(query, { headers: WRONG })).status).toBe(401);
  expect((await fetch(query, { headers: monitoringHeaders(ctx) })).status).toBe(200); // positive control

  const quit = `${prometheusUrl(ctx)}/-/quit`;
  expect((await fetch(quit, { method: 'POST' })).status).toBe(401);
  // With the credentials the lifecycle API is still off (403 "Lifecycle API is not enabled").
  expect((await fetch(quit, { method: 'POST', headers: monitoringHeaders(ctx) })).status).toBe(403);
  expect((await fetch(`${prometheusUrl(ctx)}/-/ready`, { headers: monitoringHeaders(ctx) })).status).toBe(200);

  const snapshot = `${prometheusUrl(ctx)}/api/v1/admin/tsdb/snapshot`;
  expect((await fetch(snapshot, { method: 'POST' })).status).toBe(401);
  // The admin API is not enabled either: with the credentials it answers "admin APIs disabled" (500).
  const withAuth = await fetch(snapshot, { method: 'POST', headers: monitoringHeaders(ctx) });
  expect(withAuth.status).toBeGreaterThanOrEqual(400);
  expect(await withAuth.text()).toMatch(/admin APIs disabled/);
});

test('Alertmanager: a silence without credentials is refused; with them it is created (and expired again)', async () => {
  const now = new Date();
  const silence = {
    matchers: [{ name: 'alertname', value: 'ControlPlaneTest', isRegex: false, isEqual: true }],
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + 60_000).toISOString(),
    createdBy: 'control-planes.int.test',
    comment: 'a test silence',
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${alertmanagerUrl(ctx)}/api/v2/silences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(silence),
    });
  expect((await post({})).status).toBe(401);
  expect((await post(WRONG)).status).toBe(401);
  expect((await fetch(`${alertmanagerUrl(ctx)}/api/v2/alerts`)).status).toBe(401);
  const created = await post(monitoringHeaders(ctx)); // positive control
  expect(created.status).toBe(200);
  const { silenceID } = (await created.json()) as { silenceID: string };
  const expired = await fetch(`${alertmanagerUrl(ctx)}/api/v2/silence/${silenceID}`, {
    method: 'DELETE',
    headers: monitoringHeaders(ctx),
  });
  expect(expired.status).toBe(200);
});

/**
 * Flink's REST API and the SQL Gateway (decision 0019): TLS with a client certificate of the Flink REST CA.
 * Refused: no certificate, and a certificate of another CA, the platform's (a Kafka broker's, signed by the
 * CA every Kafka client trusts). Plain http gets only a redirect to https, never the API.
 */
const flinkTls = (): ClientTls => flinkClientTls(ctx);
const noCertificate = (): ClientTls => ({ ca: flinkTls().ca });
const otherCa = (): ClientTls => ({
  ca: flinkTls().ca,
  cert: readFileSync(join(ctx.paths.certs, 'kafka-1.crt'), 'utf8'),
  key: readFileSync(join(ctx.paths.certs, 'kafka-1.key'), 'utf8'),
});
/** The TLS alert Flink answers a missing (bad certificate, 42) or untrusted (certificate unknown, 46) one with. */
const HANDSHAKE_REFUSED = /alert (bad certificate|certificate unknown|certificate required)/;

async function refused(url: string, init: TlsFetchInit): Promise<void> {
  await expect(tlsFetch(url, init, noCertificate())).rejects.toThrow(HANDSHAKE_REFUSED);
  await expect(tlsFetch(url, init, otherCa())).rejects.toThrow(HANDSHAKE_REFUSED);
  const plain = await fetch(url.replace(/^https:/, 'http:'), {
    method: init.method,
    redirect: 'manual',
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  expect(plain.status).toBe(301);
  expect(plain.headers.get('location')).toMatch(/^https:/);
}

test('Flink REST: cancelling a job and running a jar need a client certificate of the Flink REST CA', async () => {
  const cancel = `${flinkRestUrl(ctx)}/jobs/${randomBytes(16).toString('hex')}?mode=cancel`;
  await refused(cancel, { method: 'PATCH' });
  // Positive control: with the certificate the request reaches the JobManager, which has no such job.
  const cancelled = await tlsFetch(cancel, { method: 'PATCH' }, flinkTls());
  expect(cancelled.status).toBe(404);
  expect(await cancelled.text()).toMatch(/Could not find Flink job/);

  const runJar = `${flinkRestUrl(ctx)}/jars/${randomBytes(8).toString('hex')}.jar/run`;
  const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' };
  await refused(runJar, init);
  const ran = await tlsFetch(runJar, init, flinkTls()); // positive control: the jar handler answers
  expect(ran.status).toBe(500);
  expect(await ran.text()).toMatch(/Jar file .* does not exist/);
});

test('SQL Gateway: opening a session needs a client certificate of the Flink REST CA', async () => {
  const sessions = `${sqlGatewayUrl(ctx)}/v1/sessions`;
  const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' };
  await refused(sessions, init);
  const opened = await tlsFetch(sessions, init, flinkTls()); // positive control
  expect(opened.status).toBe(200);
  const { sessionHandle } = (await opened.json()) as { sessionHandle: string };
  expect(sessionHandle).toMatch(/^[0-9a-f-]{36}$/);
  const closed = await tlsFetch(`${sessions}/${sessionHandle}`, { method: 'DELETE' }, flinkTls());
  expect(closed.status).toBe(200);
});

/**
 * What a TLS client with `options` meets at Flink's internal `port`: `accepted` when the handshake holds
 * for a second (the port then waits for a request of its own protocol), else the error. Under TLS 1.3 a
 * server refuses the client's certificate after the client's side of the handshake is done, so
 * `secureConnect` alone proves nothing.
 */
function internalHandshake(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: ctx.host, port, ...options });
    let settled = false;
    const done = (outcome: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('no answer within 10 s'), 10_000);
    socket.on('secureConnect', () => setTimeout(() => done('accepted'), 1000));
    socket.on('error', (error) => done(error.message));
    socket.on('close', () => done('closed by the server'));
  });
}

test("Flink's internal RPC and blob ports: TLS with a certificate of the internal CA only", async () => {
  const internal = flinkInternalTlsFiles(ctx);
  const internalCa = readFileSync(join(internal.dir, 'ca.pem'), 'utf8');
  const own = {
    ca: internalCa,
    cert: readFileSync(join(internal.dir, 'flink-internal.crt'), 'utf8'),
    key: readFileSync(join(internal.dir, 'flink-internal.key'), 'utf8'),
  };
  const client = flinkTls();
  for (const port of [ctx.ports.flink.rpc, ctx.ports.flink.blob]) {
    // A Flink REST client certificate (the one users hold), none, and a platform one: all refused.
    expect(await internalHandshake(port, { ca: internalCa, cert: client.cert, key: client.key })).toMatch(
      /alert|closed by the server|socket hang up|ECONNRESET/,
    );
    expect(await internalHandshake(port, { ca: internalCa })).toMatch(/alert|closed by the server|ECONNRESET/);
    expect(
      await internalHandshake(port, {
        ca: internalCa,
        cert: readFileSync(join(ctx.paths.certs, 'kafka-1.crt'), 'utf8'),
        key: readFileSync(join(ctx.paths.certs, 'kafka-1.key'), 'utf8'),
      }),
    ).toMatch(/alert|closed by the server|ECONNRESET/);
    // The server speaks TLS under the internal CA: a client trusting the REST CA does not trust it.
    expect(await internalHandshake(port, { ca: client.ca, cert: own.cert, key: own.key })).toMatch(
      /self.signed|unable to verify|certificate/,
    );
    // Positive control: the Flink processes' own certificate is accepted on the same port.
    expect(await internalHandshake(port, own)).toBe('accepted');
  }
});

test('every file holding a secret is readable by its owner only', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(ctx.paths.secrets);
  expect(files.length).toBeGreaterThan(5); // the store is there and holds the platform's secrets
  const open = files.filter((f) => (statSync(f).mode & 0o077) !== 0);
  expect(open).toEqual([]);
  for (const web of ['prometheus', 'alertmanager'])
    expect(statSync(join(ctx.paths.config, web, 'web.yml')).mode & 0o077).toBe(0);
  // Flink's config.yaml holds the stores' password; the keys and the stores are private too.
  const tls = flinkRestTlsFiles(ctx);
  for (const file of [
    join(ctx.paths.config, 'flink', 'config.yaml'),
    tls.keystoreFile,
    tls.truststoreFile,
    tls.clientKeyFile,
    join(tls.dir, 'ca.key'),
    flinkInternalTlsFiles(ctx).keystoreFile,
    flinkInternalTlsFiles(ctx).truststoreFile,
    join(flinkInternalTlsFiles(ctx).dir, 'ca.key'),
    join(flinkInternalTlsFiles(ctx).dir, 'flink-internal.key'),
  ])
    expect({ file, mode: statSync(file).mode & 0o077 }).toEqual({ file, mode: 0 });
});
