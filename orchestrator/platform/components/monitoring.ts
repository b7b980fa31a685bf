/**
 * Monitoring of the platform itself: Prometheus scrapes the brokers and Connect (the JMX exporter agent in
 * their JVMs), Flink (its Prometheus reporter) and Sluice's services (prom-client), and evaluates the
 * alert rules of templates/prometheus/alerts.yml; Alertmanager receives those alerts and the anomaly
 * service's. Both come from Debian's packages and bind to the platform host only. Both ask who you are:
 * `--web.config.file` with Basic credentials (one generated password, stored as a secret, its bcrypt
 * hash in the web config), and Prometheus' lifecycle API (`/-/quit`, `/-/reload`) is off: a changed
 * configuration is reloaded with SIGHUP (docs/decisions/0016-control-plane-auth.md).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { join } from 'node:path';
import { logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { ensureAptPackage } from '../install/system';
import { aptPackage } from '../manifest';
import { KAFKA_NODE_IDS } from '../ports';
import { renderTemplateFile, TEMPLATE_DIR } from '../template';
import { writePrivateFile } from '../../lib/secrets';
import { forCondition, type WaitStrategy } from '../wait';
import { basicAuthHeader } from '../../../lib/basic-auth';

export function prometheusUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.prometheus}`;
}

export function alertmanagerUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.alertmanager}`;
}

/** The one identity of Prometheus' and Alertmanager's HTTP APIs (Grafana, the anomaly service, the CLI). */
export const MONITORING_USER = 'monitoring-admin';
export const MONITORING_SECRET = 'monitoring/admin';

/**
 * Prometheus' and Alertmanager's credentials: `SLUICE_MONITORING_USER` and `SLUICE_MONITORING_PASSWORD_FILE`
 * when set (a platform Sluice did not start), else this platform's (the password created on first use).
 */
export function monitoringCredentials(
  ctx: PlatformContext,
  env: NodeJS.ProcessEnv = {},
): { username: string; password: string } {
  const file = env.SLUICE_MONITORING_PASSWORD_FILE;
  if (file)
    return { username: env.SLUICE_MONITORING_USER ?? MONITORING_USER, password: readFileSync(file, 'utf8').trim() };
  return { username: MONITORING_USER, password: ctx.secrets.ensure(MONITORING_SECRET) };
}

/** `Authorization` header for Prometheus and Alertmanager. */
export function monitoringHeaders(ctx: PlatformContext, env: NodeJS.ProcessEnv = {}): Record<string, string> {
  const { username, password } = monitoringCredentials(ctx, env);
  return basicAuthHeader(username, password);
}

/**
 * The exporter-toolkit web config both servers read: Basic credentials only. The hash is bcrypt (cost 10,
 * what exporter-toolkit documents; it caches a verified password, so the cost is paid once per client).
 */
function writeWebConfig(ctx: PlatformContext, file: string): void {
  const hash = bcrypt.hashSync(ctx.secrets.ensure(MONITORING_SECRET), 10);
  writePrivateFile(
    file,
    `# Written by sluice at configure: Basic auth for every endpoint.\nbasic_auth_users:\n  ${MONITORING_USER}: '${hash}'\n`,
  );
}

interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

/** What Prometheus scrapes, per job: every port of the port map that serves /metrics. */
export function scrapeTargets(
  ctx: PlatformContext,
): Record<'kafka' | 'connect' | 'flink' | 'sluice' | 'supervisor', StaticConfig[]> {
  const at = (port: number) => `${ctx.host}:${port}`;
  const { ports } = ctx;
  const flink: StaticConfig[] = [];
  for (let port = ports.flinkMetrics.first; port <= ports.flinkMetrics.last; port++)
    flink.push({ targets: [at(port)] });
  return {
    kafka: KAFKA_NODE_IDS.map((id) => ({ targets: [at(ports.kafka[id]!.metrics)], labels: { node: `kafka-${id}` } })),
    connect: [{ targets: [at(ports.connect.metrics)], labels: { node: 'connect' } }],
    flink,
    sluice: [
      ...Object.entries(ports.simulators).map(([source, port]) => ({
        targets: [at(port)],
        labels: { service: `sim-${source}` },
      })),
      ...Object.entries(ports.services).map(([service, port]) => ({ targets: [at(port)], labels: { service } })),
    ],
    supervisor: [{ targets: [at(ports.supervisor)] }],
  };
}

async function answers(ctx: PlatformContext, url: string): Promise<boolean> {
  const response = await fetch(url, { headers: monitoringHeaders(ctx), signal: AbortSignal.timeout(2000) }).catch(
    () => undefined,
  );
  return response?.status === 200;
}

