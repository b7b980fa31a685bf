/** The topology's derivations: the default is what the launcher runs; the examples give each host its part. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { bootstrapServers } from '../platform/components/kafka';
import { renderCassandraYaml } from '../platform/components/cassandra';
import { components, createContext } from '../platform/platform';
import { KAFKA_NODE_IDS } from '../platform/ports';
import { defaultTopology } from './default';
import { deriveLayout } from './derive';
import { loadTopologyFile, parseTopology } from './load';

const example = (name: string) => loadTopologyFile(join(repoRoot(), 'ansible', 'topologies', `${name}.yaml`));

describe('the default topology', () => {
  const ctx = createContext({
    SLUICE_HOME: mkdtempSync(join(tmpdir(), 'sluice-topology-')),
    SLUICE_PORT_BASE: '29000',
  });
  const layout = deriveLayout(defaultTopology(ctx.host), ctx.ports.base);

  it("places on its one host every component the launcher runs, in the launcher's order", () => {
    expect(Object.keys(layout.hosts)).toEqual(['local']);
    expect(layout.hosts.local!.components).toEqual(components.map((c) => c.name));
  });

  it("derives the launcher's quorum voters, bootstrap servers and Cassandra seed", () => {
    expect(layout.kafka.quorumVoters).toBe(
      KAFKA_NODE_IDS.map((n) => `${n}@${ctx.host}:${ctx.ports.kafka[n]!.controller}`).join(','),
    );
    expect(layout.kafka.bootstrapServers).toBe(bootstrapServers(ctx));
    expect(renderCassandraYaml(ctx)).toContain(`seeds: "${layout.cassandra.seeds.join(',')}"`);
  });

  it('is the one-host example', () => {
    expect(example('one-host')).toEqual(defaultTopology());
  });
});

describe('three hosts', () => {
  const layout = deriveLayout(example('three-hosts'));

  it('gives each host its Kafka node, Cassandra node and its share of the rest', () => {
    expect(layout.hosts['sluice-1']!.components).toEqual([
      'kafka-1',
      'cassandra',
      'registry',
      'flink-zookeeper',
      'flink-jobmanager',
      'sql-gateway',
      'prometheus',
      'alertmanager',
      'grafana',
    ]);
    expect(layout.hosts['sluice-2']!.components).toEqual([
      'kafka-2',
      'cassandra',
      'flink-taskmanager',
      'connect',
      'anomaly',
    ]);
    expect(layout.hosts['sluice-3']!.components).toEqual([
      'kafka-3',
      'cassandra',
      'influxdb',
      'flink-taskmanager',
      'connect',
      'sim-web',
      'sim-iot',
      'sim-finance',
      'ingest-open-meteo',
      'ingest-yahoo',
    ]);
  });

  it('makes a three-voter quorum, one per host, and three Cassandra seeds', () => {
    expect(layout.kafka.quorumVoters).toBe('1@10.213.77.11:29013,2@10.213.77.12:29023,3@10.213.77.13:29033');
    expect(layout.kafka.bootstrapServers).toBe('10.213.77.11:29012,10.213.77.12:29022,10.213.77.13:29032');
    expect(layout.cassandra.seeds).toEqual(['10.213.77.11:29161', '10.213.77.12:29161', '10.213.77.13:29161']);
  });

  it("advertises each component at its own host's address", () => {
    expect(layout.advertised['sluice-2/connect']).toEqual({
      rest: '10.213.77.12:29110',
      metrics: '10.213.77.12:29111',
    });
    expect(layout.advertised['sluice-3/flink-taskmanager']).toEqual({ data: '10.213.77.13:29124' });
    expect(layout.advertised['sluice-1/flink-jobmanager']!.rest).toBe('10.213.77.11:29120');
    expect(layout.advertised['sluice-1/kafka-1']).toEqual({
      client: '10.213.77.11:29012',
      internal: '10.213.77.11:29014',
      controller: '10.213.77.11:29013',
      metrics: '10.213.77.11:29015',
    });
  });
});

describe('six hosts', () => {
  const layout = deriveLayout(example('six-hosts'), 30000);

  it('votes with the dedicated controllers only, and bootstraps from the brokers only', () => {
    expect(layout.kafka.controllers).toEqual([1, 2, 3]);
    expect(layout.kafka.brokers).toEqual([4, 5, 6]);
    expect(layout.kafka.quorumVoters).toBe('1@10.213.77.11:30013,2@10.213.77.12:30023,3@10.213.77.13:30033');
    expect(layout.kafka.bootstrapServers).toBe('10.213.77.21:30042,10.213.77.22:30052,10.213.77.23:30062');
  });

  it('gives a controller no client listener and a broker no controller listener', () => {
    expect(layout.advertised['control-1/kafka-1']).toEqual({
      controller: '10.213.77.11:30013',
      metrics: '10.213.77.11:30015',
    });
    expect(Object.keys(layout.advertised['data-1/kafka-4']!).sort()).toEqual(['client', 'internal', 'metrics']);
  });

  it('puts the data components on the data hosts', () => {
    for (const host of ['data-1', 'data-2', 'data-3'])
      expect(layout.hosts[host]!.components).toEqual([
        `kafka-${Number(host.slice(-1)) + 3}`,
        'cassandra',
        'flink-taskmanager',
        'connect',
      ]);
  });
});

describe('docs/guides/deploy-ansible.md', () => {
  it('shows the three-host example as it is (a documented example is a test)', () => {
    const guide = readFileSync(join(repoRoot(), 'docs', 'guides', 'deploy-ansible.md'), 'utf8');
    const shown = /```yaml\n([\s\S]*?)```/.exec(guide.slice(guide.indexOf('## Topology')))?.[1];
    expect(parseTopology(shown ?? '', 'deploy-ansible.md')).toEqual(example('three-hosts'));
  });
});

describe('every example', () => {
  it.each(['one-host', 'three-hosts', 'six-hosts'])(
    '%s places each single component once, and nothing the launcher does not know',
    (name) => {
      const layout = deriveLayout(example(name));
      const placed = Object.values(layout.hosts).flatMap((h) => h.components);
      const known = components.map((c) => c.name);
      expect(placed.filter((c) => !known.includes(c) && !/^kafka-\d$/.test(c))).toEqual([]);
      for (const single of known.filter((c) => !/^kafka-|^cassandra$|^connect$|^flink-taskmanager$/.test(c)))
        expect([name, single, placed.filter((c) => c === single).length]).toEqual([name, single, 1]);
    },
  );
});
