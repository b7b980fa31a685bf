/**
 * docker-compose.yml against the rest of the repository (no Docker engine runs here, so the file cannot
 * be started in CI): Grafana gets every variable grafana/provisioning reads, at the addresses of the
 * platform's port map, and mounts the provisioning and dashboards that the launcher uses too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../lib/repo';
import { GRAFANA_ENV_VARS } from '../../grafana/src/environment';
import { INFLUX_DATABASE } from '../../grafana/src/datasources';
import { portMap } from '../../orchestrator/platform/ports';

interface Service {
  build?: string;
  image?: string;
  network_mode?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}
const compose = parse(readFileSync(join(repoRoot(), 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const ports = portMap(29000);

test('the platform service is the launcher, built from the repository, on the host network', () => {
  const platform = compose.services.platform!;
  expect(platform).toMatchObject({ build: '.', network_mode: 'host' });
  expect(readFileSync(join(repoRoot(), 'Dockerfile'), 'utf8')).toMatch(
    /CMD \["node", "bin\/sluice.js", "up", "--foreground"\]/,
  );
});

test('Grafana gets every variable grafana/provisioning reads, pointing at the port map', () => {
  const grafana = compose.services.grafana!;
  const env = grafana.environment!;
  const set = new Set([
    ...Object.keys(env),
    ...[...grafana.entrypoint!.join(' ').matchAll(/export ([A-Z_]+)=/g)].map((m) => m[1]!),
  ]);
  for (const name of GRAFANA_ENV_VARS) expect([name, set.has(name)]).toEqual([name, true]);
  expect(env).toMatchObject({
    GF_SERVER_HTTP_PORT: String(ports.grafana),
    SLUICE_INFLUX_URL: `http://127.0.0.1:${ports.influx.http}`,
    SLUICE_INFLUX_DATABASE: INFLUX_DATABASE,
    SLUICE_PROMETHEUS_URL: `http://127.0.0.1:${ports.prometheus}`,
    SLUICE_ALERTMANAGER_URL: `http://127.0.0.1:${ports.alertmanager}`,
  });
  for (const volume of grafana.volumes!.filter((v) => v.startsWith('./')))
    expect(existsSync(join(repoRoot(), volume.split(':')[0]!))).toBe(true);
  expect(grafana.volumes).toEqual(
    expect.arrayContaining([
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      `./grafana/dashboards:${env.SLUICE_GRAFANA_DASHBOARDS_DIR}:ro`,
    ]),
  );
});
