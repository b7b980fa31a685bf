/**
 * A target: the cluster a command works on, as connection settings (URLs, users, files), never as the
 * launcher's components. Two kinds:
 * - `local`, the default: the platform of SLUICE_HOME, whose pid files say which servers run and whose
 *   secret store holds every password (what deploy-pipeline always did);
 * - `file`: an entry of a targets file (schema.ts), for a cluster anywhere; no pid file is looked at,
 *   and each password is read from the file the entry names.
 * Clients are made from a target in clients.ts.
 */
import { relative, isAbsolute, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SluiceError } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import { fileSecretStore, type SecretStore } from '../lib/secrets';
import { assertKafkaRunning } from '../platform/admin';
import { pidFileOf, type PlatformContext } from '../platform/component';
import {
  CASSANDRA_ADMIN_SECRET,
  CASSANDRA_ADMIN_USER,
  CASSANDRA_CONNECT_SECRET,
  CASSANDRA_CONNECT_USER,
  cassandraContactPoint,
} from '../platform/components/cassandra';
import { CONNECT_ADMIN_SECRET, CONNECT_ADMIN_USER, connectUrl } from '../platform/components/connect';
import { flinkRestUrl, sqlGatewayUrl } from '../platform/components/flink';
import { queryLoginFile, writeQueryLogin } from '../platform/components/flink-query';
import { flinkRestTlsFiles } from '../platform/components/flink-tls';
import {
  INFLUX_ADMIN_SECRET,
  INFLUX_ADMIN_USER,
  INFLUX_WRITER_SECRET,
  INFLUX_WRITER_USER,
  influxUrl,
} from '../platform/components/influxdb';
import { ADMIN_SECRET, ADMIN_USER, bootstrapServers, caFile } from '../platform/components/kafka';
import { MONITORING_SECRET, MONITORING_USER, alertmanagerUrl, prometheusUrl } from '../platform/components/monitoring';
import { REGISTRY_ADMIN_SECRET, REGISTRY_ADMIN_USER } from '../platform/components/registry';
import { connectorPlaceholders as localConnectorPlaceholders } from '../platform/connector-env';
import { runningPid } from '../platform/processes';
import { LOCAL_TARGET, type TargetEntry } from './schema';
import { findTarget, loadTargetsFile, readSecretFile } from './targets-file';

export interface Target {
  /** `local`, or the entry's name. */
  name: string;
  kind: 'local' | 'file';
  /** Where the settings come from: the platform's data dir, or the targets file. */
  origin: string;
  /** The connection settings, every path absolute. */
  settings: TargetEntry;
  /** Which servers besides Kafka and the registry to talk to: the local platform's running ones, or the entry's sections. */
  runs: { flink: boolean; connect: boolean; cassandra: boolean; influxdb: boolean };
  /** The pipeline's secrets (principals' passwords): deploy-pipeline reads and writes them here. */
  secrets: SecretStore;
  /** A secret of the pipeline's by its name in `secrets` (`registry/sluice-flink`); refused when there is none. */
  secret(name: string): string;
  /** A password or key in a file the settings name (`what`: which setting, for the error). */
  credential(file: string, what: string): string;
  /** Refuses, with what to do, when Kafka cannot be reached this way (the local platform: no broker runs). */
  assertKafka(): void;
  /** The values of the connectors' `${NAME}` placeholders (platform/connector-env.ts). */
  connectorPlaceholders(): Record<string, string>;
  /** Makes what the query principal's Flink tables read (the local platform writes its login file). */
  prepareQuery(): void;
  log: Logger;
}

/** The registry's two APIs under its base URL. */
export function registryApis(baseUrl: string): { ccompat: string; v2: string } {
  const base = baseUrl.replace(/\/+$/, '');
  return { ccompat: `${base}/apis/ccompat/v7`, v2: `${base}/apis/registry/v2` };
}

/** The local platform as a targets-file entry: what `sluice platform env --write-target` writes. */
export function localTargetEntry(ctx: PlatformContext): TargetEntry {
  const secret = (name: string) => ctx.secrets.pathOf(name);
  const tls = flinkRestTlsFiles(ctx);
  return {
    description: `the local platform of ${ctx.paths.home} (port base ${ctx.ports.base})`,
    kafka: {
      bootstrapServers: bootstrapServers(ctx).split(','),
      user: ADMIN_USER,
      passwordFile: secret(ADMIN_SECRET),
      caFile: caFile(ctx),
    },
    registry: {
      url: `http://${ctx.host}:${ctx.ports.registry}`,
      user: REGISTRY_ADMIN_USER,
      passwordFile: secret(REGISTRY_ADMIN_SECRET),
    },
    connect: { url: connectUrl(ctx), user: CONNECT_ADMIN_USER, passwordFile: secret(CONNECT_ADMIN_SECRET) },
    flink: {
      restUrl: flinkRestUrl(ctx),
      gatewayUrl: sqlGatewayUrl(ctx),
      caFile: tls.caFile,
      certFile: tls.clientCertFile,
      keyFile: tls.clientKeyFile,
      kafkaCaFile: caFile(ctx),
      queryLoginFile: queryLoginFile(ctx),
    },
    cassandra: {
      contactPoint: cassandraContactPoint(ctx),
      // One node with SimpleSnitch: its datacenter is always `datacenter1`.
      datacenter: 'datacenter1',
      user: CASSANDRA_ADMIN_USER,
      passwordFile: secret(CASSANDRA_ADMIN_SECRET),
    },
    influxdb: { url: influxUrl(ctx), user: INFLUX_ADMIN_USER, passwordFile: secret(INFLUX_ADMIN_SECRET) },
    monitoring: {
      prometheusUrl: prometheusUrl(ctx),
      alertmanagerUrl: alertmanagerUrl(ctx),
      user: MONITORING_USER,
      passwordFile: secret(MONITORING_SECRET),
    },
    secretsDir: ctx.paths.secrets,
    stateDir: ctx.paths.state,
    clientFilesDir: ctx.paths.clients,
  };
}

