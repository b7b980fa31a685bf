/**
 * Grafana with Sluice's provisioning (grafana/provisioning: datasources, dashboards, alert rules and the
 * Alertmanager contact point). No package registry reachable here distributes Grafana, so the launcher
 * runs one only when a `grafana` (or `grafana-server`) binary is on PATH, and otherwise says so and
 * skips it. The provisioning files read the platform's addresses from the environment given here.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { type GRAFANA_ENV_VARS } from '../../../grafana/src/environment';
import { INFLUX_DATABASE } from '../../../grafana/src/datasources';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { run } from '../processes';
import { forCondition, type WaitStrategy } from '../wait';
import { INFLUX_READER_SECRET, INFLUX_READER_USER, influxUrl } from './influxdb';
import { alertmanagerUrl, prometheusUrl, monitoringCredentials } from './monitoring';

export const GRAFANA_ADMIN_SECRET = 'grafana/admin';

export function grafanaUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.grafana}`;
}

/** `grafana server` (Grafana 10 and later) or the older `grafana-server`, with its home (public/, conf/). */
async function findGrafana(): Promise<{ command: string; args: string[]; home: string } | undefined> {
  for (const [binary, args] of [
    ['grafana', ['server']],
    ['grafana-server', []],
  ] as const) {
    const found = await run('sh', ['-c', `command -v ${binary}`]);
    if (found.code !== 0) continue;
    const path = realpathSync(found.stdout.trim());
    // A tarball keeps bin/ beside conf/; Debian's package keeps its home in /usr/share/grafana.
    const home = [dirname(dirname(path)), '/usr/share/grafana'].find((dir) =>
      existsSync(join(dir, 'conf', 'defaults.ini')),
    );
    if (home) return { command: path, args: [...args], home };
  }
  return undefined;
}

/** The variables grafana/provisioning reads (GRAFANA_ENV_VARS), from this platform. */
export function grafanaProvisioningEnv(ctx: PlatformContext): Record<(typeof GRAFANA_ENV_VARS)[number], string> {
  const monitoring = monitoringCredentials(ctx);
  return {
    SLUICE_INFLUX_URL: influxUrl(ctx),
    SLUICE_INFLUX_DATABASE: INFLUX_DATABASE,
    SLUICE_GRAFANA_INFLUX_USER: INFLUX_READER_USER,
    SLUICE_GRAFANA_INFLUX_PASSWORD: ctx.secrets.read(INFLUX_READER_SECRET) ?? '',
    SLUICE_PROMETHEUS_URL: prometheusUrl(ctx),
    SLUICE_ALERTMANAGER_URL: alertmanagerUrl(ctx),
    SLUICE_MONITORING_USER: monitoring.username,
    SLUICE_MONITORING_PASSWORD: monitoring.password,
    SLUICE_GRAFANA_DASHBOARDS_DIR: join(repoRoot(), 'grafana', 'dashboards'),
  };
}

async function answers(ctx: PlatformContext): Promise<boolean> {
  const response = await fetch(`${grafanaUrl(ctx)}/api/health`, { signal: AbortSignal.timeout(2000) }).catch(
    () => undefined,
  );
  return response?.status === 200;
}

let located: Awaited<ReturnType<typeof findGrafana>> | null = null;
async function grafanaBinary() {
  if (located === null) located = await findGrafana();
  return located;
}

export const grafana: Component = {
  name: 'grafana',
  dependsOn: ['prometheus', 'alertmanager'],
  stopGraceMs: 15_000,
  ports: (ctx) => [{ name: 'http (web UI, API)', port: ctx.ports.grafana }],

  async unavailable() {
    return (await grafanaBinary())
      ? undefined
      : 'no grafana binary on PATH (no package registry here distributes Grafana); the dashboards and alert rules are in grafana/, ready for any Grafana: see docs/guides/alerting-and-dashboards.md';
  },

  async install() {},

  async configure(ctx) {
    mkdirSync(join(ctx.paths.data, 'grafana'), { recursive: true });
    ctx.secrets.ensure(GRAFANA_ADMIN_SECRET);
  },

  daemon(ctx) {
    const binary = located;
    if (!binary) throw new Error('grafana: no binary on PATH');
    return {
      name: 'grafana',
      command: binary.command,
      args: [...binary.args, `--homepath=${binary.home}`],
      cwd: binary.home,
      env: {
        ...envOf(ctx),
        ...grafanaProvisioningEnv(ctx),
        GF_PATHS_PROVISIONING: join(repoRoot(), 'grafana', 'provisioning'),
        GF_PATHS_DATA: join(ctx.paths.data, 'grafana'),
        GF_PATHS_LOGS: ctx.paths.logs,
        GF_SERVER_HTTP_ADDR: ctx.host,
        GF_SERVER_HTTP_PORT: String(ctx.ports.grafana),
        GF_SECURITY_ADMIN_USER: 'admin',
        GF_SECURITY_ADMIN_PASSWORD: ctx.secrets.ensure(GRAFANA_ADMIN_SECRET),
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
        GF_USERS_ALLOW_SIGN_UP: 'false',
      },
      pidFile: pidFileOf(ctx, 'grafana'),
      logFile: logFileOf(ctx, 'grafana'),
    };
  },

  ready: (ctx): WaitStrategy[] => [
    forCondition(`Grafana (${grafanaUrl(ctx)}/api/health) to answer 200`, 120_000, () => answers(ctx)),
  ],
  healthy: answers,
};
