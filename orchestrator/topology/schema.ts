/**
 * The topology (issue 14 item 1): which host runs which component. Hosts by name with the address their
 * servers bind to and advertise; Kafka nodes with their id and roles (KRaft controller, broker, or both);
 * Cassandra nodes; the Flink JobManager, its TaskManagers, SQL Gateway and ZooKeeper; the Connect workers
 * (one group); the registry, InfluxDB, monitoring and the Sluice services. One host with everything is
 * the default (default.ts): what the local launcher runs.
 *
 * The types and the JSON Schema are one source: ajv's JSONSchemaType makes tsc fail when they disagree.
 */
import type { JSONSchemaType } from 'ajv';

export type KafkaRole = 'broker' | 'controller';

export interface TopologyHost {
  /** The address the host's servers bind to and advertise (an IPv4 address or a DNS name other hosts resolve). */
  address: string;
}

export interface KafkaNodePlacement {
  /** The KRaft node id, 1 to 9: its ports are SLUICE_PORT_BASE + 10 × id + 2…5, as the launcher's. */
  id: number;
  host: string;
  roles: KafkaRole[];
}

export interface Topology {
  version: 1;
  hosts: Record<string, TopologyHost>;
  kafka: { nodes: KafkaNodePlacement[] };
  cassandra: {
    nodes: string[];
    /** The seed nodes' hosts; default: the first three nodes. */
    seeds?: string[];
  };
  influxdb: string;
  registry: string;
  flink: {
    jobmanager: string;
    taskmanagers: string[];
    /** Default: the JobManager's host. */
    sqlGateway?: string;
    /** The ZooKeeper of Flink's high availability (decision 0021); default: the JobManager's host. */
    zookeeper?: string;
  };
  /** Kafka Connect workers, one distributed group. */
  connect: { workers: string[] };
  monitoring: {
    prometheus: string;
    alertmanager: string;
    /** Grafana, where one is installed; default: Prometheus' host. */
    grafana?: string;
  };
  /** Sluice's own services. */
  services: {
    anomaly: string;
    /** The demo simulators (web, iot, finance). */
    simulators: string;
    /** The keyless API ingestors. */
    ingestors: string;
  };
}

export const HOST_NAME_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
export const MAX_KAFKA_NODE_ID = 9;

const host = (description: string) => ({ type: 'string', minLength: 1, description }) as const;
const optionalHost = (description: string) => ({ type: 'string', minLength: 1, nullable: true, description }) as const;
const hostList = (description: string, minItems = 1) =>
  ({ type: 'array', minItems, uniqueItems: true, items: { type: 'string', minLength: 1 }, description }) as const;

export const topologySchema: JSONSchemaType<Topology> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'version',
    'hosts',
    'kafka',
    'cassandra',
    'influxdb',
    'registry',
    'flink',
    'connect',
    'monitoring',
    'services',
  ],
  properties: {
    version: { type: 'integer', const: 1, description: 'the format of this file; 1' },
    hosts: {
      type: 'object',
      description: 'the hosts by name',
      minProperties: 1,
      propertyNames: { type: 'string', pattern: HOST_NAME_PATTERN },
      required: [],
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['address'],
        properties: {
          address: {
            type: 'string',
            pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$',
            description: 'the address its servers bind to and advertise',
          },
        },
      },
    },
    kafka: {
      type: 'object',
      additionalProperties: false,
      required: ['nodes'],
      properties: {
        nodes: {
          type: 'array',
          minItems: 1,
          description: 'the KRaft nodes',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'host', 'roles'],
            properties: {
              id: { type: 'integer', minimum: 1, maximum: MAX_KAFKA_NODE_ID, description: 'the node id' },
              host: host('the host it runs on'),
              roles: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'string', enum: ['broker', 'controller'] },
                description: 'controller, broker, or both (combined)',
              },
            },
          },
        },
      },
    },
    cassandra: {
      type: 'object',
      additionalProperties: false,
      required: ['nodes'],
      properties: {
        nodes: hostList('the hosts of the Cassandra nodes, one each'),
        seeds: { ...hostList('the seed nodes, by host'), nullable: true },
      },
    },
    influxdb: host("InfluxDB's host"),
    registry: host("the schema registry's host"),
    flink: {
      type: 'object',
      additionalProperties: false,
      required: ['jobmanager', 'taskmanagers'],
      properties: {
        jobmanager: host("the JobManager's host"),
        taskmanagers: hostList('the hosts of the TaskManagers, one each'),
        sqlGateway: optionalHost("the SQL Gateway's host"),
        zookeeper: optionalHost("the high-availability ZooKeeper's host"),
      },
    },
    connect: {
      type: 'object',
      additionalProperties: false,
      required: ['workers'],
      properties: { workers: hostList('the hosts of the Connect workers (one group), one each') },
    },
    monitoring: {
      type: 'object',
      additionalProperties: false,
      required: ['prometheus', 'alertmanager'],
      properties: {
        prometheus: host("Prometheus' host"),
        alertmanager: host("Alertmanager's host"),
        grafana: optionalHost("Grafana's host"),
      },
    },
    services: {
      type: 'object',
      additionalProperties: false,
      required: ['anomaly', 'simulators', 'ingestors'],
      properties: {
        anomaly: host("the anomaly service's host"),
        simulators: host("the demo simulators' host"),
        ingestors: host("the keyless API ingestors' host"),
      },
    },
  },
};
