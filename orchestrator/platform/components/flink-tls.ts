/**
 * Flink's REST APIs (the JobManager's and the SQL Gateway's) ask for a client certificate: Flink's REST
 * SSL with mutual authentication (docs/decisions/0019-flink-control-plane-auth.md). The certificates have
 * their own CA, `certs/flink-rest/ca.pem`, not the platform's: Flink accepts any client certificate its
 * truststore's CA signed, so a Kafka broker's certificate (signed by the platform CA) must not open it.
 *
 * - `flink-rest`: the Flink processes' own certificate, in a PKCS12 keystore. The JobManager and the
 *   gateway serve with it, and the gateway (submitting jobs) and Flink's SQL client present it.
 * - `flink-client`: the certificate Sluice's Node clients and a user's curl present (PEM cert and key).
 *
 * The stores' password is a generated secret (`flink/rest-store`); openssl and keytool read it from its
 * file, so it is on no command line. Private keys and stores are mode 0600.
 */
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../../lib/errors';
import type { ClientTls } from '../../../lib/tls-fetch';
import { ensureCertificateAuthority, ensureServerCertificate, tlsHosts, type CertificateAuthority } from '../certs';
import { envOf, type PlatformContext } from '../component';
import { run } from '../processes';

export const FLINK_REST_STORE_SECRET = 'flink/rest-store';
const SERVER = 'flink-rest';
const CLIENT = 'flink-client';

export interface FlinkRestTlsFiles {
  dir: string;
  /** The Flink REST CA (PEM): what a client trusts the servers with. */
  caFile: string;
  /** PKCS12: the Flink processes' key and certificate. */
  keystoreFile: string;
  /** PKCS12: the Flink REST CA, the only issuer whose client certificates Flink accepts. */
  truststoreFile: string;
  /** PEM: the client certificate and key of Sluice's clients and a user's shell. */
  clientCertFile: string;
  clientKeyFile: string;
}

export function flinkRestTlsFiles(ctx: PlatformContext): FlinkRestTlsFiles {
  const dir = join(ctx.paths.certs, 'flink-rest');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    keystoreFile: join(dir, `${SERVER}.p12`),
    truststoreFile: join(dir, 'truststore.p12'),
    clientCertFile: join(dir, `${CLIENT}.crt`),
    clientKeyFile: join(dir, `${CLIENT}.key`),
  };
}

async function tool(command: string, args: string[], cwd: string): Promise<void> {
  const result = await run(command, args, { cwd });
  if (result.code !== 0)
    throw new SluiceError(
      'SLUICE_COMPONENT_START_FAILED',
      `${command} ${args[0]} failed (Flink REST certificates): ${result.stderr.trim()}`,
    );
}

/** Makes the CA, both certificates and the two PKCS12 stores; reuses what exists. */
export async function ensureFlinkRestTls(ctx: PlatformContext): Promise<FlinkRestTlsFiles> {
  const files = flinkRestTlsFiles(ctx);
  const hosts = tlsHosts(envOf(ctx));
  const ca = await ensureStores(ctx, { ...files, server: SERVER, secret: FLINK_REST_STORE_SECRET });
  await ensureServerCertificate(files.dir, ca, CLIENT, hosts);
  return files;
}

/**
 * A CA of its own in `dir`, a certificate `server` for the platform's host names signed by it, a PKCS12
 * keystore with both and a PKCS12 truststore with the CA alone, under the password `secret`; the CA.
 */
async function ensureStores(
  ctx: PlatformContext,
  files: { dir: string; keystoreFile: string; truststoreFile: string; server: string; secret: string },
): Promise<CertificateAuthority> {
  ctx.secrets.ensure(files.secret);
  const passFile = ctx.secrets.pathOf(files.secret);
  const ca = await ensureCertificateAuthority(files.dir);
  const server = await ensureServerCertificate(files.dir, ca, files.server, tlsHosts(envOf(ctx)));
  if (!existsSync(files.keystoreFile)) {
    await tool(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-name',
        files.server,
        '-in',
        server.certFile,
        '-inkey',
        server.keyFile,
        '-certfile',
        ca.certFile,
        '-out',
        files.keystoreFile,
        '-passout',
        `file:${passFile}`,
      ],
      files.dir,
    );
    chmodSync(files.keystoreFile, 0o600);
  }
  if (!existsSync(files.truststoreFile)) {
    await tool(
      'keytool',
      [
        '-importcert',
        '-noprompt',
        '-alias',
        `${files.server}-ca`,
        '-file',
        ca.certFile,
        '-keystore',
        files.truststoreFile,
        '-storetype',
        'PKCS12',
        '-storepass:file',
        passFile,
      ],
      files.dir,
    ).catch((e: unknown) => {
      rmSync(files.truststoreFile, { force: true });
      throw e;
    });
    chmodSync(files.truststoreFile, 0o600);
  }
  return ca;
}

/**
 * Flink's internal connections (Pekko RPC between JobManager and TaskManagers, the blob server, the
 * data exchange) speak TLS with mutual authentication under a CA of their own, `certs/flink-internal`:
 * neither a Flink REST client certificate nor a platform one opens them, only the Flink processes' own.
 */
export const FLINK_INTERNAL_STORE_SECRET = 'flink/internal-store';

export function flinkInternalTlsFiles(ctx: PlatformContext): {
  dir: string;
  keystoreFile: string;
  truststoreFile: string;
} {
  const dir = join(ctx.paths.certs, 'flink-internal');
  return { dir, keystoreFile: join(dir, 'flink-internal.p12'), truststoreFile: join(dir, 'truststore.p12') };
}

export async function ensureFlinkInternalTls(ctx: PlatformContext): Promise<void> {
  await ensureStores(ctx, {
    ...flinkInternalTlsFiles(ctx),
    server: 'flink-internal',
    secret: FLINK_INTERNAL_STORE_SECRET,
  });
}

/** Flink's `security.ssl.internal.*` options (config.yaml, mode 0600). */
export function flinkInternalSslOptions(ctx: PlatformContext): Record<string, string> {
  const files = flinkInternalTlsFiles(ctx);
  return {
    internalKeystore: files.keystoreFile,
    internalTruststore: files.truststoreFile,
    internalStorePassword: ctx.secrets.ensure(FLINK_INTERNAL_STORE_SECRET),
  };
}

/** What a Node client presents to Flink's REST APIs; the files exist once Flink was configured. */
export function flinkClientTls(ctx: PlatformContext): ClientTls {
  const files = flinkRestTlsFiles(ctx);
  if (!existsSync(files.clientKeyFile))
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      `no Flink REST client certificate in ${files.dir}: Flink of ${ctx.paths.home} was never started`,
      { fix: 'start the platform: npm start (or npx sluice platform up); configuring Flink makes the certificates' },
    );
  return {
    ca: readFileSync(files.caFile, 'utf8'),
    cert: readFileSync(files.clientCertFile, 'utf8'),
    key: readFileSync(files.clientKeyFile, 'utf8'),
  };
}

/** Flink's `security.ssl.rest.*` options (config.yaml, mode 0600). */
export function flinkRestSslOptions(ctx: PlatformContext): Record<string, string> {
  const files = flinkRestTlsFiles(ctx);
  const password = ctx.secrets.ensure(FLINK_REST_STORE_SECRET);
  return {
    restKeystore: files.keystoreFile,
    restTruststore: files.truststoreFile,
    restStorePassword: password,
  };
}
