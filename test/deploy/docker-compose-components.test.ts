/**
 * docker-compose.components.yml (generated: orchestrator/compose/compose.ts) against the launcher, the
 * one-host topology and the port map, and against Debian's docker-compose (`docker-compose config`). No
 * Docker engine runs where Sluice is developed: the file is validated here, never started.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLogger } from '../../lib/log';
import { repoRoot } from '../../lib/repo';
import { COMPOSE_FILE, DATA_VOLUMES, portsLabel } from '../../orchestrator/compose/compose';
import { components, createContext } from '../../orchestrator/platform/platform';
import { allPorts, portMap } from '../../orchestrator/platform/ports';
import { deriveLayout } from '../../orchestrator/topology/derive';
import { defaultTopology } from '../../orchestrator/topology/default';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  network_mode?: string;
  pid?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
  labels?: Record<string, string>;
  environment?: Record<string, string>;
  secrets?: string[];
}
const text = readFileSync(join(repoRoot(), COMPOSE_FILE), 'utf8');
const compose = parse(text, { version: '1.1' }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
const base = 29000;
const ctx = createContext(
  { SLUICE_HOME: '/var/lib/sluice', SLUICE_CACHE_DIR: '/var/cache/sluice', SLUICE_PORT_BASE: String(base) },
  createLogger({ level: 'error' }),
);
const oneHost = Object.values(deriveLayout(defaultTopology(), base).hosts)[0]!.components;
const byName = new Map(components.map((c) => [c.name, c]));

test('one service per component of the one-host topology, plus init (installs) and pipeline (deploys)', () => {
  expect(Object.keys(services).filter((s) => s !== 'init' && s !== 'pipeline')).toEqual(oneHost);
  expect(oneHost).toEqual(components.map((c) => c.name));
  for (const name of oneHost.filter((n) => n !== 'grafana'))
    expect([name, services[name]!.command]).toEqual([name, ['node', 'bin/sluice.js', 'platform', 'run', name]]);
  expect(services.init).toMatchObject({ build: '.', command: ['node', 'bin/sluice.js', 'platform', 'install'] });
  expect(services.pipeline!.command).toEqual(['node', 'bin/sluice.js', 'deploy-pipeline']);
});

test("each service's ports are its component's, and together they are the port map (less the supervisor and Flink's metrics range)", () => {
  const map = portMap(base);
  const owners = new Map(allPorts(map).map((p) => [p.port, p.owner]));
  const listed: number[] = [];
  for (const name of oneHost) {
    const label = services[name]!.labels!['sluice.ports']!;
    expect([name, label]).toEqual([name, portsLabel(byName.get(name)!.ports(ctx))]);
    for (const pair of label.split(',')) {
      const port = Number(pair.split('=')[1]);
      const owner = owners.get(port);
      expect([name, port, owner]).toEqual([
        name,
        port,
        name.startsWith('flink-') || name === 'sql-gateway' ? 'flink' : name,
      ]);
      listed.push(port);
    }
  }
  const metrics = map.flinkMetrics;
  const expected = allPorts(map)
    .filter((p) => p.owner !== 'supervisor' && !(p.port >= metrics.first && p.port <= metrics.last))
    .map((p) => p.port);
  expect([...listed].sort()).toEqual([...expected].sort());
});

test('healthchecks, dependencies, restart policies, named volumes and a secret from a file', () => {
  for (const [name, service] of Object.entries(services)) {
    expect([name, service.network_mode]).toEqual([name, 'host']);
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect([name, dependency, dependency in services]).toEqual([name, dependency, true]);
      if (condition === 'service_healthy')
        expect([dependency, Boolean(services[dependency]!.healthcheck)]).toEqual([dependency, true]);
    }
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (!source.startsWith('./')) expect([name, source, source in compose.volumes]).toEqual([name, source, true]);
    }
    for (const [key, value] of Object.entries(service.environment ?? {}))
      if (/PASSWORD/.test(key)) expect([key, value]).toEqual([key, expect.stringMatching(/^\/run\/secrets\//)]);
  }
  for (const name of oneHost) {
    expect([name, services[name]!.healthcheck, services[name]!.restart]).toEqual([
      name,
      expect.anything(),
      'unless-stopped',
    ]);
  }
  expect([services.init!.restart, services.pipeline!.restart]).toEqual(['no', 'no']);
  // The workloads start after the pipeline is deployed (their principals and schemas), as with `sluice up`.
  for (const c of components.filter((c) => c.workload))
    expect(services[c.name]!.depends_on!.pipeline).toEqual({ condition: 'service_completed_successfully' });
  for (const [name, { volume, dir }] of Object.entries(DATA_VOLUMES))
    expect(services[name]!.volumes).toContain(`${volume}:/var/lib/sluice/data/${dir}`);
  expect(services.grafana!.secrets).toEqual(['grafana_admin_password']);
  expect(compose.secrets).toEqual({ grafana_admin_password: { file: './secrets/grafana-admin-password' } });
  expect(text).not.toMatch(/^\s*restart: no$/m); // docker-compose reads YAML 1.1: an unquoted no is false
});

const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
const missing = dockerCompose.status !== 0;
(missing ? test.skip : test)(
  missing
    ? 'docker-compose config accepts the file (SKIPPED: docker-compose is not installed; apt-get install -y docker-compose)'
    : "docker-compose config accepts the file (Debian's docker-compose)",
  () => {
    const config = spawnSync('docker-compose', ['-f', COMPOSE_FILE, 'config', '-q'], {
      cwd: repoRoot(),
      encoding: 'utf8',
    });
    expect(config.stderr).toBe('');
    expect(config.status).toBe(0);
    const listed = spawnSync('docker-compose', ['-f', COMPOSE_FILE, 'config', '--services'], {
      cwd: repoRoot(),
      encoding: 'utf8',
    });
    expect(listed.stdout.trim().split('\n').sort()).toEqual(Object.keys(services).sort());
  },
);
