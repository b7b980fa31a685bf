/**
 * What a topology means for each host, as a pure function: the components it runs (named as the launcher
 * names them), the Kafka controller quorum's voters and the brokers' bootstrap list, the Cassandra seeds,
 * and every component's advertised addresses. Ports come from the port map's offsets (ports.ts), the same
 * on every host, so one base serves a cluster; Kafka nodes keep their per-id ports, so several fit on
 * one host (the default topology's three).
 */
import { DEFAULT_PORT_BASE, kafkaNodePorts, portMap } from '../platform/ports';
import type { KafkaNodePlacement, Topology } from './schema';

/** The launcher's component names in its start order (platform.ts `components`; a unit test checks they agree). */
export const COMPONENT_ORDER = [
  'kafka-*',
  'cassandra',
  'influxdb',
  'registry',
  'flink-zookeeper',
  'flink-jobmanager',
  'flink-taskmanager',
  'sql-gateway',
  'connect',
  'prometheus',
  'alertmanager',
  'grafana',
  'sim-web',
  'sim-iot',
  'sim-finance',
  'anomaly',
  'ingest-open-meteo',
  'ingest-yahoo',
] as const;

export interface HostLayout {
  address: string;
  /** The components it runs, in the launcher's order (`kafka-<id>` by id). */
  components: string[];
}

export interface Layout {
  hosts: Record<string, HostLayout>;
  kafka: {
    /** `controller.quorum.voters`: `id@address:controllerPort`, by id. */
    quorumVoters: string;
    /** The brokers' client listeners, by id: what clients bootstrap from. */
    bootstrapServers: string;
    controllers: number[];
    brokers: number[];
  };
  cassandra: {
    /** `address:storagePort` of each seed node. */
    seeds: string[];
  };
  /** `<host>/<component>` → port name → `address:port`: what each component binds to and advertises. */
  advertised: Record<string, Record<string, string>>;
}

const orderOf = (component: string): number => {
  const at = COMPONENT_ORDER.indexOf((component.startsWith('kafka-') ? 'kafka-*' : component) as never);
  return at === -1 ? COMPONENT_ORDER.length : at;
};

function byLauncherOrder(a: string, b: string): number {
  const diff = orderOf(a) - orderOf(b);
  if (diff !== 0) return diff;
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Each host's components, the quorum, the seeds and the advertised addresses of `topology`. */
export function deriveLayout(topology: Topology, portBase: number = DEFAULT_PORT_BASE): Layout {
  const ports = portMap(portBase);
  const address = (host: string): string => {
    const entry = topology.hosts[host];
    if (!entry) throw new Error(`no host '${host}' in the topology (parseTopology checks this)`);
    return entry.address;
  };
  const at = (host: string, port: number) => `${address(host)}:${port}`;
  const hosts: Record<string, HostLayout> = Object.fromEntries(
    Object.entries(topology.hosts).map(([name, h]) => [name, { address: h.address, components: [] }]),
  );
  const advertised: Record<string, Record<string, string>> = {};
  const place = (host: string, component: string, endpoints: Record<string, number>) => {
    hosts[host]!.components.push(component);
    advertised[`${host}/${component}`] = Object.fromEntries(
      Object.entries(endpoints).map(([name, port]) => [name, at(host, port)]),
    );
  };

  const nodes = [...topology.kafka.nodes].sort((a, b) => a.id - b.id);
  const has = (n: KafkaNodePlacement, role: 'broker' | 'controller') => n.roles.includes(role);
  for (const node of nodes) {
    const p = kafkaNodePorts(portBase, node.id);
    place(node.host, `kafka-${node.id}`, {
      ...(has(node, 'broker') ? { client: p.client, internal: p.internal } : {}),
      ...(has(node, 'controller') ? { controller: p.controller } : {}),
      metrics: p.metrics,
    });
  }
  for (const host of topology.cassandra.nodes)
    place(host, 'cassandra', { native: ports.cassandra.native, storage: ports.cassandra.storage });
  place(topology.influxdb, 'influxdb', { http: ports.influx.http });
  place(topology.registry, 'registry', { http: ports.registry });
  const flink = topology.flink;
  place(flink.zookeeper ?? flink.jobmanager, 'flink-zookeeper', { zookeeper: ports.flink.zookeeper });
  place(flink.jobmanager, 'flink-jobmanager', { rest: ports.flink.rest, rpc: ports.flink.rpc, blob: ports.flink.blob });
  for (const host of flink.taskmanagers) place(host, 'flink-taskmanager', { data: ports.flink.taskManagerData });
  place(flink.sqlGateway ?? flink.jobmanager, 'sql-gateway', { gateway: ports.flink.gateway });
  for (const host of topology.connect.workers)
    place(host, 'connect', { rest: ports.connect.rest, metrics: ports.connect.metrics });
  place(topology.monitoring.prometheus, 'prometheus', { http: ports.prometheus });
  place(topology.monitoring.alertmanager, 'alertmanager', { http: ports.alertmanager });
  place(topology.monitoring.grafana ?? topology.monitoring.prometheus, 'grafana', { http: ports.grafana });
  for (const source of ['web', 'iot', 'finance'] as const)
    place(topology.services.simulators, `sim-${source}`, { metrics: ports.simulators[source] });
  place(topology.services.anomaly, 'anomaly', { metrics: ports.services.anomaly });
  for (const api of ['open-meteo', 'yahoo'] as const)
    place(topology.services.ingestors, `ingest-${api}`, { metrics: ports.services[`ingest-${api}`] });

  for (const host of Object.values(hosts)) host.components.sort(byLauncherOrder);
  const controllers = nodes.filter((n) => has(n, 'controller'));
  const brokers = nodes.filter((n) => has(n, 'broker'));
  const seeds = topology.cassandra.seeds ?? topology.cassandra.nodes.slice(0, 3);
  return {
    hosts,
    kafka: {
      quorumVoters: controllers
        .map((n) => `${n.id}@${at(n.host, kafkaNodePorts(portBase, n.id).controller)}`)
        .join(','),
      bootstrapServers: brokers.map((n) => at(n.host, kafkaNodePorts(portBase, n.id).client)).join(','),
      controllers: controllers.map((n) => n.id),
      brokers: brokers.map((n) => n.id),
    },
    cassandra: { seeds: seeds.map((host) => at(host, ports.cassandra.storage)) },
    advertised,
  };
}
