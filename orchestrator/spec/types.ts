/**
 * The spec as the loader returns it: the document (lib/spec, the contract the producers and the anomaly
 * service share, generated from its JSON Schema) with the files it names read and checked: schemas, SQL,
 * connector configurations, CQL tables. What the cluster actually has is ObservedCluster
 * (orchestrator/clients/kafka-types.ts); providers diff one against the other.
 */
import type { CassandraSpec, PipelineDocument } from '../../lib/spec';
import type { CqlTable } from '../lib/cql/table';

export type * from '../../lib/spec/types.generated';
export { API_VERSION } from '../../lib/spec';

export interface PipelineSpec extends Omit<PipelineDocument, 'cassandra'> {
  /** The value schemas of the topics that declare one, read by the loader from `topics[].valueSchema`. */
  schemas: SchemaSpec[];
  /** The SQL jobs with their files read by the loader (empty until then). */
  sqlJobs: SqlJobSpec[];
  /** Every statement of sql.tables, in order, read by the loader (templates, like SqlJobSpec.tables). */
  sqlTables: string[];
  /** Cassandra's keyspace, its tables (CQL files, read and parsed) and the roles' permissions on it. */
  cassandra?: LoadedCassandraSpec;
  /** The connectors with their files read by the loader (empty until then). */
  connectorConfigs: ConnectorSpec[];
}

/** A job as Flink should run it. `statements` and `tables` are templates: `${NAME}` is filled at submission. */
export interface SqlJobSpec {
  name: string;
  file: string;
  /** Where it is declared (`sql.jobs[2]`). */
  path: string;
  parallelism: number;
  /** The job's statements (one INSERT, or an EXECUTE STATEMENT SET), split. */
  statements: string[];
  /** Every table file's statements, in order. */
  tables: string[];
  /** Identifies the SQL that runs: a hash of the tables and the job (templates, so secrets do not count). */
  version: string;
}

/** Compatibility every subject Sluice registers is kept at: consumers can read old records with the new schema. */
export const SCHEMA_COMPATIBILITY = 'BACKWARD';

/** A topic's value schema as the registry should hold it: subject `<topic>-value` (TopicNameStrategy). */
export interface SchemaSpec {
  subject: string;
  topic: string;
  /** As written in the spec, for messages. */
  file: string;
  /** Where it is declared (`topics[2].valueSchema`). */
  path: string;
  /** The schema, normalised (lib/registry/schema-text.ts). */
  schema: string;
  compatibility: typeof SCHEMA_COMPATIBILITY;
}

/** One problem found in a spec: where it is, what is wrong, what to write instead. */
export interface SpecIssue {
  /** Like `topics[2].replicationFactor`; `(spec)` for the document itself. */
  path: string;
  message: string;
  fix: string;
  /** 1-based line in the YAML file, when the spec was loaded from one. */
  line?: number;
}

export interface ValidateOptions {
  /** When known, replicationFactor above it is an issue (a topic cannot have more replicas than brokers). */
  brokerCount?: number;
  /** When known, the `${NAME}` placeholders connector files may use; any other is an issue. */
  connectorPlaceholders?: ReadonlySet<string>;
}

/** A connector as Connect should run it, its file read and checked by the loader. */
export interface ConnectorSpec {
  name: string;
  file: string;
  /** Where it is declared (`connectors[1]`). */
  path: string;
  /**
   * The configuration to hold, `name` included. A template: `${NAME}` placeholders (the platform's
   * settings, the connectors' passwords) are filled only in the requests sent to Connect.
   */
  config: Record<string, string>;
  /** Keys whose value is a secret (a `${…_PASSWORD}` placeholder, or a password key): never shown. */
  secretKeys: string[];
  /** The topics it reads, and its dead-letter topic if it has one: all declared under topics. */
  topics: string[];
  deadLetterTopic?: string;
}

/** The cassandra section with its tables read: what deploy-pipeline makes. */
export interface LoadedCassandraSpec extends CassandraSpec {
  /** The tables of `tables`, read and parsed by the loader (empty until then). */
  definitions: CassandraTableSpec[];
}

/** One table as deploy-pipeline should make it, parsed from its CQL file. */
export interface CassandraTableSpec {
  name: string;
  file: string;
  /** Where it is declared (`cassandra.tables[1]`), for refusals. */
  path: string;
  table: CqlTable;
}
