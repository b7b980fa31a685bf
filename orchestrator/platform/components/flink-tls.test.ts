/**
 * The Flink REST certificates without Flink (decision 0019): what configure makes and renders, what
 * `platform env` exports, and that `tlsFetch` presents the client certificate (to an in-process Node
 * HTTPS server that asks for one, with a positive control).
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tlsFetch } from '../../../lib/tls-fetch';
import { clientEnvironment, exportLines } from '../client-env';
import type { PlatformContext } from '../component';
import { createContext } from '../platform';
import { flinkComponents, flinkConfDir } from './flink';
import {
  FLINK_INTERNAL_STORE_SECRET,
  FLINK_REST_STORE_SECRET,
  ensureFlinkRestTls,
  flinkClientTls,
  flinkInternalTlsFiles,
  flinkRestTlsFiles,
} from './flink-tls';

jest.setTimeout(60_000);

function context(): PlatformContext {
  const home = mkdtempSync(join(tmpdir(), 'sluice-flink-tls-'));
  return createContext({ SLUICE_HOME: home, SLUICE_PORT_BASE: '29000', SLUICE_CACHE_DIR: join(home, 'cache') });
}

const ctx = context();

/** The store options Flink reads for REST and internal SSL alike: both PKCS12, one password. */
function pkcs12Stores(files: { keystoreFile: string; truststoreFile: string }, password: string) {
  return {
    keystore: files.keystoreFile,
    'keystore-type': 'PKCS12',
    'keystore-password': password,
    'key-password': password,
    truststore: files.truststoreFile,
    'truststore-type': 'PKCS12',
    'truststore-password': password,
  };
}
beforeAll(async () => {
  await flinkComponents.find((c) => c.name === 'flink-jobmanager')!.configure(ctx);
});

test('configure makes a Flink REST CA of its own, private keys and stores, and turns on REST mTLS', async () => {
  const files = flinkRestTlsFiles(ctx);
  expect(files.caFile).not.toBe(join(ctx.paths.certs, 'ca.pem'));
  for (const file of [files.keystoreFile, files.truststoreFile, files.clientKeyFile, join(files.dir, 'ca.key')])
    expect({ file, mode: statSync(file).mode & 0o077 }).toEqual({ file, mode: 0 });
  const config = join(flinkConfDir(ctx), 'config.yaml');
  expect(statSync(config).mode & 0o077).toBe(0);
  const password = ctx.secrets.read(FLINK_REST_STORE_SECRET)!;
  const yaml = parse(readFileSync(config, 'utf8')) as { security: { ssl: { rest: Record<string, unknown> } } };
  expect(yaml.security.ssl.rest).toEqual({
    enabled: true,
    'authentication-enabled': true,
    ...pkcs12Stores(files, password),
  });
  // Made once: a second configure keeps the certificates every running client holds.
  const before = readFileSync(files.clientCertFile, 'utf8');
  await ensureFlinkRestTls(ctx);
  expect(readFileSync(files.clientCertFile, 'utf8')).toBe(before);
});

test('configure turns on internal TLS (RPC, blob, data) under a CA of its own, with private stores', () => {
  const files = flinkInternalTlsFiles(ctx);
  const rest = flinkRestTlsFiles(ctx);
  // Neither the platform's CA nor the Flink REST CA: a REST client certificate does not open RPC.
  expect(readFileSync(join(files.dir, 'ca.pem'), 'utf8')).not.toBe(readFileSync(rest.caFile, 'utf8'));
  for (const file of [files.keystoreFile, files.truststoreFile, join(files.dir, 'ca.key')])
    expect({ file, mode: statSync(file).mode & 0o077 }).toEqual({ file, mode: 0 });
  const password = ctx.secrets.read(FLINK_INTERNAL_STORE_SECRET)!;
  expect(password).not.toBe(ctx.secrets.read(FLINK_REST_STORE_SECRET));
  const yaml = parse(readFileSync(join(flinkConfDir(ctx), 'config.yaml'), 'utf8')) as {
    security: { ssl: { internal: Record<string, unknown> } };
  };
  expect(yaml.security.ssl.internal).toEqual({
    enabled: true,
    ...pkcs12Stores(files, password),
  });
});

test('platform env names the CA, certificate and key files, never their contents', () => {
  ctx.secrets.ensure('kafka/admin');
  const files = flinkRestTlsFiles(ctx);
  const vars = clientEnvironment(ctx);
  expect(vars).toMatchObject({
    SLUICE_FLINK_REST_URL: 'https://127.0.0.1:29120',
    SLUICE_SQL_GATEWAY_URL: 'https://127.0.0.1:29121',
    SLUICE_FLINK_CA_FILE: files.caFile,
    SLUICE_FLINK_CERT_FILE: files.clientCertFile,
    SLUICE_FLINK_KEY_FILE: files.clientKeyFile,
  });
  const text = exportLines(vars);
  expect(text).not.toContain('PRIVATE KEY');
  expect(text).not.toContain(ctx.secrets.read(FLINK_REST_STORE_SECRET)!);
});

describe('tlsFetch against a server that asks for a client certificate', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const files = flinkRestTlsFiles(ctx);
    server = createServer(
      {
        key: readFileSync(join(files.dir, 'flink-rest.key')),
        cert: readFileSync(join(files.dir, 'flink-rest.crt')),
        ca: readFileSync(files.caFile),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ method: req.method }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/overview`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('without the certificate the handshake fails; with it the answer is a Response', async () => {
    const tls = flinkClientTls(ctx);
    await expect(tlsFetch(url, {}, { ca: tls.ca })).rejects.toThrow();
    const response = await tlsFetch(url, { method: 'PATCH' }, tls); // positive control
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ method: 'PATCH' });
  });
});
