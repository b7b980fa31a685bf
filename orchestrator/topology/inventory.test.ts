/** The Ansible inventory of a topology: every host in `sluice` with its part, a group per component. */
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../lib/repo';
import { defaultTopology } from './default';
import { inventoryFromTopology } from './inventory';
import { loadTopologyFile } from './load';

type Group = { hosts: Record<string, Record<string, unknown>>; vars?: Record<string, unknown> };

function groups(name: string, portBase = 29000): Record<string, Group> {
  const topology = loadTopologyFile(join(repoRoot(), 'ansible', 'topologies', `${name}.yaml`));
  const inventory = inventoryFromTopology(topology, { portBase, hostVars: { ansible_user: 'admin' } });
  // What Ansible reads is the YAML text: the inventory survives the round trip.
  return (parse(stringify(inventory)) as { all: { children: Record<string, Group> } }).all.children;
}

const names = (g: Group | undefined) => Object.keys(g?.hosts ?? {});

it('puts every host in the sluice group with its address, its components and the shared settings', () => {
  const children = groups('three-hosts', 31000);
  expect(names(children.sluice)).toEqual(['sluice-1', 'sluice-2', 'sluice-3']);
  expect(children.sluice!.hosts['sluice-2']).toEqual({
    ansible_host: '10.213.77.12',
    sluice_host: '10.213.77.12',
    sluice_components: ['kafka-2', 'cassandra', 'flink-taskmanager', 'connect', 'anomaly'],
    ansible_user: 'admin',
  });
  expect(children.sluice!.vars).toEqual({
    sluice_port_base: 31000,
    sluice_kafka_quorum_voters: '1@10.213.77.11:31013,2@10.213.77.12:31023,3@10.213.77.13:31033',
    sluice_kafka_bootstrap_servers: '10.213.77.11:31012,10.213.77.12:31022,10.213.77.13:31032',
    sluice_cassandra_seeds: '10.213.77.11:31161,10.213.77.12:31161,10.213.77.13:31161',
  });
});

it('makes a group per component, Kafka nodes by role (six hosts)', () => {
  const children = groups('six-hosts');
  expect(names(children.kafka_controller)).toEqual(['control-1', 'control-2', 'control-3']);
  expect(names(children.kafka_broker)).toEqual(['data-1', 'data-2', 'data-3']);
  expect(names(children.cassandra)).toEqual(['data-1', 'data-2', 'data-3']);
  expect(names(children.connect)).toEqual(['data-1', 'data-2', 'data-3']);
  expect(names(children.flink_jobmanager)).toEqual(['control-1']);
  expect(names(children.flink_taskmanager)).toEqual(['data-1', 'data-2', 'data-3']);
  expect(names(children.registry)).toEqual(['control-2']);
  expect(names(children.sluice_services)).toEqual(['control-1', 'control-2']);
  expect(names(children.grafana)).toEqual(['control-3']);
});

it('gives the default topology one host in every group', () => {
  const inventory = inventoryFromTopology(defaultTopology(), { portBase: 29000 }) as {
    all: { children: Record<string, Group> };
  };
  for (const [name, group] of Object.entries(inventory.all.children))
    expect([name, names(group)]).toEqual([name, ['local']]);
});
