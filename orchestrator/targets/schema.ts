/**
 * The targets file (docs/decisions/0022-targets-file.md): named clusters a command reaches with
 * `--target NAME`, each by its URLs, users and the paths of files holding its secrets. No secret is
 * ever a value in the file; a path is absolute or relative to the file's own folder.
 *
 * The types and the JSON Schema are one source: ajv's JSONSchemaType makes tsc fail when they disagree.
 */
import type { JSONSchemaType } from 'ajv';

export interface KafkaTargetSettings {
  /** `host:port` of each broker's client listener (SASL_SSL). */
  bootstrapServers: string[];
  /** The SCRAM-SHA-512 user deploy-pipeline acts as (a super user: it creates users, topics and ACLs). */
  user: string;
  /** A file (mode 0600) holding the user's password. */
  passwordFile: string;
  /** The CA (PEM) that signed the brokers' certificates. */
  caFile: string;
}

export interface RegistryTargetSettings {
  /** The registry's base URL, e.g. `http://10.213.77.11:8080`; Sluice adds `/apis/ccompat/v7` and `/apis/registry/v2`. */
  url: string;
  /** The registry's admin user (writes need it; reads are anonymous). */
  user: string;
  passwordFile: string;
}

export interface ConnectTargetSettings {
  /** Kafka Connect's REST URL. */
  url: string;
  user: string;
  passwordFile: string;
}

export interface FlinkTargetSettings {
  /** The JobManager's REST URL (https, with a client certificate: decision 0019). */
  restUrl: string;
  /** The SQL Gateway's REST URL. */
  gatewayUrl: string;
  /** The CA (PEM) of Flink's REST certificates. */
  caFile: string;
  /** The client certificate (PEM) and its key (mode 0600) Flink's REST APIs ask for. */
  certFile: string;
  keyFile: string;
  /** The Kafka CA as the Flink processes see it (their tables' truststore); default: kafka.caFile. */
  kafkaCaFile?: string;
  /**
   * The query principal's login file (decision 0018) as the SQL Gateway sees it, for `sluice sql` and
   * `sluice query`: the installation writes it on the Flink hosts.
   */
  queryLoginFile?: string;
}

export interface CassandraTargetSettings {
  /** `host:port` of a node's native (CQL) listener. */
  contactPoint: string;
  /** The contact point's datacenter; default `datacenter1`. */
  datacenter?: string;
  user: string;
  passwordFile: string;
}

export interface InfluxTargetSettings {
  url: string;
  user: string;
  passwordFile: string;
}

export interface MonitoringTargetSettings {
  prometheusUrl: string;
  alertmanagerUrl: string;
  user: string;
  passwordFile: string;
}

export interface TargetEntry {
  description?: string;
  kafka: KafkaTargetSettings;
  registry: RegistryTargetSettings;
  /** Absent: the cluster runs no Connect, and a spec with connectors is refused. The same for the others. */
  connect?: ConnectTargetSettings;
  flink?: FlinkTargetSettings;
  cassandra?: CassandraTargetSettings;
  influxdb?: InfluxTargetSettings;
  monitoring?: MonitoringTargetSettings;
  /**
   * The pipeline's secrets, laid out as `.sluice/secrets/`: `users/<principal>` (deploy-pipeline writes a
   * new principal's password here), `registry/sluice-flink`, `cassandra/sluice-connect`,
   * `influxdb/sluice-connect` (what SQL jobs and connectors are configured with).
   */
  secretsDir: string;
  /** What Sluice manages on this cluster (`<spec name>.json`) and the SQL jobs' savepoints. */
  stateDir: string;
  /** Where the principals' client files are, if anywhere: removing a principal removes its folder here. */
  clientFilesDir?: string;
}

export interface TargetsDocument {
  version: 1;
  targets: Record<string, TargetEntry>;
}

/** The name `--target` takes for the local platform (pid files, SLUICE_HOME); no entry may take it. */
export const LOCAL_TARGET = 'local';
export const TARGET_NAME_PATTERN = '^(?!local$)[a-z0-9][a-z0-9._-]*$';

const str = (description: string) => ({ type: 'string', minLength: 1, description }) as const;
const optionalStr = (description: string) => ({ type: 'string', minLength: 1, nullable: true, description }) as const;
const url = (description: string) => ({ type: 'string', pattern: '^https?://[^\\s]+$', description }) as const;
const hostPort = (description: string) => ({ type: 'string', pattern: '^[^\\s:/]+:[0-9]{1,5}$', description }) as const;
const user = str('the user Sluice logs in as');
const passwordFile = str("a file (mode 0600) holding the user's password: a path, never the password");

export const targetsSchema: JSONSchemaType<TargetsDocument> = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'targets'],
  properties: {
    version: { type: 'integer', const: 1, description: 'the format of this file; 1' },
    targets: {
      type: 'object',
      description: 'the targets by name (`--target NAME`)',
      propertyNames: { type: 'string', pattern: TARGET_NAME_PATTERN },
      required: [],
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kafka', 'registry', 'secretsDir', 'stateDir'],
        properties: {
          description: optionalStr('what this cluster is'),
          kafka: {
            type: 'object',
            additionalProperties: false,
            required: ['bootstrapServers', 'user', 'passwordFile', 'caFile'],
            properties: {
              bootstrapServers: {
                type: 'array',
                minItems: 1,
                items: hostPort("a broker's client listener, host:port"),
                description: "the brokers' client listeners",
              },
              user,
              passwordFile,
              caFile: str("the CA (PEM) of the brokers' certificates"),
            },
          },
          registry: {
            type: 'object',
            additionalProperties: false,
            required: ['url', 'user', 'passwordFile'],
            properties: { url: url("the registry's base URL"), user, passwordFile },
          },
          connect: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            required: ['url', 'user', 'passwordFile'],
            properties: { url: url("Kafka Connect's REST URL"), user, passwordFile },
          },
          flink: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            required: ['restUrl', 'gatewayUrl', 'caFile', 'certFile', 'keyFile'],
            properties: {
              restUrl: url("the JobManager's REST URL"),
              gatewayUrl: url("the SQL Gateway's REST URL"),
              caFile: str("the CA (PEM) of Flink's REST certificates"),
              certFile: str('the client certificate (PEM) Flink asks for'),
              keyFile: str("the client certificate's key (PEM, mode 0600)"),
              kafkaCaFile: optionalStr('the Kafka CA as the Flink processes see it'),
              queryLoginFile: optionalStr("the query principal's login file as the SQL Gateway sees it"),
            },
          },
          cassandra: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            required: ['contactPoint', 'user', 'passwordFile'],
            properties: {
              contactPoint: hostPort("a node's CQL listener, host:port"),
              datacenter: optionalStr("the contact point's datacenter"),
              user,
              passwordFile,
            },
          },
          influxdb: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            required: ['url', 'user', 'passwordFile'],
            properties: { url: url("InfluxDB's HTTP URL"), user, passwordFile },
          },
          monitoring: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            required: ['prometheusUrl', 'alertmanagerUrl', 'user', 'passwordFile'],
            properties: {
              prometheusUrl: url("Prometheus' URL"),
              alertmanagerUrl: url("Alertmanager's URL"),
              user,
              passwordFile,
            },
          },
          secretsDir: str("the pipeline's secrets (principals' passwords), laid out as .sluice/secrets"),
          stateDir: str("what Sluice manages on this cluster, and the SQL jobs' savepoints"),
          clientFilesDir: optionalStr("the principals' client files"),
        },
      },
    },
  },
};
