/**
 * Reads what the plan is made against: the Kafka cluster, and the registry subjects the spec declares or
 * Sluice manages. The registry's verdict on each changed schema is read here too, so that planPipeline
 * stays a pure function and still refuses an incompatible schema before anything is applied.
 */
import { SluiceError } from '../../lib/errors';
import type { FlinkAdmin, ObservedSqlJob } from '../clients/flink-types';
import type { ConnectAdmin, ConnectorValidation } from '../clients/connect-types';
import type { KafkaAdmin } from '../clients/kafka-types';
import type { CassandraAdmin, ObservedCassandra } from '../clients/cassandra-types';
import type { InfluxAdmin, ObservedInflux } from '../clients/influx-types';
import type { ObservedSubject, SchemaRegistryAdmin } from '../clients/registry-types';
import { RESOURCE_KINDS } from '../providers/kinds';
import type { ObservedState } from '../providers/types';
import type { PipelineSpec } from '../spec/types';

export interface Observers {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
  /** Absent when the platform runs no Flink; then a spec with SQL jobs is refused. */
  flink?: FlinkAdmin;
  /** Absent when the platform runs no Kafka Connect; then a spec with connectors is refused. */
  connect?: ConnectAdmin;
  /** Absent when the platform runs no Cassandra; then a spec with a cassandra section is refused. */
  cassandra?: CassandraAdmin;
  /** Absent when the platform runs no InfluxDB; then a spec with an influx section is refused. */
  influx?: InfluxAdmin;
}

const SCHEMA_PREFIX = 'schema/';

/**
 * Whether a part of the observed state must be read: some kind that reads it (providers/kinds.ts) has
 * resources in the spec, or Sluice manages resources of that kind.
 */
export function neededBy(part: keyof ObservedState, spec: PipelineSpec, managed: ReadonlySet<string>): boolean {
  return RESOURCE_KINDS.some(
    ({ provider, observes }) =>
      observes === part &&
      (provider.desired(spec).size > 0 || [...managed].some((id) => id.startsWith(`${provider.kind}/`))),
  );
}

export async function observeRegistry(
  spec: PipelineSpec,
  registry: SchemaRegistryAdmin,
  managed: ReadonlySet<string>,
): Promise<ObservedSubject[]> {
  const desired = new Map(spec.schemas.map((s) => [s.subject, s.schema]));
  const managedSubjects = [...managed]
    .filter((id) => id.startsWith(SCHEMA_PREFIX))
    .map((id) => id.slice(SCHEMA_PREFIX.length));
  const subjects = [...new Set([...desired.keys(), ...managedSubjects])];
  const observed = await Promise.all(subjects.map((subject) => registry.observeSubject(subject, desired.get(subject))));
  return observed.filter((s): s is ObservedSubject => s !== undefined);
}

/** Flink's `sluice.*` jobs, when the spec declares SQL jobs or Sluice manages some. */
export async function observeSqlJobs(
  spec: PipelineSpec,
  flink: FlinkAdmin | undefined,
  managed: ReadonlySet<string>,
): Promise<ObservedSqlJob[]> {
  if (!neededBy('sqlJobs', spec, managed)) return [];
  if (!flink) {
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      'the spec declares SQL jobs, but no Flink cluster is running',
      {
        fix: 'start the platform with Flink: npx sluice platform up',
      },
    );
  }
  return flink.listJobs();
}

/** A database's state, when the spec has its section or Sluice manages some of its resources. */
async function observeDatabase<T>(
  needed: boolean,
  admin: { observe(): Promise<T> } | undefined,
  what: string,
  component: string,
): Promise<T | undefined> {
  if (!needed) return undefined;
  if (!admin) {
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      `the spec declares ${what} resources, but ${what} is not running`,
      {
        fix: `start it: npx sluice platform up ${component}`,
      },
    );
  }
  return admin.observe();
}

export function observeCassandra(
  spec: PipelineSpec,
  cassandra: CassandraAdmin | undefined,
  managed: ReadonlySet<string>,
): Promise<ObservedCassandra | undefined> {
  return observeDatabase(neededBy('cassandra', spec, managed), cassandra, 'Cassandra', 'cassandra');
}

export function observeInflux(
  spec: PipelineSpec,
  influx: InfluxAdmin | undefined,
  managed: ReadonlySet<string>,
): Promise<ObservedInflux | undefined> {
  return observeDatabase(neededBy('influx', spec, managed), influx, 'InfluxDB', 'influxdb');
}

/**
 * Connect's connectors, and its verdict on every desired configuration (PUT …/config/validate), when the
 * spec declares connectors or Sluice manages some: planPipeline stays pure and still refuses a
 * configuration Connect would not take, before anything is applied.
 */
export async function observeConnectors(
  spec: PipelineSpec,
  connect: ConnectAdmin | undefined,
  managed: ReadonlySet<string>,
): Promise<ObservedState['connect']> {
  if (!neededBy('connect', spec, managed)) return undefined;
  if (!connect) {
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      'the spec declares connectors, but Kafka Connect is not running',
      {
        fix: 'start it: npx sluice platform up connect',
      },
    );
  }
  const connectors = await connect.listConnectors();
  const validations: Record<string, ConnectorValidation> = {};
  for (const desired of spec.connectorConfigs) validations[desired.name] = await connect.validate(desired.config);
  return { connectors, validations };
}

/** The spec is needed to know which subjects to read; `kafka` is passed when the caller already read it. */
export async function observeState(
  spec: PipelineSpec,
  observers: Observers,
  managed: ReadonlySet<string>,
  kafka?: ObservedState['kafka'],
): Promise<ObservedState> {
  const cassandra = await observeCassandra(spec, observers.cassandra, managed);
  const influx = await observeInflux(spec, observers.influx, managed);
  const connect = await observeConnectors(spec, observers.connect, managed);
  return {
    kafka: kafka ?? (await observers.kafka.observe()),
    subjects: await observeRegistry(spec, observers.registry, managed),
    sqlJobs: await observeSqlJobs(spec, observers.flink, managed),
    ...(cassandra ? { cassandra } : {}),
    ...(influx ? { influx } : {}),
    ...(connect ? { connect } : {}),
  };
}
