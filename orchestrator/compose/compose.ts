/**
 * docker-compose.components.yml, generated (npm run generate) from the launcher's components (names,
 * dependencies, ports, stop grace), the one-host topology and the port map: one service per component,
 * each running `sluice platform run <component>` from the platform image (the same install, templates,
 * certificates and secrets as `sluice up`; foreground.ts), with the component's health probe as its
 * healthcheck, a restart policy in place of the supervisor, and a named volume for its data. `init`
 * installs every server into the cache volume first; `pipeline` applies pipeline.yaml once the platform is
 * healthy, and the workloads (simulators, ingestors, anomaly service) start after it, as with `sluice up`.
 * Grafana runs from its official image, as in docker-compose.yml.
 *
 * Every service uses the host's network and pid namespace: the servers bind 127.0.0.1 on the port map, as
 * a local install does (the certificates name 127.0.0.1 and localhost), and the pid files in the shared
 * data dir mean the same process in every container (status, deploy-pipeline and the configure lock read
 * them). A multi-host cluster is Ansible's (docs/guides/deploy-ansible.md), not this file's.
 */
import { stringify } from 'yaml';
import { createLogger } from '../../lib/log';
import type { Component } from '../platform/component';
import { components, createContext } from '../platform/platform';
import { DEFAULT_PORT_BASE, portMap, type PortMap } from '../platform/ports';
import { deriveLayout } from '../topology/derive';
import { defaultTopology } from '../topology/default';

export const COMPOSE_FILE = 'docker-compose.components.yml';
export const IMAGE = 'sluice/platform:0.1.0';
export const HOME = '/var/lib/sluice';
export const CACHE = '/var/cache/sluice';
const GRAFANA_IMAGE = 'grafana/grafana-oss:11.6.0';

/** Where each component keeps its data under SLUICE_HOME/data (the components' own code), as a named volume. */
export const DATA_VOLUMES: Record<string, { volume: string; dir: string }> = {
  'kafka-1': { volume: 'kafka-1-data', dir: 'kafka-1' },
  'kafka-2': { volume: 'kafka-2-data', dir: 'kafka-2' },
  'kafka-3': { volume: 'kafka-3-data', dir: 'kafka-3' },
  cassandra: { volume: 'cassandra-data', dir: 'cassandra' },
  influxdb: { volume: 'influxdb-data', dir: 'influxdb' },
  'flink-zookeeper': { volume: 'flink-zookeeper-data', dir: 'flink/zookeeper' },
  // Checkpoints and savepoints: the JobManager, the TaskManager and the SQL Gateway share them.
  'flink-jobmanager': { volume: 'flink-data', dir: 'flink' },
  'flink-taskmanager': { volume: 'flink-data', dir: 'flink' },
  'sql-gateway': { volume: 'flink-data', dir: 'flink' },
  prometheus: { volume: 'prometheus-data', dir: 'prometheus' },
  alertmanager: { volume: 'alertmanager-data', dir: 'alertmanager' },
};

/** Longer than the component's own grace: the JobManager's beforeStop takes savepoints of every job first. */
const EXTRA_GRACE_S: Record<string, number> = { 'flink-jobmanager': 150 };

type Service = Record<string, unknown>;

const sluice = (...args: string[]) => ['node', 'bin/sluice.js', ...args];

function platformService(command: string[], volumes: string[], more: Service = {}): Service {
  return {
    image: IMAGE,
    // Built once by `init`; never pulled (no registry has it).
    pull_policy: 'never',
    network_mode: 'host',
    pid: 'host',
    command,
    volumes: [`sluice-home:${HOME}`, `sluice-cache:${CACHE}`, ...volumes],
    ...more,
  };
}

/** The `sluice.ports` label: `name=port` pairs of the component's ports, each named by its first word (`client (SASL_SSL)` → `client`). */
export function portsLabel(ports: Array<{ name: string; port: number }>): string {
  return ports.map((p) => `${p.name.replace(/[^A-Za-z0-9-].*$/, '')}=${p.port}`).join(',');
}

function componentService(c: Component, ports: Array<{ name: string; port: number }>, after: string[]): Service {
  const data = DATA_VOLUMES[c.name];
  const dependsOn: Record<string, { condition: string }> = {
    init: { condition: 'service_completed_successfully' },
  };
  for (const d of c.dependsOn) dependsOn[d] = { condition: 'service_healthy' };
  for (const d of after) dependsOn[d] = { condition: 'service_completed_successfully' };
  return platformService(sluice('platform', 'run', c.name), data ? [`${data.volume}:${HOME}/data/${data.dir}`] : [], {
    depends_on: dependsOn,
    healthcheck: {
      test: ['CMD', ...sluice('platform', 'health', c.name)],
      interval: '15s',
      timeout: '10s',
      retries: 3,
      start_period: '5m',
    },
    restart: 'unless-stopped',
    stop_grace_period: `${Math.ceil(c.stopGraceMs / 1000) + (EXTRA_GRACE_S[c.name] ?? 10)}s`,
    labels: { 'sluice.component': c.name, 'sluice.ports': portsLabel(ports) },
  });
}

