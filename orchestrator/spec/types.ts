/**
 * Desired state as declared in pipeline.yaml, after validation and defaults. What the cluster actually
 * has is ObservedCluster (orchestrator/clients/kafka-types.ts); providers diff one against the other.
 */
import type { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../clients/kafka-types';

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
}

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
}
