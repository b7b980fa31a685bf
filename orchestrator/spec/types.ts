/**
 * Desired state as declared in pipeline.yaml, after validation and defaults. What the cluster actually
 * has is ObservedCluster (orchestrator/clients/kafka-types.ts); providers diff one against the other.
 */
import type { DetectorSpec, RuleSpec } from '../../anomaly/detectors/types';
import type { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../clients/kafka-types';
import type { CqlTable } from '../lib/cql/table';

export const API_VERSION = 'sluice/v1';

export interface PipelineSpec {
  apiVersion: typeof API_VERSION;
  /** Names the pipeline in plans and logs ("The cluster matches demo."). */
  name: string;
  topics: TopicSpec[];
  principals: PrincipalSpec[];
  /** The value schemas of the topics that declare one, read by the loader from `topics[].valueSchema`. */
  schemas: SchemaSpec[];
  /** Streaming SQL, as written in the spec (file paths). */
  sql: { tables: string[]; jobs: SqlJobDeclaration[] };
  /** The SQL jobs with their files read by the loader (empty until then). */
  sqlJobs: SqlJobSpec[];
  /** Every statement of sql.tables, in order, read by the loader (templates, like SqlJobSpec.tables). */
  sqlTables: string[];
  /** The public API ingestors (producers/apis/): what each polls and when. */
  ingestors: IngestorsSpec;
  /** Cassandra's keyspace, its tables (CQL files) and the roles' permissions on it (issue 5). */
  cassandra?: CassandraSpec;
  /** InfluxDB's database, its retention policies and the users' privileges on it (issue 5). */
  influx?: InfluxSpec;
  /** The anomaly service (anomaly/service/): which series it watches, with which detectors and rules. */
  anomaly: AnomalySpec;
  /** Kafka Connect connectors, as written in the spec (file paths). */
  connectors: ConnectorDeclaration[];
  /** The connectors with their files read by the loader (empty until then). */
  connectorConfigs: ConnectorSpec[];
}

// --- anomaly service (issue 6) -------------------------------------------------------------------------
// Desired state of `sluice anomaly`: defaults from the JSON Schema; docs/spec-reference.md#anomaly.

export interface AnomalySpec {
  /** The service's Kafka user (declared under principals). */
  principal: string;
  /** Its consumer group, in whose name the input offsets are committed (in the alerts' transactions). */
  group: string;
  /** Avro topic the alerts are written to (schemas/alert.avsc). */
  alertsTopic: string;
  /** Compacted topic of detector snapshots and open incidents, keyed by series. */
  stateTopic: string;
  /** Where a group without committed offsets starts: only new records, or everything kept. */
  startFrom: 'latest' | 'earliest';
  /** Seconds between re-sends of firing alerts to Alertmanager. */
  resendSeconds: number;
  /** Seconds between checks for absent data and expired pattern incidents. */
  tickSeconds: number;
  series: AnomalySeriesSpec[];
  patterns: AnomalyPatternSpec[];
}

/** One topic of windows (`agg.*`): each record is a point of every metric, for one key. */
export interface AnomalySeriesSpec {
  topic: string;
  /** Fields whose values name the series (one incident at a time per key). */
  key: string[];
  /** Field holding the point's event time (timestamp-millis). */
  time: string;
  /** Normal points in a row, per metric of an incident, that resolve it. */
  resolveAfter: number;
  /** Severity of the metrics that set none. */
  severity: string;
  metrics: AnomalyMetricSpec[];
}

export interface AnomalyMetricSpec {
  /** Numeric field of the record. */
  field: string;
  /** The statistical detector; none given: the default ensemble. */
  detector?: DetectorSpec;
  /** Thresholds, rates of change and absence, on top of the detector. */
  rules: RuleSpec[];
  severity?: string;
}

/** One topic of pattern matches (`patterns.*`): each record is an incident of its own. */
export interface AnomalyPatternSpec {
  topic: string;
  key: string[];
  /** Field holding the match's event time: with the key, what makes two records the same match. */
  time: string;
  severity: string;
  /** Seconds after which a match's incident resolves (a match has no "back to normal"). */
  resolveAfterSeconds: number;
  /** Text of the alert, with `{field}` replaced by the record's values; a default lists the fields. */
  summary?: string;
}
// --- end anomaly service -------------------------------------------------------------------------------

// --- API ingestors (issue 7) -------------------------------------------------------------------------
// Desired state of `sluice ingest <api>`: one optional entry per API, defaults from the JSON Schema.

export interface IngestorsSpec {
  openaq?: OpenAqIngestorSpec;
  tomtom?: TomTomIngestorSpec;
  weatherapi?: WeatherApiIngestorSpec;
  'open-meteo'?: OpenMeteoIngestorSpec;
  alphavantage?: AlphaVantageIngestorSpec;
  yahoo?: YahooIngestorSpec;
  'google-maps'?: GoogleMapsIngestorSpec;
  x?: XIngestorSpec;
  facebook?: FacebookIngestorSpec;
}

export interface IngestorCommonSpec {
  /** false: `sluice ingest <api>` refuses to run it. */
  enabled: boolean;
  /** Base URL of the API, to use a proxy or a mirror (the API's own by default). */
  baseUrl?: string;
}

export interface PolledIngestorSpec extends IngestorCommonSpec {
  /** node-cron expression: five fields, or six with seconds first. */
  schedule: string;
}

export interface GeoPointSpec {
  name: string;
  lat: number;
  lon: number;
}

export interface BoundingBoxSpec {
  name: string;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

export interface OpenAqIngestorSpec extends PolledIngestorSpec {
  /** OpenAQ v3 location ids: every sensor's latest value. */
  locations: number[];
  /** OpenAQ v3 sensor ids: that sensor's latest value. */
  sensors: number[];
}

export interface TomTomIngestorSpec extends PolledIngestorSpec {
  /** Flow segment data at each point (the road segment nearest to it). */
  points: GeoPointSpec[];
  /** Incident details inside each box. */
  incidentAreas: BoundingBoxSpec[];
  /** Zoom level of the flow segment data (road detail). */
  zoom: number;
}

export interface WeatherApiIngestorSpec extends PolledIngestorSpec {
  /** WeatherAPI `q` values: city names, "lat,lon", postcodes. */
  cities: string[];
}

export interface OpenMeteoIngestorSpec extends PolledIngestorSpec {
  points: GeoPointSpec[];
}

export type AlphaVantageFunction = 'GLOBAL_QUOTE' | 'TIME_SERIES_INTRADAY' | 'TIME_SERIES_DAILY';

export interface AlphaVantageIngestorSpec extends PolledIngestorSpec {
  symbols: string[];
  functions: AlphaVantageFunction[];
  /** Bar length of TIME_SERIES_INTRADAY. */
  interval: '1min' | '5min' | '15min' | '30min' | '60min';
}

export interface YahooIngestorSpec extends PolledIngestorSpec {
  symbols: string[];
  /** Bar length (chart `interval`), e.g. 5m or 1d. */
  interval: string;
  /** How far back each poll reads (chart `range`), e.g. 1d. */
  range: string;
}

export interface RouteMatrixSpec {
  name: string;
  origins: string[];
  destinations: string[];
}

export interface GoogleMapsIngestorSpec extends PolledIngestorSpec {
  /** Each entry is one Distance Matrix request: every origin to every destination. */
  routes: RouteMatrixSpec[];
}

export interface XStreamRuleSpec {
  value: string;
  tag?: string;
}

export interface XIngestorSpec extends IngestorCommonSpec {
  /** filtered: posts matching `rules`; sample: the 1 % sample stream. */
  mode: 'filtered' | 'sample';
  /** Filtered-stream rules the ingestor adds when they are missing (others on the stream are left alone). */
  rules: XStreamRuleSpec[];
}

export interface FacebookIngestorSpec extends PolledIngestorSpec {
  /** Page ids (or usernames) whose posts are read. */
  pages: string[];
  /** Graph API version in the path, e.g. v23.0. */
  apiVersion: string;
  /** Pages of results (25 posts each) followed per page and poll. */
  maxPages: number;
}
// --- end API ingestors -------------------------------------------------------------------------------

export interface SqlJobDeclaration {
  name: string;
  description?: string;
  file: string;
  parallelism: number;
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

export interface TopicSpec {
  name: string;
  description?: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level overrides, values as strings (Kafka's own representation). */
  config: Record<string, string>;
  /** Path of the topic's Avro value schema (.avsc), relative to the spec file. */
  valueSchema?: string;
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

/** One SCRAM-SHA-512 user per service; its ACLs are expanded from produces, consumes and acls. */
export interface PrincipalSpec {
  name: string;
  description?: string;
  produces: string[];
  consumes: ConsumeSpec[];
  acls: RawAclSpec[];
}

export interface ConsumeSpec {
  group: string;
  topics: string[];
}

/** Escape hatch for bindings that produces/consumes cannot express (prefixes, transactional ids, cluster). */
export interface RawAclSpec {
  resourceType: AclResourceType;
  name: string;
  patternType: AclPatternType;
  operations: AclOperation[];
  permission: AclPermission;
  host: string;
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

// --- Kafka Connect connectors (issue 5) ----------------------------------------------------------------
// Desired state of Kafka Connect: one JSON file per connector; docs/spec-reference.md#connectors.

export interface ConnectorDeclaration {
  /** The connector's name in Connect (its consumer group is `connect-<name>`). */
  name: string;
  description?: string;
  /** JSON file with the connector's configuration, relative to the spec. */
  file: string;
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
// --- end Kafka Connect connectors ---------------------------------------------------------------------

// --- storage (issue 5) ---------------------------------------------------------------------------------
// Desired state of the databases deploy-pipeline manages; docs/spec-reference.md#cassandra and #influx.

/** Replication of a keyspace: SimpleStrategy with a factor, or NetworkTopologyStrategy per datacenter. */
export interface CassandraReplicationSpec {
  class: 'SimpleStrategy' | 'NetworkTopologyStrategy';
  replication_factor?: number;
  datacenters?: Array<{ name: string; replication_factor: number }>;
}

/** Keyspace permissions (CQL's, lower-case in the spec). */
export type CassandraPermission =
  'select' | 'modify' | 'create' | 'alter' | 'drop' | 'authorize' | 'unmask' | 'select_masked';

export interface CassandraGrantSpec {
  /** A role the launcher made (sluice-connect) or one made by hand. */
  role: string;
  permissions: CassandraPermission[];
}

export interface CassandraSpec {
  keyspace: string;
  replication: CassandraReplicationSpec;
  /** .cql files of CREATE TABLE statements, relative to the spec. */
  tables: string[];
  grants: CassandraGrantSpec[];
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

export interface InfluxRetentionPolicySpec {
  name: string;
  /** InfluxQL duration (`30d`, `720h`, `INF`). */
  duration: string;
  /** Time span of one shard group; InfluxDB picks one from the duration when absent. */
  shardDuration?: string;
  replication: number;
  default: boolean;
}

export type InfluxPrivilegeSpec = 'read' | 'write' | 'all';

export interface InfluxGrantSpec {
  user: string;
  privilege: InfluxPrivilegeSpec;
}

export interface InfluxSpec {
  database: string;
  retentionPolicies: InfluxRetentionPolicySpec[];
  grants: InfluxGrantSpec[];
}
// --- end storage ---------------------------------------------------------------------------------------
