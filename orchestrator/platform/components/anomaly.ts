/**
 * The anomaly service as a workload of the local platform: `sluice up` (npm start) starts it after
 * deploy-pipeline has created its principal, topics and the alerts schema. It is `sluice anomaly` as a
 * supervised daemon with /metrics on the port map (services.anomaly), writing alert annotations to
 * InfluxDB as its own user `sluice-anomaly`; it is ready once it has restored
 * its state and joined its group (/ready). `platform status`, `logs anomaly` and `down` treat it like
 * any component; `down` stops it with SIGTERM, after the transaction in flight.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { forCondition } from '../wait';
import { INFLUX_ANOMALY_SECRET, INFLUX_ANOMALY_USER, influxUrl, writeInfluxTokenFile } from './influxdb';
import { alertmanagerUrl } from './monitoring';

async function answers(ctx: PlatformContext, path: string): Promise<boolean> {
  const response = await fetch(`http://${ctx.host}:${ctx.ports.services.anomaly}${path}`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => undefined);
  return response?.status === 200;
}

export const anomaly: Component = {
  name: 'anomaly',
  dependsOn: ['registry', 'alertmanager'],
  workload: true,
  stopGraceMs: 20_000,
  ports: (ctx) => [{ name: 'metrics, /incidents', port: ctx.ports.services.anomaly }],
  async install() {},
  async configure() {},
  daemon(ctx) {
    return {
      name: 'anomaly',
      command: process.execPath,
      args: [join(repoRoot(), 'bin', 'sluice.js'), 'anomaly', '--metrics-port', String(ctx.ports.services.anomaly)],
      cwd: repoRoot(),
      // The daemon finds this platform the way the launcher did.
      env: {
        ...envOf(ctx),
        SLUICE_HOME: ctx.paths.home,
        SLUICE_PORT_BASE: String(ctx.ports.base),
        SLUICE_HOST: ctx.host,
        SLUICE_ALERTMANAGER_URL: envOf(ctx).SLUICE_ALERTMANAGER_URL ?? alertmanagerUrl(ctx),
        // Its own InfluxDB writer (pipeline.yaml influx.grants), for the alert annotations.
        SLUICE_INFLUX_URL: influxUrl(ctx),
        SLUICE_INFLUX_DATABASE: 'sluice',
        SLUICE_INFLUX_TOKEN_FILE: writeInfluxTokenFile(ctx, INFLUX_ANOMALY_USER, INFLUX_ANOMALY_SECRET),
      },
      pidFile: pidFileOf(ctx, 'anomaly'),
      logFile: logFileOf(ctx, 'anomaly'),
    };
  },
  // Restoring a large state topic takes a while on two busy cores.
  ready: (ctx) => [
    forCondition(
      `the anomaly service to restore its state and join its group (http://${ctx.host}:${ctx.ports.services.anomaly}/ready)`,
      180_000,
      () => answers(ctx, '/ready'),
    ),
  ],
  // Healthy means ready: a service restoring its state (/ready answers 503) does not deliver alerts yet.
  healthy: (ctx) => answers(ctx, '/ready'),
};