const prometheusDir = (ctx: PlatformContext) => join(ctx.paths.config, 'prometheus');

export const prometheus: Component = {
  name: 'prometheus',
  dependsOn: [],
  stopGraceMs: 15_000,
  ports: (ctx) => [{ name: 'http (API, web UI)', port: ctx.ports.prometheus }],

  async install(ctx) {
    await ensureAptPackage(aptPackage('prometheus'), ctx.log);
  },

  async configure(ctx) {
    const dir = prometheusDir(ctx);
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(ctx.paths.data, 'prometheus'), { recursive: true });
    // Prometheus' own `{{ $labels.x }}` templates are in the rules: copied, not rendered.
    copyFileSync(join(TEMPLATE_DIR, 'prometheus', 'alerts.yml'), join(dir, 'alerts.yml'));
    writeWebConfig(ctx, join(dir, 'web.yml'));
    const targets = scrapeTargets(ctx);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      renderTemplateFile('prometheus/prometheus.yml', {
        rulesFile: join(dir, 'alerts.yml'),
        monitoringUser: MONITORING_USER,
        // Prometheus reads the password from the secret's own file (0600): none in its configuration.
        monitoringPasswordFile: ctx.secrets.pathOf(MONITORING_SECRET),
        alertmanager: `${ctx.host}:${ctx.ports.alertmanager}`,
        prometheus: `${ctx.host}:${ctx.ports.prometheus}`,
        kafkaTargets: JSON.stringify(targets.kafka),
        connectTargets: JSON.stringify(targets.connect),
        flinkTargets: JSON.stringify(targets.flink),
        sluiceTargets: JSON.stringify(targets.sluice),
        supervisorTargets: JSON.stringify(targets.supervisor),
      }),
    );
  },

  daemon(ctx) {
    return {
      name: 'prometheus',
      command: aptPackage('prometheus').binary,
      args: [
        `--config.file=${join(prometheusDir(ctx), 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(ctx.paths.data, 'prometheus')}`,
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=${ctx.host}:${ctx.ports.prometheus}`,
        `--web.config.file=${join(prometheusDir(ctx), 'web.yml')}`,
        // No --web.enable-lifecycle: /-/quit would stop it for anyone with the password. SIGHUP reloads.
      ],
      pidFile: pidFileOf(ctx, 'prometheus'),
      logFile: logFileOf(ctx, 'prometheus'),
    };
  },

  ready: (ctx): WaitStrategy[] => [
    forCondition(`Prometheus (${prometheusUrl(ctx)}/-/ready) to answer 200`, 60_000, () =>
      answers(ctx, `${prometheusUrl(ctx)}/-/ready`),
    ),
  ],
  healthy: (ctx) => answers(ctx, `${prometheusUrl(ctx)}/-/ready`),
};

export const alertmanager: Component = {
  name: 'alertmanager',
  dependsOn: [],
  stopGraceMs: 10_000,
  ports: (ctx) => [{ name: 'http (API v2, web UI)', port: ctx.ports.alertmanager }],

  async install(ctx) {
    await ensureAptPackage(aptPackage('alertmanager'), ctx.log);
  },

  async configure(ctx) {
    const dir = join(ctx.paths.config, 'alertmanager');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(ctx.paths.data, 'alertmanager'), { recursive: true });
    copyFileSync(join(TEMPLATE_DIR, 'alertmanager', 'alertmanager.yml'), join(dir, 'alertmanager.yml'));
    writeWebConfig(ctx, join(dir, 'web.yml'));
  },

  daemon(ctx) {
    return {
      name: 'alertmanager',
      command: aptPackage('alertmanager').binary,
      args: [
        `--config.file=${join(ctx.paths.config, 'alertmanager', 'alertmanager.yml')}`,
        `--storage.path=${join(ctx.paths.data, 'alertmanager')}`,
        `--web.listen-address=${ctx.host}:${ctx.ports.alertmanager}`,
        `--web.config.file=${join(ctx.paths.config, 'alertmanager', 'web.yml')}`,
        // One instance: no gossip port (it would listen on 0.0.0.0:9094).
        '--cluster.listen-address=',
      ],
      pidFile: pidFileOf(ctx, 'alertmanager'),
      logFile: logFileOf(ctx, 'alertmanager'),
    };
  },

  ready: (ctx): WaitStrategy[] => [
    forCondition(`Alertmanager (${alertmanagerUrl(ctx)}/-/ready) to answer 200`, 60_000, () =>
      answers(ctx, `${alertmanagerUrl(ctx)}/-/ready`),
    ),
  ],
  healthy: (ctx) => answers(ctx, `${alertmanagerUrl(ctx)}/-/ready`),
};

export const monitoringComponents: Component[] = [prometheus, alertmanager];
