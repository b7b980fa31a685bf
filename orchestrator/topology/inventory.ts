/**
 * An Ansible inventory from a topology (cp-ansible's habit: one host group per component): every host in
 * the `sluice` group with its address (`ansible_host`, `sluice_host`) and the components it runs
 * (`sluice_components`), a group per component, and what every host must agree on as group variables:
 * the Kafka quorum voters and bootstrap list, the Cassandra seeds, the port base. The same hosts and
 * variables the existing play reads (`sluice_host`, `sluice_port_base`), so the play runs on it unchanged.
 */
import type { Topology } from './schema';
import { deriveLayout } from './derive';

/** Host groups by component (a Kafka node by its roles). */
const GROUPS: Array<[group: string, matches: (component: string) => boolean]> = [
  ['cassandra', (c) => c === 'cassandra'],
  ['influxdb', (c) => c === 'influxdb'],
  ['registry', (c) => c === 'registry'],
  ['flink_zookeeper', (c) => c === 'flink-zookeeper'],
  ['flink_jobmanager', (c) => c === 'flink-jobmanager'],
  ['flink_taskmanager', (c) => c === 'flink-taskmanager'],
  ['sql_gateway', (c) => c === 'sql-gateway'],
  ['connect', (c) => c === 'connect'],
  ['prometheus', (c) => c === 'prometheus'],
  ['alertmanager', (c) => c === 'alertmanager'],
  ['grafana', (c) => c === 'grafana'],
  ['sluice_services', (c) => c === 'anomaly' || c.startsWith('sim-') || c.startsWith('ingest-')],
];

export interface InventoryOptions {
  portBase: number;
  /** Variables every host gets (`ansible_user`, `ansible_become`, `sluice_install_from` …). */
  hostVars?: Record<string, unknown>;
}

type Hosts = Record<string, Record<string, unknown>>;

export function inventoryFromTopology(topology: Topology, options: InventoryOptions): Record<string, unknown> {
  const layout = deriveLayout(topology, options.portBase);
  const sluiceHosts: Hosts = {};
  for (const [name, host] of Object.entries(layout.hosts)) {
    sluiceHosts[name] = {
      ansible_host: host.address,
      sluice_host: host.address,
      sluice_components: host.components,
      ...options.hostVars,
    };
  }
  const group = (names: string[]) => ({ hosts: Object.fromEntries(names.map((n) => [n, {}])) as Hosts });
  const hostsOf = (matches: (component: string) => boolean) =>
    Object.entries(layout.hosts)
      .filter(([, h]) => h.components.some(matches))
      .map(([name]) => name);
  const kafkaHosts = (role: 'broker' | 'controller') => [
    ...new Set(topology.kafka.nodes.filter((n) => n.roles.includes(role)).map((n) => n.host)),
  ];
  const children: Record<string, unknown> = {
    sluice: {
      hosts: sluiceHosts,
      vars: {
        sluice_port_base: options.portBase,
        sluice_kafka_quorum_voters: layout.kafka.quorumVoters,
        sluice_kafka_bootstrap_servers: layout.kafka.bootstrapServers,
        sluice_cassandra_seeds: layout.cassandra.seeds.join(','),
      },
    },
    kafka_controller: group(kafkaHosts('controller')),
    kafka_broker: group(kafkaHosts('broker')),
  };
  for (const [name, matches] of GROUPS) children[name] = group(hostsOf(matches));
  return { all: { children } };
}
