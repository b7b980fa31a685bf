/**
 * What a client needs to reach the platform: `export` lines for a shell, and ready-made config files
 * for clients Sluice did not write (kcat/librdkafka, Kafka's Java CLI tools). Passwords go only into
 * files of mode 0600; the export lines name those files and never contain a secret.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kcatWrapperPath, toolsBinDir } from './client-tools';
import type { PlatformContext } from './component';
import { flinkRestUrl, sqlGatewayUrl } from './components/flink';
import { flinkRestTlsFiles } from './components/flink-tls';
import { CONNECT_ADMIN_SECRET, CONNECT_ADMIN_USER, connectUrl } from './components/connect';
import { MONITORING_SECRET, MONITORING_USER, alertmanagerUrl, prometheusUrl } from './components/monitoring';
import { CASSANDRA_ADMIN_SECRET, CASSANDRA_ADMIN_USER, cassandraContactPoint } from './components/cassandra';
import { INFLUX_ADMIN_SECRET, INFLUX_ADMIN_USER, influxUrl, writeInfluxTokenFile } from './components/influxdb';
import { DEFAULT_CASSANDRA_KEYSPACE, DEFAULT_INFLUX_DATABASE } from '../spec/defaults';
import { ADMIN_SECRET, ADMIN_USER, bootstrapServers, caFile } from './components/kafka';
import { REGISTRY_ADMIN_SECRET, REGISTRY_ADMIN_USER, registryUrl } from './components/registry';
import { writePrivateFile } from '../lib/secrets';

export interface ClientIdentity {
  user: string;
  /** Secret name in the store (`kafka/admin`, `users/<principal>`). */
  secret: string;
}

export const adminIdentity: ClientIdentity = { user: ADMIN_USER, secret: ADMIN_SECRET };

export function principalIdentity(principal: string): ClientIdentity {
  return { user: principal, secret: `users/${principal}` };
}

export interface ClientFiles {
  kcatConfig: string;
  javaClientConfig: string;
  passwordFile: string;
}

/** Writes the kcat and Java client configs of `identity`; throws if its password was never created. */
export function writeClientConfigs(ctx: PlatformContext, identity: ClientIdentity): ClientFiles {
  const password = ctx.secrets.read(identity.secret);
  if (password === undefined) {
    throw new Error(`no password for ${identity.user}: apply a pipeline that declares it (npm run deploy-pipeline)`);
  }
  const files = writeKafkaClientFiles(join(ctx.paths.clients, identity.user), {
    bootstrapServers: bootstrapServers(ctx),
    caFile: caFile(ctx),
    user: identity.user,
    password,
  });
  return { ...files, passwordFile: ctx.secrets.pathOf(identity.secret) };
}

