/**
 * How `sluice query` and `sluice sql` reach Kafka and the registry: as the read-only principal
 * `sluice-query` (pipeline.yaml: Read on every topic a SQL table names, nothing else), never as the jobs'
 * `sluice-flink`, and with the registry's anonymous reads (docs/decisions/0018-query-principal.md).
 *
 * Flink's processes log in as sluice-flink through the JVM's JAAS file; a query's Kafka tables override
 * that with `properties.sasl.jaas.config`, whose value Kafka's FileConfigProvider reads from a 0600 file at
 * connect time. The table options hold only the file's path: no password is in the statements, the SQL
 * shell's init file, the gateway's session, `SHOW CREATE TABLE` or the job's configuration.
 */
import { join } from 'node:path';
import { SluiceError } from '../../../lib/errors';
import { writePrivateFile } from '../../lib/secrets';
import { HttpFlinkAdmin } from '../../clients/flink';
import type { PlatformContext } from '../component';
import { flinkClientTls } from './flink-tls';
import { flinkAdmin, flinkConfDir, flinkRestUrl, option, sqlGatewayUrl, sqlPlaceholders } from './flink';
import { registryUrl } from './registry';

export const QUERY_KAFKA_USER = 'sluice-query';
export const QUERY_KAFKA_SECRET = `users/${QUERY_KAFKA_USER}`;

/** The Kafka client classes are shaded inside flink-sql-connector-kafka. */
const KAFKA = 'org.apache.flink.kafka.shaded.org.apache.kafka';
/** The config provider's alias in the table options (`${sluice:<file>:<key>}`). */
const PROVIDER = 'sluice';

export function queryLoginFile(ctx: PlatformContext): string {
  return join(flinkConfDir(ctx), 'query-login.properties');
}

/** The JAAS line of the query principal, as a properties file (base64url passwords need no escaping). */
export function queryLogin(user: string, password: string): string {
  if (!/^[\w-]+$/.test(password)) throw new Error(`the password of ${user} has characters a JAAS line cannot hold`);
  return `sasl.jaas.config=${KAFKA}.common.security.scram.ScramLoginModule required username="${user}" password="${password}";\n`;
}

/**
 * Writes the query principal's login file (mode 0600, beside Flink's own JAAS file). Its secret exists
 * once deploy-pipeline has created the principal declared in pipeline.yaml.
 */
export function writeQueryLogin(ctx: PlatformContext): void {
  const password = ctx.secrets.read(QUERY_KAFKA_SECRET);
  if (password === undefined)
    throw new SluiceError(
      'SLUICE_SQL_FAILED',
      `the query principal ${QUERY_KAFKA_USER} has no password in ${ctx.paths.home} (secret ${QUERY_KAFKA_SECRET})`,
      {
        fix: `declare ${QUERY_KAFKA_USER} under principals (as pipeline.yaml does) and run npx sluice deploy-pipeline`,
      },
    );
  writePrivateFile(queryLoginFile(ctx), queryLogin(QUERY_KAFKA_USER, password));
}

/**
 * What `${NAME}` stands for in a query session: the jobs' connection with the query principal's login,
 * the registry without credentials (reads are anonymous; a query registers nothing), the same sink
 * options (unused by a read, kept so that every table statement stays valid).
 */
export function sqlQueryPlaceholders(ctx: PlatformContext): Record<string, string> {
  return querySqlPlaceholders(sqlPlaceholders(ctx), registryUrl(ctx), queryLoginFile(ctx));
}

/** sqlQueryPlaceholders of any cluster: its jobs' placeholders, its registry, the login file as Flink sees it. */
export function querySqlPlaceholders(
  jobs: Readonly<Record<string, string>>,
  registry: string,
  loginFile: string,
): Record<string, string> {
  return {
    KAFKA: [
      jobs.KAFKA!,
      option('properties.config.providers', PROVIDER),
      option(`properties.config.providers.${PROVIDER}.class`, `${KAFKA}.common.config.provider.FileConfigProvider`),
      option('properties.sasl.jaas.config', `\${${PROVIDER}:${loginFile}:sasl.jaas.config}`),
    ].join(',\n  '),
    // The jobs' format (decision 0017): a query skips an undecodable record too, and the dead-letter
    // tables' 'emit' option stays valid.
    REGISTRY: [
      option('value.format', 'sluice-avro-confluent'),
      option('value.sluice-avro-confluent.url', registry),
    ].join(',\n  '),
    EXACTLY_ONCE: jobs.EXACTLY_ONCE!,
  };
}

/** The Flink client of queries; undefined when this platform's JobManager is not running. */
export function flinkQueryAdmin(ctx: PlatformContext): HttpFlinkAdmin | undefined {
  if (!flinkAdmin(ctx)) return undefined;
  return new HttpFlinkAdmin({
    restUrl: flinkRestUrl(ctx),
    gatewayUrl: sqlGatewayUrl(ctx),
    placeholders: sqlQueryPlaceholders(ctx),
    tls: flinkClientTls(ctx),
    log: ctx.log,
    savepointsFile: join(ctx.paths.state, 'flink-savepoints.json'),
  });
}