/** The local platform: settings from SLUICE_HOME and the port map, servers that run by their pid files. */
export function localTarget(ctx: PlatformContext): Target {
  const running = (name: string) => runningPid(pidFileOf(ctx, name), name, ctx.paths.home) !== undefined;
  return {
    name: LOCAL_TARGET,
    kind: 'local',
    origin: ctx.paths.home,
    settings: localTargetEntry(ctx),
    runs: {
      flink: running('flink-jobmanager'),
      connect: running('connect'),
      cassandra: running('cassandra'),
      influxdb: running('influxdb'),
    },
    secrets: ctx.secrets,
    // The platform's own secrets are made on first need, as its components always did.
    secret: (name) => ctx.secrets.ensure(name),
    credential: (file) => {
      const name = relative(ctx.paths.secrets, file);
      return !name.startsWith('..') && !isAbsolute(name) ? ctx.secrets.ensure(name) : readFileSync(file, 'utf8');
    },
    assertKafka: () => {
      assertKafkaRunning(ctx);
      if (ctx.secrets.read(ADMIN_SECRET) === undefined) {
        throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `no admin password in ${ctx.paths.secrets}`, {
          fix: 'run: npx sluice platform up',
        });
      }
    },
    connectorPlaceholders: () => localConnectorPlaceholders(ctx),
    prepareQuery: () => writeQueryLogin(ctx),
    log: ctx.log,
  };
}

/** The connectors' placeholders of a cluster reached by a targets-file entry (the local platform's names). */
function fileConnectorPlaceholders(target: Target): Record<string, string> {
  const s = target.settings;
  const registry = registryApis(s.registry.url);
  return {
    SLUICE_BOOTSTRAP_SERVERS: s.kafka.bootstrapServers.join(','),
    SLUICE_CA_FILE: s.kafka.caFile,
    SLUICE_KAFKA_USER: s.kafka.user,
    SLUICE_REGISTRY_URL: registry.ccompat,
    SLUICE_REGISTRY_V2_URL: registry.v2,
    ...(s.flink ? { SLUICE_SQL_GATEWAY_URL: s.flink.gatewayUrl, SLUICE_FLINK_REST_URL: s.flink.restUrl } : {}),
    ...(s.connect ? { SLUICE_CONNECT_URL: s.connect.url } : {}),
    ...(s.monitoring
      ? { SLUICE_PROMETHEUS_URL: s.monitoring.prometheusUrl, SLUICE_ALERTMANAGER_URL: s.monitoring.alertmanagerUrl }
      : {}),
    ...(s.cassandra
      ? {
          SLUICE_CASSANDRA_CONTACT_POINT: s.cassandra.contactPoint,
          SLUICE_CASSANDRA_DATACENTER: s.cassandra.datacenter ?? 'datacenter1',
          SLUICE_CONNECT_CASSANDRA_USER: CASSANDRA_CONNECT_USER,
          SLUICE_CONNECT_CASSANDRA_PASSWORD: target.secret(CASSANDRA_CONNECT_SECRET),
        }
      : {}),
    ...(s.influxdb
      ? {
          SLUICE_INFLUX_URL: s.influxdb.url,
          SLUICE_CONNECT_INFLUX_USER: INFLUX_WRITER_USER,
          SLUICE_CONNECT_INFLUX_PASSWORD: target.secret(INFLUX_WRITER_SECRET),
        }
      : {}),
  };
}

/** The target `name` of a targets file (paths resolved against the file's folder). */
export function fileTarget(file: string, name: string, log: Logger): Target {
  const settings = findTarget(loadTargetsFile(file), name, file);
  const secrets = fileSecretStore(settings.secretsDir);
  const target: Target = {
    name,
    kind: 'file',
    origin: file,
    settings,
    runs: {
      flink: settings.flink !== undefined,
      connect: settings.connect !== undefined,
      cassandra: settings.cassandra !== undefined,
      influxdb: settings.influxdb !== undefined,
    },
    secrets,
    secret: (secretName) => readSecretFile(secrets.pathOf(secretName), `targets.${name}.secretsDir (${secretName})`),
    credential: (path, what) => readSecretFile(path, `targets.${name}.${what}`),
    assertKafka: () => undefined,
    connectorPlaceholders: () => fileConnectorPlaceholders(target),
    prepareQuery: () => {
      if (!settings.flink?.queryLoginFile)
        throw new SluiceError('SLUICE_TARGET_INVALID', `target '${name}' names no flink.queryLoginFile`, {
          path: file,
          fix: `set targets.${name}.flink.queryLoginFile to the query principal's login file on the Flink hosts (docs/decisions/0018-query-principal.md)`,
        });
    },
    log,
  };
  return target;
}

/** Where a target keeps what Sluice manages (`<spec>.json`) and the SQL jobs' savepoints. */
export function stateFileOf(target: Target, name: string): string {
  return join(target.settings.stateDir, name);
}
