import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { parseTopology } from '../../orchestrator/topology/load';
import { onTestHosts } from './topology';

const threeHosts = readFileSync(join(repoRoot(), 'ansible/topologies/three-hosts.yaml'), 'utf8');

test("the three-host example on other addresses: every host's address replaced, the placements and comments kept", () => {
  const moved = onTestHosts(threeHosts, {
    'sluice-1': '10.99.0.11',
    'sluice-2': '10.99.0.12',
    'sluice-3': '10.99.0.13',
  });
  const before = parseTopology(threeHosts, 'three-hosts.yaml');
  const after = parseTopology(moved, 'moved.yaml');
  expect(after.hosts).toEqual({
    'sluice-1': { address: '10.99.0.11' },
    'sluice-2': { address: '10.99.0.12' },
    'sluice-3': { address: '10.99.0.13' },
  });
  expect({ ...after, hosts: undefined }).toEqual({ ...before, hosts: undefined });
  expect(moved).toContain('# Three hosts:');
});

test('a topology whose hosts are not the test hosts is refused, naming both', () => {
  expect(() => onTestHosts(threeHosts, { 'sluice-1': '10.99.0.11', 'sluice-2': '10.99.0.12' })).toThrow(
    "the topology's hosts (sluice-1, sluice-2, sluice-3) are not the test hosts (sluice-1, sluice-2)",
  );
  expect(() => onTestHosts('version: 1\n', { 'sluice-1': '10.99.0.11' })).toThrow(/hosts \(none\)/);
});