/** Grafana's official image with Sluice's provisioning, as in docker-compose.yml, its admin password a compose secret. */
function grafanaService(ports: PortMap, dependsOn: string[]): Service {
  return {
    image: GRAFANA_IMAGE,
    network_mode: 'host',
    depends_on: Object.fromEntries(dependsOn.map((d) => [d, { condition: 'service_healthy' }])),
    // Root, to read the platform's secret store (mode 0600) for the InfluxDB reader's and monitoring passwords.
    user: '0:0',
    environment: {
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_SERVER_HTTP_PORT: String(ports.grafana),
      GF_SECURITY_ADMIN_PASSWORD__FILE: '/run/secrets/grafana_admin_password',
      GF_USERS_ALLOW_SIGN_UP: 'false',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      SLUICE_INFLUX_URL: `http://127.0.0.1:${ports.influx.http}`,
      SLUICE_INFLUX_DATABASE: 'sluice',
      SLUICE_GRAFANA_INFLUX_USER: 'grafana',
      SLUICE_PROMETHEUS_URL: `http://127.0.0.1:${ports.prometheus}`,
      SLUICE_ALERTMANAGER_URL: `http://127.0.0.1:${ports.alertmanager}`,
      SLUICE_MONITORING_USER: 'monitoring-admin',
      SLUICE_GRAFANA_DASHBOARDS_DIR: '/var/lib/sluice-dashboards',
    },
    secrets: ['grafana_admin_password'],
    entrypoint: [
      'sh',
      '-c',
      [
        `export SLUICE_GRAFANA_INFLUX_PASSWORD="$$(cat ${HOME}/secrets/influxdb/grafana)";`,
        `export SLUICE_MONITORING_PASSWORD="$$(cat ${HOME}/secrets/monitoring/admin)";`,
        'exec /run.sh',
      ].join(' '),
    ],
    healthcheck: {
      test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${ports.grafana}/api/health`],
      interval: '15s',
      timeout: '10s',
      retries: 3,
      start_period: '2m',
    },
    restart: 'unless-stopped',
    volumes: [
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      './grafana/dashboards:/var/lib/sluice-dashboards:ro',
      `sluice-home:${HOME}:ro`,
      'grafana-data:/var/lib/grafana',
    ],
    labels: { 'sluice.component': 'grafana', 'sluice.ports': `http=${ports.grafana}` },
  };
}

/** The compose file as data: services in the launcher's order, named volumes, the compose secret. */
export function composeFile(base = DEFAULT_PORT_BASE): Record<string, unknown> {
  const ctx = createContext(
    { SLUICE_HOME: HOME, SLUICE_CACHE_DIR: CACHE, SLUICE_PORT_BASE: String(base) },
    createLogger({ level: 'error' }),
  );
  const ports = portMap(base);
  // The one-host topology says which components run (all of them, on one host): one service each.
  const [host] = Object.values(deriveLayout(defaultTopology(), base).hosts);
  const byName = new Map(components.map((c) => [c.name, c]));
  const platformNames = host!.components.filter((n) => !byName.get(n)?.workload && n !== 'grafana');
  const services: Record<string, Service> = {
    init: platformService(sluice('platform', 'install'), [], { build: '.', pull_policy: 'build', restart: 'no' }),
  };
  for (const name of host!.components) {
    const c = byName.get(name);
    if (!c) throw new Error(`the one-host topology places '${name}', which the launcher does not know`);
    if (name === 'grafana') {
      services.grafana = grafanaService(ports, c.dependsOn.concat('influxdb'));
      continue;
    }
    if (c.workload && !services.pipeline)
      services.pipeline = platformService(sluice('deploy-pipeline'), [], {
        depends_on: Object.fromEntries(platformNames.map((n) => [n, { condition: 'service_healthy' }])),
        restart: 'no',
      });
    services[name] = componentService(c, c.ports(ctx), c.workload ? ['pipeline'] : []);
  }
  const volumes = [
    'sluice-home',
    'sluice-cache',
    ...new Set(Object.values(DATA_VOLUMES).map((v) => v.volume)),
    'grafana-data',
  ];
  return {
    services,
    volumes: Object.fromEntries(volumes.map((v) => [v, {}])),
    secrets: { grafana_admin_password: { file: './secrets/grafana-admin-password' } },
  };
}

export function renderCompose(base = DEFAULT_PORT_BASE): string {
  return [
    `# Generated by npm run generate from the launcher's components, the one-host topology and the port map`,
    `# (orchestrator/compose/compose.ts): edit those, not this file. One service per component, each`,
    `# \`sluice platform run <component>\` in the platform image; docs/guides/deploy-docker-compose.md.`,
    `#   mkdir -p secrets && head -c 18 /dev/urandom | base64 > secrets/grafana-admin-password`,
    `#   docker compose -f ${COMPOSE_FILE} up -d --build`,
    // YAML 1.1, as docker-compose reads it: `restart: 'no'` stays a string, not false.
    stringify(composeFile(base), { lineWidth: 0, version: '1.1' }),
  ].join('\n');
}
