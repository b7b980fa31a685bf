/**
 * Reads what the plan is made against: the Kafka cluster, and the registry subjects the spec declares or
 * Sluice manages. The registry's verdict on each changed schema is read here too, so that planPipeline
 * stays a pure function and still refuses an incompatible schema before anything is applied.
 */
import { SluiceError } from '../../lib/errors';
import type { FlinkAdmin, ObservedSqlJob } from '../clients/flink-types';
import type { KafkaAdmin } from '../clients/kafka-types';
import type { ObservedSubject, SchemaRegistryAdmin } from '../clients/registry-types';
import type { ObservedState } from '../providers/types';
import type { PipelineSpec } from '../spec/types';

export interface Observers {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
  /** Absent when the platform runs no Flink; then a spec with SQL jobs is refused. */
  flink?: FlinkAdmin;
}

const SCHEMA_PREFIX = 'schema/';

export async function observeRegistry(spec: PipelineSpec, registry: SchemaRegistryAdmin, managed: ReadonlySet<string>): Promise<ObservedSubject[]> {
  const desired = new Map(spec.schemas.map((s) => [s.subject, s.schema]));
  const managedSubjects = [...managed].filter((id) => id.startsWith(SCHEMA_PREFIX)).map((id) => id.slice(SCHEMA_PREFIX.length));
  const subjects = [...new Set([...desired.keys(), ...managedSubjects])];
  const observed = await Promise.all(subjects.map((subject) => registry.observeSubject(subject, desired.get(subject))));
  return observed.filter((s): s is ObservedSubject => s !== undefined);
}

/** Flink's `sluice.*` jobs, when the spec declares SQL jobs or Sluice manages some. */
export async function observeSqlJobs(spec: PipelineSpec, flink: FlinkAdmin | undefined, managed: ReadonlySet<string>): Promise<ObservedSqlJob[]> {
  const needed = spec.sqlJobs.length > 0 || [...managed].some((id) => id.startsWith('sql-job/'));
  if (!needed) return [];
  if (!flink) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', 'the spec declares SQL jobs, but no Flink cluster is running', {
      fix: 'start the platform with Flink: npx sluice platform up',
    });
  }
  return flink.listJobs();
}

/** The spec is needed to know which subjects to read; `kafka` is passed when the caller already read it. */
export async function observeState(spec: PipelineSpec, observers: Observers, managed: ReadonlySet<string>, kafka?: ObservedState['kafka']): Promise<ObservedState> {
  return {
    kafka: kafka ?? (await observers.kafka.observe()),
    subjects: await observeRegistry(spec, observers.registry, managed),
    sqlJobs: await observeSqlJobs(spec, observers.flink, managed),
  };
}
