/**
 * The demo simulators as workloads of the local platform: `sluice up` (npm start) starts one per source
 * after deploy-pipeline has created their principals and registered their schemas, so the demo pipeline
 * flows with no further command. Each is `sluice simulate <source>` as a supervised daemon, with its
 * Prometheus metrics on the port map; `platform status`, `logs sim-web` and `down` treat it like any
 * component.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import type { SimulatorSource } from '../../../producers/simulators/types';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { forCondition } from '../wait';

/** Mean events per second: enough for every window and chart to fill, little enough for two cores. */
export const DEMO_RATES: Readonly<Record<SimulatorSource, number>> = { web: 10, iot: 5, finance: 5 };

async function metricsAnswer(ctx: PlatformContext, source: SimulatorSource): Promise<boolean> {
  const response = await fetch(`http://${ctx.host}:${ctx.ports.simulators[source]}/metrics`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => undefined);
  return response?.status === 200;
}

function simulator(source: SimulatorSource): Component {
  const name = `sim-${source}`;
  return {
    name,
    dependsOn: ['registry'],
    workload: true,
    stopGraceMs: 15_000, // SIGTERM flushes the batch in flight first
    ports: (ctx) => [{ name: 'metrics', port: ctx.ports.simulators[source] }],
    async install() {},
    async configure() {},
    daemon(ctx) {
      return {
        name,
        command: process.execPath,
        args: [
          join(repoRoot(), 'bin', 'sluice.js'),
          'simulate',
          source,
          '--rate',
          String(DEMO_RATES[source]),
          '--daily', // the demo follows each source's daily curve around its mean rate
          '--metrics-port',
          String(ctx.ports.simulators[source]),
        ],
        cwd: repoRoot(),
        // The daemon finds this platform the way the launcher did.
        env: {
          ...envOf(ctx),
          SLUICE_HOME: ctx.paths.home,
          SLUICE_PORT_BASE: String(ctx.ports.base),
          SLUICE_HOST: ctx.host,
        },
        pidFile: pidFileOf(ctx, name),
        logFile: logFileOf(ctx, name),
      };
    },
    ready: (ctx) => [
      forCondition(`${name} to serve its metrics on port ${ctx.ports.simulators[source]}`, 60_000, () =>
        metricsAnswer(ctx, source),
      ),
    ],
    healthy: (ctx) => metricsAnswer(ctx, source),
  };
}

export const simulators: Component[] = (['web', 'iot', 'finance'] as const).map(simulator);
