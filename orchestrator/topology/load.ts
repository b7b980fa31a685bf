/**
 * Reading a topology file (schema.ts): YAML or JSON, the schema (ajv, every error), then the checks a
 * schema cannot express, each with its path: every host a placement names exists, Kafka ids are unique,
 * the quorum has a controller and the cluster a broker, seeds are Cassandra nodes, hosts' addresses differ.
 */
import { existsSync, readFileSync } from 'node:fs';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { SluiceError, messageOf } from '../../lib/errors';
import { closest } from '../../lib/suggest';
import { describeSchemaErrors } from '../lib/schema-errors';
import { topologySchema, type Topology } from './schema';

const FIX = 'see docs/guides/deploy-ansible.md#topology and the examples in ansible/topologies/';

let compiled: ValidateFunction<Topology> | undefined;

function validator(): ValidateFunction<Topology> {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(topologySchema);
  return compiled;
}

/** Every place a topology names a host, with its path. */
export function hostReferences(topology: Topology): Array<{ path: string; host: string }> {
  const refs: Array<{ path: string; host: string }> = [];
  const one = (path: string, host: string | undefined) => {
    if (host !== undefined) refs.push({ path, host });
  };
  const list = (path: string, hosts: readonly string[] | undefined) =>
    hosts?.forEach((host, i) => refs.push({ path: `${path}[${i}]`, host }));
  topology.kafka.nodes.forEach((node, i) => one(`kafka.nodes[${i}].host`, node.host));
  list('cassandra.nodes', topology.cassandra.nodes);
  list('cassandra.seeds', topology.cassandra.seeds);
  one('influxdb', topology.influxdb);
  one('registry', topology.registry);
  one('flink.jobmanager', topology.flink.jobmanager);
  list('flink.taskmanagers', topology.flink.taskmanagers);
  one('flink.sqlGateway', topology.flink.sqlGateway);
  one('flink.zookeeper', topology.flink.zookeeper);
  list('connect.workers', topology.connect.workers);
  one('monitoring.prometheus', topology.monitoring.prometheus);
  one('monitoring.alertmanager', topology.monitoring.alertmanager);
  one('monitoring.grafana', topology.monitoring.grafana);
  one('services.anomaly', topology.services.anomaly);
  one('services.simulators', topology.services.simulators);
  one('services.ingestors', topology.services.ingestors);
  return refs;
}

/** What the schema cannot say, one `path: problem` line each; empty when the topology is sound. */
export function topologyIssues(topology: Topology): string[] {
  const issues: string[] = [];
  const hosts = Object.keys(topology.hosts);
  for (const { path, host } of hostReferences(topology)) {
    if (Object.hasOwn(topology.hosts, host)) continue;
    const meant = closest(host, hosts);
    issues.push(
      `${path}: no host '${host}' in hosts (${meant ? `did you mean ${meant}?` : `hosts: ${hosts.join(', ')}`})`,
    );
  }
  const ids = new Map<number, number>();
  topology.kafka.nodes.forEach((node, i) => {
    const first = ids.get(node.id);
    if (first !== undefined) issues.push(`kafka.nodes[${i}].id: ${node.id} is also kafka.nodes[${first}]'s id`);
    else ids.set(node.id, i);
  });
  if (!topology.kafka.nodes.some((n) => n.roles.includes('controller')))
    issues.push(
      "kafka.nodes: no node has the role 'controller': KRaft needs a controller quorum (three for a cluster)",
    );
  if (!topology.kafka.nodes.some((n) => n.roles.includes('broker')))
    issues.push("kafka.nodes: no node has the role 'broker'");
  topology.cassandra.seeds?.forEach((seed, i) => {
    if (!topology.cassandra.nodes.includes(seed))
      issues.push(`cassandra.seeds[${i}]: '${seed}' is not a Cassandra node (cassandra.nodes)`);
  });
  const byAddress = new Map<string, string>();
  for (const [name, { address }] of Object.entries(topology.hosts)) {
    const other = byAddress.get(address);
    if (other !== undefined)
      issues.push(`hosts.${name}.address: ${address} is also hosts.${other}'s (their ports would collide)`);
    else byAddress.set(address, name);
  }
  return issues;
}

/** Parses, validates and checks the text of a topology file (`file` names it in errors). */
export function parseTopology(text: string, file: string): Topology {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new SluiceError('SLUICE_TOPOLOGY_INVALID', `${file}: not YAML or JSON: ${messageOf(error)}`, {
      path: file,
      cause: error,
      fix: FIX,
    });
  }
  const validate = validator();
  const issues = validate(raw)
    ? topologyIssues(raw)
    : describeSchemaErrors(
        validate.errors ?? [],
        'a host name is lower-case letters, digits and inner hyphens (at most 63)',
      );
  if (issues.length) {
    throw new SluiceError(
      'SLUICE_TOPOLOGY_INVALID',
      `${file}: ${issues.length} problem(s):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      { path: file, fix: FIX },
    );
  }
  return raw as Topology;
}

export function loadTopologyFile(file: string): Topology {
  if (!existsSync(file))
    throw new SluiceError('SLUICE_TOPOLOGY_INVALID', `no topology file at ${file}`, { path: file, fix: FIX });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SluiceError('SLUICE_TOPOLOGY_INVALID', `cannot read ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
  return parseTopology(text, file);
}
