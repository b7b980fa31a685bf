/**
 * The admin clients of a target (target.ts), for deploy-pipeline, plan, sql and query: made from its
 * connection settings only. A server the target does not run (a local component that is down, a section
 * an entry lacks) gets no client; the planner then refuses a spec that needs it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../lib/errors';
import type { KafkaConnection } from '../../lib/kafka/connection';
import type { ClientTls } from '../../lib/tls-fetch';
import { ClusterCassandraAdmin } from '../clients/cassandra';
import { HttpConnectAdmin } from '../clients/connect';
import { HttpFlinkAdmin } from '../clients/flink';
import { HttpInfluxAdmin } from '../clients/influx';
import { ClusterKafkaAdmin } from '../clients/kafka-admin';
import { HttpSchemaRegistryAdmin } from '../clients/registry-admin';
import type { Observers } from '../plan/observe';
import { jobSqlPlaceholders } from '../platform/components/flink';
import { querySqlPlaceholders } from '../platform/components/flink-query';
import { REGISTRY_FLINK_SECRET } from '../platform/components/registry';
import type { FlinkTargetSettings } from './schema';
import { registryApis, type Target } from './target';

export type TargetClients = Observers & { close(): Promise<void> };

/** How the target's Kafka user reaches its brokers (SASL_SSL, SCRAM-SHA-512). */
export function targetKafkaConnection(target: Target, clientId = 'sluice-orchestrator'): KafkaConnection {
  target.assertKafka();
  const kafka = target.settings.kafka;
  return {
    brokers: kafka.bootstrapServers,
    ca: readFileSync(kafka.caFile, 'utf8'),
    username: kafka.user,
    password: target.credential(kafka.passwordFile, 'kafka.passwordFile'),
    clientId,
  };
}

function flinkTls(target: Target, flink: FlinkTargetSettings): ClientTls {
  return {
    ca: readFileSync(flink.caFile, 'utf8'),
    cert: readFileSync(flink.certFile, 'utf8'),
    key: target.credential(flink.keyFile, 'flink.keyFile'),
  };
}

/** What `${KAFKA}`, `${REGISTRY}` and `${EXACTLY_ONCE}` stand for in the target's SQL jobs. */
export function targetSqlPlaceholders(target: Target, flink: FlinkTargetSettings): Record<string, string> {
  const { kafka, registry } = target.settings;
  return jobSqlPlaceholders({
    bootstrapServers: kafka.bootstrapServers.join(','),
    kafkaCaFile: flink.kafkaCaFile ?? kafka.caFile,
    registryUrl: registryApis(registry.url).ccompat,
    registryFlinkPassword: target.secret(REGISTRY_FLINK_SECRET),
  });
}

function flinkClient(target: Target, flink: FlinkTargetSettings, placeholders: Record<string, string>): HttpFlinkAdmin {
  return new HttpFlinkAdmin({
    restUrl: flink.restUrl,
    gatewayUrl: flink.gatewayUrl,
    placeholders,
    tls: flinkTls(target, flink),
    log: target.log,
    savepointsFile: join(target.settings.stateDir, 'flink-savepoints.json'),
  });
}

/** The Flink client of SQL jobs; undefined when the target runs no Flink. */
export function targetFlinkAdmin(target: Target): HttpFlinkAdmin | undefined {
  const flink = target.settings.flink;
  if (!target.runs.flink || !flink) return undefined;
  return flinkClient(target, flink, targetSqlPlaceholders(target, flink));
}

/**
 * The Flink client of `sluice sql` and `sluice query`: the query principal's tables (decision 0018).
 * Refused when the target runs no Flink.
 */
export function targetFlinkQueryAdmin(target: Target): HttpFlinkAdmin {
  const flink = target.settings.flink;
  if (!target.runs.flink || !flink) {
    throw new SluiceError(
      target.kind === 'local' ? 'SLUICE_PLATFORM_NOT_RUNNING' : 'SLUICE_TARGET_INVALID',
      target.kind === 'local'
        ? `Flink of ${target.origin} is not running`
        : `target '${target.name}' has no flink section`,
      {
        fix:
          target.kind === 'local'
            ? 'start the platform: npm start (or npx sluice platform up)'
            : `add targets.${target.name}.flink to ${target.origin}`,
      },
    );
  }
  target.prepareQuery();
  const jobs = targetSqlPlaceholders(target, flink);
  const loginFile = flink.queryLoginFile!;
  return flinkClient(
    target,
    flink,
    querySqlPlaceholders(jobs, registryApis(target.settings.registry.url).ccompat, loginFile),
  );
}

/** Every admin client deploy-pipeline and plan use, for the servers the target runs. */
export function targetClients(target: Target): TargetClients {
  const s = target.settings;
  const kafka = new ClusterKafkaAdmin(targetKafkaConnection(target));
  const registry = new HttpSchemaRegistryAdmin({
    url: registryApis(s.registry.url).ccompat,
    username: s.registry.user,
    password: target.credential(s.registry.passwordFile, 'registry.passwordFile'),
  });
  const flink = targetFlinkAdmin(target);
  const cassandra =
    target.runs.cassandra && s.cassandra
      ? new ClusterCassandraAdmin({
          contactPoint: s.cassandra.contactPoint,
          username: s.cassandra.user,
          password: target.credential(s.cassandra.passwordFile, 'cassandra.passwordFile'),
          ...(s.cassandra.datacenter ? { localDataCenter: s.cassandra.datacenter } : {}),
        })
      : undefined;
  const influx =
    target.runs.influxdb && s.influxdb
      ? new HttpInfluxAdmin({
          url: s.influxdb.url,
          username: s.influxdb.user,
          password: target.credential(s.influxdb.passwordFile, 'influxdb.passwordFile'),
        })
      : undefined;
  // Connector configurations are templates: the client fills their placeholders in its requests only.
  const connect =
    target.runs.connect && s.connect
      ? new HttpConnectAdmin({
          url: s.connect.url,
          username: s.connect.user,
          password: target.credential(s.connect.passwordFile, 'connect.passwordFile'),
          placeholders: target.connectorPlaceholders(),
        })
      : undefined;
  return {
    kafka,
    registry,
    ...(flink ? { flink } : {}),
    ...(cassandra ? { cassandra } : {}),
    ...(influx ? { influx } : {}),
    ...(connect ? { connect } : {}),
    close: async () => {
      await cassandra?.close();
      await kafka.close();
    },
  };
}
