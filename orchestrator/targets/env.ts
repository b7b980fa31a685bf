/**
 * `sluice platform env --target NAME`: the variables `platform env` prints for the local platform, for a
 * cluster of the targets file. Secrets stay in their files: the variables name the files, and the kcat
 * and Java client configs (which hold the Kafka password, as the local platform's do) are written mode
 * 0600 under `<clientsDir>/targets/<target>/<user>/`.
 */
import { join } from 'node:path';
import { writeKafkaClientFiles, type ClientIdentity } from '../platform/client-env';
import { registryApis, type Target } from './target';

/** The export variables of `identity` on a file target (the admin identity: the entry's own users). */
export function targetClientEnvironment(
  target: Target,
  identity: ClientIdentity | undefined,
  clientsDir: string,
): Record<string, string> {
  const s = target.settings;
  const admin = identity === undefined;
  const user = identity?.user ?? s.kafka.user;
  const passwordFile = identity ? target.secrets.pathOf(identity.secret) : s.kafka.passwordFile;
  const password = identity
    ? target.secret(identity.secret)
    : target.credential(s.kafka.passwordFile, 'kafka.passwordFile');
  const bootstrapServers = s.kafka.bootstrapServers.join(',');
  const files = writeKafkaClientFiles(join(clientsDir, 'targets', target.name, user), {
    bootstrapServers,
    caFile: s.kafka.caFile,
    user,
    password,
  });
  return {
    SLUICE_TARGET: target.name,
    SLUICE_BOOTSTRAP_SERVERS: bootstrapServers,
    SLUICE_CA_FILE: s.kafka.caFile,
    SLUICE_KAFKA_USER: user,
    SLUICE_KAFKA_PASSWORD_FILE: passwordFile,
    SLUICE_KCAT_CONFIG: files.kcatConfig,
    SLUICE_JAVA_CLIENT_CONFIG: files.javaClientConfig,
    SLUICE_REGISTRY_URL: registryApis(s.registry.url).ccompat,
    // As for the local platform: only the admin identity gets the servers' admin credentials.
    ...(admin ? { SLUICE_REGISTRY_USER: s.registry.user, SLUICE_REGISTRY_PASSWORD_FILE: s.registry.passwordFile } : {}),
    ...(s.flink
      ? {
          SLUICE_SQL_GATEWAY_URL: s.flink.gatewayUrl,
          SLUICE_FLINK_REST_URL: s.flink.restUrl,
          ...(admin
            ? {
                SLUICE_FLINK_CA_FILE: s.flink.caFile,
                SLUICE_FLINK_CERT_FILE: s.flink.certFile,
                SLUICE_FLINK_KEY_FILE: s.flink.keyFile,
              }
            : {}),
        }
      : {}),
    ...(s.connect
      ? {
          SLUICE_CONNECT_URL: s.connect.url,
          ...(admin
            ? { SLUICE_CONNECT_USER: s.connect.user, SLUICE_CONNECT_PASSWORD_FILE: s.connect.passwordFile }
            : {}),
        }
      : {}),
    ...(s.monitoring
      ? {
          SLUICE_PROMETHEUS_URL: s.monitoring.prometheusUrl,
          SLUICE_ALERTMANAGER_URL: s.monitoring.alertmanagerUrl,
          ...(admin
            ? { SLUICE_MONITORING_USER: s.monitoring.user, SLUICE_MONITORING_PASSWORD_FILE: s.monitoring.passwordFile }
            : {}),
        }
      : {}),
    ...(admin && s.cassandra
      ? {
          SLUICE_CASSANDRA_CONTACT_POINT: s.cassandra.contactPoint,
          SLUICE_CASSANDRA_USER: s.cassandra.user,
          SLUICE_CASSANDRA_PASSWORD_FILE: s.cassandra.passwordFile,
        }
      : {}),
    ...(admin && s.influxdb
      ? {
          SLUICE_INFLUX_URL: s.influxdb.url,
          SLUICE_INFLUX_USER: s.influxdb.user,
          SLUICE_INFLUX_PASSWORD_FILE: s.influxdb.passwordFile,
        }
      : {}),
  };
}
