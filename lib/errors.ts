/**
 * Every error Sluice raises on purpose carries a stable SLUICE_* code, says whether retrying can help,
 * and keeps the underlying cause. docs/errors.md documents each code; a unit test fails when one is missing.
 */

export const ERROR_CODES = {
  SLUICE_PREREQUISITE_MISSING: {
    retriable: false,
    summary: 'A tool the platform needs is not installed and cannot be installed automatically.',
  },
  SLUICE_INSTALL_FAILED: {
    retriable: true,
    summary: 'Installing a component with its package client (mvn, apt-get) failed.',
  },
  SLUICE_COMPONENT_START_FAILED: { retriable: false, summary: 'A component process exited or never became healthy.' },
  SLUICE_WAIT_TIMEOUT: { retriable: true, summary: 'A wait strategy did not see its condition before its timeout.' },
  SLUICE_CONFIG_INVALID: {
    retriable: false,
    summary: 'A setting in the environment (SLUICE_*) or a command option has an unusable value.',
  },
  SLUICE_UNKNOWN_COMPONENT: {
    retriable: false,
    summary: 'A command named a component that the manifest does not have.',
  },
  SLUICE_PORT_IN_USE: {
    retriable: false,
    summary: 'A port of the port map is taken by a process Sluice did not start.',
  },
  SLUICE_PLATFORM_NOT_RUNNING: { retriable: false, summary: 'The command needs the local platform, and it is not up.' },
  SLUICE_SPEC_INVALID: { retriable: false, summary: 'The pipeline spec failed validation; nothing was applied.' },
  SLUICE_SPEC_NOT_FOUND: { retriable: false, summary: 'The pipeline spec file does not exist or cannot be read.' },
  SLUICE_PLAN_REFUSED: {
    retriable: false,
    summary: 'The plan contains a change the target system cannot make in place; nothing was applied.',
  },
  SLUICE_APPLY_FAILED: { retriable: true, summary: 'Applying one step of a plan failed; earlier steps stay applied.' },
  SLUICE_KAFKA_ERROR: { retriable: true, summary: 'A Kafka request failed.' },
  SLUICE_KAFKA_AUTH_FAILED: { retriable: false, summary: 'Kafka refused the credentials or the TLS handshake.' },
  SLUICE_KAFKA_NOT_AUTHORIZED: { retriable: false, summary: 'Kafka ACLs do not allow the principal to do this.' },
  SLUICE_CASSANDRA_ERROR: {
    retriable: true,
    summary:
      'A CQL request to Cassandra failed for a reason other than the login or a permission (the statement is named, passwords masked).',
  },
  SLUICE_CASSANDRA_AUTH_FAILED: { retriable: false, summary: 'Cassandra refused the login: wrong user or password.' },
  SLUICE_CASSANDRA_NOT_AUTHORIZED: {
    retriable: false,
    summary: 'The Cassandra role lacks the permission the statement needs.',
  },
  SLUICE_INFLUX_ERROR: {
    retriable: false,
    summary:
      'InfluxDB answered an InfluxQL statement with an error (HTTP 200 with an error in the result); the statement is named, passwords masked.',
  },
  SLUICE_HTTP_ERROR: {
    retriable: true,
    summary:
      'A server of the platform answered an HTTP request with an error (method, path, status and body are attached).',
  },
  SLUICE_CONNECTOR_FAILED: {
    retriable: false,
    summary:
      'A Kafka Connect connector or one of its tasks is FAILED after deploy-pipeline applied it; the status, with the reason from its trace, is attached.',
  },
  SLUICE_SQL_FAILED: {
    retriable: false,
    summary: 'Flink refused a SQL statement, or a SQL job did not start or stop as asked.',
  },
  SLUICE_SCHEMA_NOT_REGISTERED: {
    retriable: false,
    summary: 'A producer found no registered schema for its topic, or not the one it was built with.',
  },
  SLUICE_SCHEMA_INCOMPATIBLE: {
    retriable: false,
    summary: 'The schema registry refused a schema change as incompatible with the registered versions.',
  },
  SLUICE_SERIALIZATION_FAILED: {
    retriable: false,
    summary: 'A record does not match its Avro schema; the field at fault is named.',
  },
  SLUICE_SECRET_ERROR: { retriable: false, summary: 'A secret file is missing or has unsafe permissions.' },
  SLUICE_TARGET_NOT_FOUND: {
    retriable: false,
    summary: 'The targets file does not exist, or has no target of the name --target gave.',
  },
  SLUICE_TARGET_INVALID: {
    retriable: false,
    summary:
      'The targets file cannot be used: not YAML or JSON, not the format (each problem with its path), readable by others than its owner, or lacking a setting the command needs.',
  },
  SLUICE_TARGET_SECRET_UNREADABLE: {
    retriable: false,
    summary:
      'A secret file a target names (a password, a key, a pipeline secret) is missing, empty, unreadable, or readable by others than its owner.',
  },
  SLUICE_TOPOLOGY_INVALID: {
    retriable: false,
    summary:
      'The topology file cannot be read, or fails its schema or checks (each problem with its path: a host no entry names, a Kafka id used twice, no controller).',
  },
  SLUICE_CONFIRMATION_REQUIRED: {
    retriable: false,
    summary: 'A destructive command needs explicit confirmation (--yes).',
  },
  SLUICE_API_ERROR: {
    retriable: true,
    summary:
      'A public API an ingestor reads answered with an error (an HTTP status, or an error payload sent with HTTP 200), or did not answer; api, kind, status and the redacted path are attached.',
  },
  SLUICE_API_PAYLOAD_INVALID: {
    retriable: false,
    summary:
      'A public API payload lacks a required field or has one of the wrong type; the API and the field are named, and the item goes to the dead-letter topic, never to the data.',
  },
  SLUICE_API_KEY_MISSING: {
    retriable: false,
    summary:
      'An ingestor needs an API key or token that is set neither in the environment nor in .env, so it is disabled.',
  },
  SLUICE_DATA_INVALID: {
    retriable: false,
    summary:
      'An input data file (a CSV row, an anomaly windows file, a saved detector state) cannot be read as what it should be; the file and line are named.',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SluiceErrorOptions {
  cause?: unknown;
  /** Where in the input the problem is, e.g. `topics[2].replicationFactor`. */
  path?: string;
  /** What the user should do instead. */
  fix?: string;
  /** Overrides the code's default. */
  retriable?: boolean;
  details?: Record<string, unknown>;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly path?: string;
  readonly fix?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    if (options.path !== undefined) this.path = options.path;
    if (options.fix !== undefined) this.fix = options.fix;
    if (options.details !== undefined) this.details = options.details;
  }

  /** One readable block for a terminal: code, message, location and fix. */
  describe(): string {
    const lines = [`${this.code}: ${this.message}`];
    if (this.path) lines.push(`  at: ${this.path}`);
    if (this.fix) lines.push(`  fix: ${this.fix}`);
    return lines.join('\n');
  }
}

export function isSluiceError(error: unknown, code?: ErrorCode): error is SluiceError {
  return error instanceof SluiceError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for logs and wrapped errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
