/** A topology is refused with every problem and its path; the examples and the default are accepted. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SluiceError } from '../../lib/errors';
import { defaultTopology } from './default';
import { loadTopologyFile, parseTopology } from './load';
import type { Topology } from './schema';

function refusal(topology: unknown): SluiceError {
  try {
    parseTopology(stringify(topology), 'topology.yaml');
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const three = (): Topology => ({
  ...defaultTopology(),
  hosts: { a: { address: '10.213.77.11' }, b: { address: '10.213.77.12' }, c: { address: '10.213.77.13' } },
  kafka: {
    nodes: [
      { id: 1, host: 'a', roles: ['broker', 'controller'] },
      { id: 2, host: 'b', roles: ['broker', 'controller'] },
      { id: 3, host: 'c', roles: ['broker', 'controller'] },
    ],
  },
  cassandra: { nodes: ['a', 'b', 'c'] },
  influxdb: 'c',
  registry: 'a',
  flink: { jobmanager: 'a', taskmanagers: ['b', 'c'] },
  connect: { workers: ['b', 'c'] },
  monitoring: { prometheus: 'a', alertmanager: 'a' },
  services: { anomaly: 'b', simulators: 'c', ingestors: 'c' },
});

it('accepts the default and a sound three-host topology (the controls)', () => {
  expect(parseTopology(stringify(defaultTopology()), 't.yaml')).toEqual(defaultTopology());
  expect(parseTopology(JSON.stringify(three()), 't.json')).toEqual(three());
});

it('names every host no entry has, with a suggestion, at its path', () => {
  const t = three();
  t.flink.taskmanagers = ['b', 'x'];
  t.registry = 'aa';
  const error = refusal(t);
  expect(error.code).toBe('SLUICE_TOPOLOGY_INVALID');
  expect(error.message).toContain("flink.taskmanagers[1]: no host 'x' in hosts (hosts: a, b, c)");
  expect(error.message).toContain("registry: no host 'aa' in hosts (hosts: a, b, c)");
  expect(error.message).toMatch(/^topology\.yaml: 2 problem\(s\)/);
  const named = { ...three(), hosts: { 'sluice-1': { address: '10.213.77.11' } } } as Topology;
  expect(refusal(named).message).toContain("registry: no host 'a' in hosts (hosts: sluice-1)");
  named.registry = 'sluice-l';
  expect(refusal(named).message).toContain("registry: no host 'sluice-l' in hosts (did you mean sluice-1?)");
});

it('refuses a Kafka id used twice, a cluster without controller, seeds that are not nodes, shared addresses', () => {
  const t = three();
  t.kafka.nodes = [
    { id: 1, host: 'a', roles: ['broker'] },
    { id: 1, host: 'b', roles: ['broker'] },
  ];
  t.cassandra.seeds = ['a', 'b'];
  t.cassandra.nodes = ['a', 'c'];
  t.hosts.c = { address: '10.213.77.11' };
  const message = refusal(t).message;
  expect(message).toContain("kafka.nodes[1].id: 1 is also kafka.nodes[0]'s id");
  expect(message).toContain("kafka.nodes: no node has the role 'controller'");
  expect(message).toContain("cassandra.seeds[1]: 'b' is not a Cassandra node");
  expect(message).toContain("hosts.c.address: 10.213.77.11 is also hosts.a's");
});

it('reports schema errors with their paths: unknown keys, roles, ids, host names, missing sections', () => {
  const t = three() as unknown as Record<string, unknown>;
  (t.kafka as Topology['kafka']).nodes[0] = { id: 10, host: 'a', roles: ['leader' as never] };
  t.hosts = { ...(t.hosts as object), Bad_Host: { address: '10.213.77.14' } };
  (t.flink as Record<string, unknown>).taskManagers = ['b'];
  delete t.services;
  const message = refusal(t).message;
  expect(message).toContain('kafka.nodes[0].id: must be <= 9');
  expect(message).toContain('kafka.nodes[0].roles[0]: must be one of broker, controller');
  expect(message).toContain('hosts.Bad_Host: a host name is lower-case letters');
  expect(message).toContain('flink.taskManagers: unknown key');
  expect(message).toContain('services: missing');
});

it('refuses a missing file and what is not YAML', () => {
  expect(() => loadTopologyFile(join(mkdtempSync(join(tmpdir(), 'topo-')), 'none.yaml'))).toThrow(
    /no topology file at/,
  );
  expect(() => parseTopology('hosts: [', 't.yaml')).toThrow(/not YAML or JSON/);
});
