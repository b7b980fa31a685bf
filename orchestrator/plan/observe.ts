/**
 * Reads what the plan is made against: the Kafka cluster, and the registry subjects the spec declares or
 * Sluice manages. The registry's verdict on each changed schema is read here too, so that planPipeline
 * stays a pure function and still refuses an incompatible schema before anything is applied.
 */
import type { KafkaAdmin } from '../clients/kafka-types';
import type { ObservedSubject, SchemaRegistryAdmin } from '../clients/registry-types';
import type { ObservedState } from '../providers/types';
import type { PipelineSpec } from '../spec/types';

export interface Observers {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
}

const SCHEMA_PREFIX = 'schema/';

export async function observeRegistry(spec: PipelineSpec, registry: SchemaRegistryAdmin, managed: ReadonlySet<string>): Promise<ObservedSubject[]> {
  const desired = new Map(spec.schemas.map((s) => [s.subject, s.schema]));
  const managedSubjects = [...managed].filter((id) => id.startsWith(SCHEMA_PREFIX)).map((id) => id.slice(SCHEMA_PREFIX.length));
  const subjects = [...new Set([...desired.keys(), ...managedSubjects])];
  const observed = await Promise.all(subjects.map((subject) => registry.observeSubject(subject, desired.get(subject))));
  return observed.filter((s): s is ObservedSubject => s !== undefined);
}

/** The spec is needed to know which subjects to read; `kafka` is passed when the caller already read it. */
export async function observeState(spec: PipelineSpec, observers: Observers, managed: ReadonlySet<string>, kafka?: ObservedState['kafka']): Promise<ObservedState> {
  return {
    kafka: kafka ?? (await observers.kafka.observe()),
    subjects: await observeRegistry(spec, observers.registry, managed),
  };
}
