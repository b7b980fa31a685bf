/**
 * The default topology: one host with everything, as the local launcher runs it (three combined Kafka
 * nodes, one of every other server, the services). `address` is SLUICE_HOST's value (default 127.0.0.1).
 */
import { KAFKA_NODE_IDS } from '../platform/ports';
import type { Topology } from './schema';

export const DEFAULT_HOST = 'local';

export function defaultTopology(address = '127.0.0.1'): Topology {
  const host = DEFAULT_HOST;
  return {
    version: 1,
    hosts: { [host]: { address } },
    kafka: { nodes: KAFKA_NODE_IDS.map((id) => ({ id, host, roles: ['broker', 'controller'] })) },
    cassandra: { nodes: [host] },
    influxdb: host,
    registry: host,
    flink: { jobmanager: host, taskmanagers: [host] },
    connect: { workers: [host] },
    monitoring: { prometheus: host, alertmanager: host },
    services: { anomaly: host, simulators: host, ingestors: host },
  };
}