/** The kcat (librdkafka) and Java client configs of a Kafka user, mode 0600, in `dir`. */
export function writeKafkaClientFiles(
  dir: string,
  login: { bootstrapServers: string; caFile: string; user: string; password: string },
): Omit<ClientFiles, 'passwordFile'> {
  const { bootstrapServers: servers, caFile: ca, user, password } = login;
  const kcatConfig = join(dir, 'kcat.properties');
  writePrivateFile(
    kcatConfig,
    [
      '# librdkafka settings: kcat -F <this file> …',
      `bootstrap.servers=${servers}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanisms=SCRAM-SHA-512',
      `sasl.username=${user}`,
      `sasl.password=${password}`,
      `ssl.ca.location=${ca}`,
      'ssl.endpoint.identification.algorithm=https',
      '',
    ].join('\n'),
  );
  const javaClientConfig = join(dir, 'client.properties');
  writePrivateFile(
    javaClientConfig,
    [
      '# Java client settings: kafka-topics.sh --command-config <this file> …',
      `bootstrap.servers=${servers}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${ca}`,
      'ssl.endpoint.identification.algorithm=https',
      '',
    ].join('\n'),
  );
  return { kcatConfig, javaClientConfig };
}

/** The variables a Sluice service or a shell needs, for `identity`. */
export function clientEnvironment(
  ctx: PlatformContext,
  identity: ClientIdentity = adminIdentity,
): Record<string, string> {
  const files = writeClientConfigs(ctx, identity);
  const flinkTls = flinkRestTlsFiles(ctx);
  return {
    SLUICE_HOME: ctx.paths.home,
    SLUICE_BOOTSTRAP_SERVERS: bootstrapServers(ctx),
    SLUICE_CA_FILE: caFile(ctx),
    SLUICE_KAFKA_USER: identity.user,
    SLUICE_KAFKA_PASSWORD_FILE: files.passwordFile,
    SLUICE_KCAT_CONFIG: files.kcatConfig,
    SLUICE_JAVA_CLIENT_CONFIG: files.javaClientConfig,
    SLUICE_KCAT: kcatWrapperPath(ctx),
    // Reads are anonymous; only the admin identity gets the registry's write credentials.
    SLUICE_REGISTRY_URL: registryUrl(ctx),
    ...(identity === adminIdentity && ctx.secrets.read(REGISTRY_ADMIN_SECRET) !== undefined
      ? {
          SLUICE_REGISTRY_USER: REGISTRY_ADMIN_USER,
          SLUICE_REGISTRY_PASSWORD_FILE: ctx.secrets.pathOf(REGISTRY_ADMIN_SECRET),
        }
      : {}),
    // Flink's REST API and the SQL Gateway ask for a client certificate (decision 0019): the paths of
    // the Flink REST CA and of the client's certificate and key (mode 0600), once Flink has made them.
    SLUICE_SQL_GATEWAY_URL: sqlGatewayUrl(ctx),
    SLUICE_FLINK_REST_URL: flinkRestUrl(ctx),
    ...(identity === adminIdentity && existsSync(flinkTls.clientKeyFile)
      ? {
          SLUICE_FLINK_CA_FILE: flinkTls.caFile,
          SLUICE_FLINK_CERT_FILE: flinkTls.clientCertFile,
          SLUICE_FLINK_KEY_FILE: flinkTls.clientKeyFile,
        }
      : {}),
    // Kafka Connect's REST API needs Basic credentials for every request: the admin identity gets them.
    SLUICE_CONNECT_URL: connectUrl(ctx),
    ...(identity === adminIdentity && ctx.secrets.read(CONNECT_ADMIN_SECRET) !== undefined
      ? {
          SLUICE_CONNECT_USER: CONNECT_ADMIN_USER,
          SLUICE_CONNECT_PASSWORD_FILE: ctx.secrets.pathOf(CONNECT_ADMIN_SECRET),
        }
      : {}),
    // Both ask for Basic credentials (their web config): the admin identity gets them.
    SLUICE_PROMETHEUS_URL: prometheusUrl(ctx),
    SLUICE_ALERTMANAGER_URL: alertmanagerUrl(ctx),
    ...(identity === adminIdentity && ctx.secrets.read(MONITORING_SECRET) !== undefined
      ? {
          SLUICE_MONITORING_USER: MONITORING_USER,
          SLUICE_MONITORING_PASSWORD_FILE: ctx.secrets.pathOf(MONITORING_SECRET),
        }
      : {}),
    // The databases' admin identity (docs/guides/storage.md); the service users' passwords stay in the secret store.
    ...(identity === adminIdentity ? storageEnvironment(ctx) : {}),
  };
}

/** Cassandra's and InfluxDB's admin credentials, for those that have been started (their secrets exist). */
function storageEnvironment(ctx: PlatformContext): Record<string, string> {
  const vars: Record<string, string> = {};
  if (ctx.secrets.read(CASSANDRA_ADMIN_SECRET) !== undefined) {
    Object.assign(vars, {
      SLUICE_CASSANDRA_CONTACT_POINT: cassandraContactPoint(ctx),
      SLUICE_CASSANDRA_USER: CASSANDRA_ADMIN_USER,
      SLUICE_CASSANDRA_PASSWORD_FILE: ctx.secrets.pathOf(CASSANDRA_ADMIN_SECRET),
      SLUICE_CASSANDRA_KEYSPACE: DEFAULT_CASSANDRA_KEYSPACE,
    });
  }
  if (ctx.secrets.read(INFLUX_ADMIN_SECRET) !== undefined) {
    Object.assign(vars, {
      SLUICE_INFLUX_URL: influxUrl(ctx),
      SLUICE_INFLUX_USER: INFLUX_ADMIN_USER,
      SLUICE_INFLUX_PASSWORD_FILE: ctx.secrets.pathOf(INFLUX_ADMIN_SECRET),
      SLUICE_INFLUX_DATABASE: DEFAULT_INFLUX_DATABASE,
      // @influxdata/influxdb-client's token for InfluxDB 1.x is `user:password`.
      SLUICE_INFLUX_TOKEN_FILE: writeInfluxTokenFile(ctx, INFLUX_ADMIN_USER, INFLUX_ADMIN_SECRET),
    });
  }
  return vars;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `export` lines; the tools dir goes first on PATH so that `kcat` is the wrapper. Each `X_PASSWORD_FILE`
 * (and `X_TOKEN_FILE`) also gives `X_PASSWORD` (`X_TOKEN`), read from the file by the shell that evaluates the lines: the shell gets the
 * password, while the printed text (terminals, CI logs) never contains it.
 */
export function exportLines(vars: Record<string, string>, binDir?: string): string {
  const lines = Object.entries(vars).flatMap(([k, v]) => [
    `export ${k}=${shellQuote(v)}`,
    ...(k.endsWith('_PASSWORD_FILE') || k.endsWith('_TOKEN_FILE')
      ? [`export ${k.slice(0, -'_FILE'.length)}="$(cat ${shellQuote(v)})"`]
      : []),
  ]);
  if (binDir) lines.push(`export PATH=${shellQuote(binDir)}:"$PATH"`);
  return lines.join('\n');
}

export { toolsBinDir };
