/**
 * One port map for the whole platform, offset from a configurable base (SLUICE_PORT_BASE, default 29000)
 * so that nothing uses the defaults that Kafka, Connect, the SQL Gateway, Apicurio, Prometheus and
 * Alertmanager share (8080, 8083, 9090, 9092, 9093 …). docs/guides/local-platform.md prints this map.
 */
import { SluiceError } from '../../lib/errors';

export const DEFAULT_PORT_BASE = 29000;
export const KAFKA_NODE_IDS = [1, 2, 3] as const;

export interface KafkaNodePorts {
  /** SASL_SSL listener for clients. */
  client: number;
  /** KRaft controller quorum, mutual TLS. */
  controller: number;
  /** Replication between brokers, mutual TLS. */
  internal: number;
  /** Prometheus JMX exporter agent (plain HTTP /metrics, loopback). */
  metrics: number;
}

export interface PortMap {
  base: number;
  kafka: Record<number, KafkaNodePorts>;
  /** Apicurio Registry HTTP (Confluent-compatible API under /apis/ccompat/v7, health under /health). */
  registry: number;
  /**
   * Flink: JobManager REST (web UI), SQL Gateway REST, the internal RPC, data and blob ports (the
   * TaskManager's RPC port is left to the OS), and the ZooKeeper that keeps the JobManager's jobs (HA).
   */
  flink: { rest: number; gateway: number; rpc: number; zookeeper: number; taskManagerData: number; blob: number };
  /** Kafka Connect: REST API (basic auth) and its JMX exporter. */
  connect: { rest: number; metrics: number };
  /** Flink's Prometheus reporter: a range, each Flink process takes the first free port of it. */
  flinkMetrics: { first: number; last: number };
  prometheus: number;
  alertmanager: number;
  grafana: number;
  /** Cassandra: CQL native protocol, inter-node storage, JMX (loopback). */
  cassandra: { native: number; storage: number; jmx: number };
  /** InfluxDB: HTTP API, and the RPC port of its backup service. */
  influx: { http: number; rpc: number };
  /** Prometheus /metrics of the demo simulators that `sluice up` runs. */
  simulators: { web: number; iot: number; finance: number };
  /** Prometheus /metrics of Sluice's other services: the anomaly service and the keyless API ingestors `sluice up` runs. */
  services: { anomaly: number; 'ingest-open-meteo': number; 'ingest-yahoo': number };
  /** The supervisor's Prometheus /metrics (its control API is a Unix socket, not a port). */
  supervisor: number;
}

/** The ports of Kafka node `id` (1 to 9: base + 10 × id + 2…5, below the registry's base + 100). */
export function kafkaNodePorts(base: number, id: number): KafkaNodePorts {
  return {
    client: base + 10 * id + 2,
    controller: base + 10 * id + 3,
    internal: base + 10 * id + 4,
    metrics: base + 10 * id + 5,
  };
}

export function portBase(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SLUICE_PORT_BASE;
  if (raw === undefined || raw === '') return DEFAULT_PORT_BASE;
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `SLUICE_PORT_BASE=${raw} is not a usable port base`, {
      path: 'SLUICE_PORT_BASE',
      fix: 'use an integer from 1024 to 65000, e.g. 29000 (ports base+0 … base+499 are used)',
    });
  }
  return base;
}

/** Ports base+0 … base+PORT_SPAN-1 are the platform's (see portMap). */
export const PORT_SPAN = 500;

/**
 * Why a port base is a poor choice on this kernel, or undefined: ports inside the ephemeral range
 * (`net.ipv4.ip_local_port_range`) can be taken by any outgoing connection while their server is down, so
 * a server restarted after a crash may find its own port in use (seen: a Kafka broker killed with -9 failed
 * its first restart with "Address already in use" at base 33000; the supervisor's second attempt worked).
 */
export function ephemeralOverlap(base: number, ephemeral: readonly [number, number]): string | undefined {
  const [low, high] = ephemeral;
  const last = base + PORT_SPAN - 1;
  if (last < low || base > high) return undefined;
  return (
    `ports ${base}-${last} overlap the kernel's ephemeral port range ${low}-${high}: an outgoing connection can ` +
    `take a server's port while it restarts; a base below ${low - PORT_SPAN} (e.g. the default ${DEFAULT_PORT_BASE}) avoids it`
  );
}

/** The port map of `env`'s SLUICE_PORT_BASE (process.env by default), or of a base given as a number. */
export function portMap(from: number | NodeJS.ProcessEnv = process.env): PortMap {
  const base = typeof from === 'number' ? from : portBase(from);
  const kafka: Record<number, KafkaNodePorts> = {};
  for (const id of KAFKA_NODE_IDS) kafka[id] = kafkaNodePorts(base, id);
  const flink = {
    rest: base + 120,
    gateway: base + 121,
    rpc: base + 122,
    zookeeper: base + 123,
    taskManagerData: base + 124,
    blob: base + 125,
  };
  return {
    base,
    kafka,
    registry: base + 100,
    flink,
    connect: { rest: base + 110, metrics: base + 111 },
    flinkMetrics: { first: base + 126, last: base + 128 },
    prometheus: base + 130,
    alertmanager: base + 140,
    grafana: base + 150,
    cassandra: { native: base + 160, storage: base + 161, jmx: base + 162 },
    influx: { http: base + 170, rpc: base + 171 },
    simulators: { web: base + 180, iot: base + 181, finance: base + 182 },
    services: { anomaly: base + 190, 'ingest-open-meteo': base + 191, 'ingest-yahoo': base + 192 },
    supervisor: base + 195,
  };
}

/** Every (name, port) pair, for the collision check and the `status` table. */
export function allPorts(map: PortMap): Array<{ owner: string; name: string; port: number }> {
  const out: Array<{ owner: string; name: string; port: number }> = [];
  for (const [id, ports] of Object.entries(map.kafka)) {
    for (const [name, port] of Object.entries(ports)) out.push({ owner: `kafka-${id}`, name, port });
  }
  out.push({ owner: 'registry', name: 'http', port: map.registry });
  for (const [name, port] of Object.entries(map.flink)) out.push({ owner: 'flink', name, port });
  for (let port = map.flinkMetrics.first; port <= map.flinkMetrics.last; port++)
    out.push({ owner: 'flink', name: 'metrics', port });
  for (const [name, port] of Object.entries(map.connect)) out.push({ owner: 'connect', name, port });
  out.push(
    { owner: 'prometheus', name: 'http', port: map.prometheus },
    { owner: 'alertmanager', name: 'http', port: map.alertmanager },
    { owner: 'grafana', name: 'http', port: map.grafana },
  );
  for (const [name, port] of Object.entries(map.cassandra)) out.push({ owner: 'cassandra', name, port });
  for (const [name, port] of Object.entries(map.influx)) out.push({ owner: 'influxdb', name, port });
  for (const [source, port] of Object.entries(map.simulators))
    out.push({ owner: `sim-${source}`, name: 'metrics', port });
  for (const [service, port] of Object.entries(map.services)) out.push({ owner: service, name: 'metrics', port });
  out.push({ owner: 'supervisor', name: 'metrics', port: map.supervisor });
  return out;
}
