/**
 * The public API ingestors that need no key (Open-Meteo, Yahoo Finance), as workloads: `sluice up`
 * (npm start) runs each as `sluice ingest <api>` on its schedule from pipeline.yaml, once deploy-pipeline
 * has made its principal and registered its schemas. The ingestors with keys are run by hand once their
 * key is in `.env` (docs/guides/data-sources.md). `SLUICE_<API>_BASE_URL` (e.g.
 * SLUICE_OPEN_METEO_BASE_URL) points one at another server: a proxy, or the tests' fixture server.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { forCondition } from '../wait';

export const KEYLESS_INGESTORS = ['open-meteo', 'yahoo'] as const;
type KeylessApi = (typeof KEYLESS_INGESTORS)[number];

const portOf = (ctx: PlatformContext, api: KeylessApi): number => ctx.ports.services[`ingest-${api}`];

/** The environment variable that overrides an API's base URL for the workload. */
export const baseUrlVariable = (api: KeylessApi): string => `SLUICE_${api.toUpperCase().replace(/-/g, '_')}_BASE_URL`;

async function metricsAnswer(ctx: PlatformContext, api: KeylessApi): Promise<boolean> {
  const response = await fetch(`http://${ctx.host}:${portOf(ctx, api)}/metrics`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => undefined);
  return response?.status === 200;
}

function ingestor(api: KeylessApi): Component {
  const name = `ingest-${api}`;
  return {
    name,
    dependsOn: ['registry'],
    workload: true,
    stopGraceMs: 15_000,
    ports: (ctx) => [{ name: 'metrics', port: portOf(ctx, api) }],
    async install() {},
    async configure() {},
    daemon(ctx) {
      const baseUrl = envOf(ctx)[baseUrlVariable(api)];
      return {
        name,
        command: process.execPath,
        args: [
          join(repoRoot(), 'bin', 'sluice.js'),
          'ingest',
          api,
          '--metrics-port',
          String(portOf(ctx, api)),
          ...(baseUrl ? ['--base-url', baseUrl] : []),
        ],
        cwd: repoRoot(),
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
      forCondition(`${name} to serve its metrics on port ${portOf(ctx, api)}`, 60_000, () => metricsAnswer(ctx, api)),
    ],
    healthy: (ctx) => metricsAnswer(ctx, api),
  };
}

export const keylessIngestors: Component[] = KEYLESS_INGESTORS.map(ingestor);
