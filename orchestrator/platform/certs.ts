/**
 * A private CA and one certificate per server, made with openssl on first run and kept under the data
 * dir. Certificates carry SANs for localhost and 127.0.0.1 (plus SLUICE_TLS_HOSTS), so clients keep
 * hostname verification on. Servers get a PEM "keystore" (PKCS#8 key + chain), a format that Kafka,
 * Java clients and librdkafka all read; private keys are mode 0600.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import { run } from './processes';

export interface CertificateAuthority {
  certFile: string;
  keyFile: string;
}

export interface ServerCertificate {
  name: string;
  certFile: string;
  keyFile: string;
  /** Key, certificate and CA in one PEM file (Kafka's `ssl.keystore.type=PEM`). */
  keystoreFile: string;
}

const DAYS_CA = 3650;
const DAYS_SERVER = 825;

async function openssl(args: string[], cwd: string): Promise<void> {
  const result = await run('openssl', args, { cwd });
  if (result.code !== 0) {
    throw new SluiceError('SLUICE_COMPONENT_START_FAILED', `openssl ${args[0]} failed: ${result.stderr.trim()}`);
  }
}

export function tlsHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.SLUICE_TLS_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return [...new Set(['localhost', '127.0.0.1', ...extra])];
}

export async function ensureCertificateAuthority(dir: string): Promise<CertificateAuthority> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key') };
  if (existsSync(ca.certFile) && existsSync(ca.keyFile)) return ca;
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-keyout',
      ca.keyFile,
      '-out',
      ca.certFile,
      '-days',
      String(DAYS_CA),
      '-subj',
      '/O=Sluice/CN=Sluice Local CA',
    ],
    dir,
  );
  chmodSync(ca.keyFile, 0o600);
  return ca;
}

/** A certificate for `name` (its CN, also the mTLS principal), signed by the CA; reused when present. */
export async function ensureServerCertificate(
  dir: string,
  ca: CertificateAuthority,
  name: string,
  hosts = tlsHosts(),
): Promise<ServerCertificate> {
  const cert: ServerCertificate = {
    name,
    certFile: join(dir, `${name}.crt`),
    keyFile: join(dir, `${name}.key`),
    keystoreFile: join(dir, `${name}.keystore.pem`),
  };
  if (existsSync(cert.keystoreFile)) return cert;
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(
    ext,
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
  );
  await openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', cert.keyFile, '-out', csr, '-subj', `/O=Sluice/CN=${name}`],
    dir,
  );
  chmodSync(cert.keyFile, 0o600);
  await openssl(
    [
      'x509',
      '-req',
      '-sha256',
      '-in',
      csr,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-out',
      cert.certFile,
      '-days',
      String(DAYS_SERVER),
      '-extfile',
      ext,
    ],
    dir,
  );
  const pkcs8 = join(dir, `${name}.p8`);
  await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', cert.keyFile, '-out', pkcs8], dir);
  writeFileSync(cert.keystoreFile, [pkcs8, cert.certFile, ca.certFile].map((f) => readFileSync(f, 'utf8')).join(''), {
    mode: 0o600,
  });
  for (const tmp of [csr, ext, pkcs8]) rmSync(tmp, { force: true });
  return cert;
}
