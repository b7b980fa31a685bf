/**
 * The local launcher: up, down, status, logs, reset over the components of the manifest.
 * `up` is idempotent: a healthy component is left alone, a dead one is restarted, and a component
 * that does not become healthy fails the command with the last lines of its log.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { SluiceError, messageOf } from '../../lib/errors';
import { log as rootLog, type Logger } from '../../lib/log';
import { adminClient } from './admin';
import { logFileOf, pidFileOf, type Component, type PlatformContext } from './component';
import { kafkaNodes } from './components/kafka';
import { cassandra } from './components/cassandra';
import { influxdb } from './components/influxdb';
import { flinkComponents } from './components/flink';
import { registry } from './components/registry';
import { connect } from './components/connect';
import { monitoringComponents } from './components/monitoring';
import { grafana } from './components/grafana';
import { simulators } from './components/simulators';
import { anomaly } from './components/anomaly';
import { keylessIngestors } from './components/ingestors';
import { ensureKcat } from './client-tools';
import { ensureSystemCommands } from './install/system';
import { platformPaths } from './paths';
import { portMap } from './ports';
import { findOwnedProcesses, runningPid, startDaemon, stopProcess, tailFile } from './processes';
import { fileSecretStore } from '../lib/secrets';
import { forCondition, portOpen, waitFor, waitForAll } from './wait';

export { adminClient };

// The databases come after Kafka but do not need it: they start in Kafka's layer.
export const components: Component[] = [
  ...kafkaNodes,
  cassandra,
  influxdb,
  registry,
  ...flinkComponents,
  connect,
  ...monitoringComponents,
  grafana,
  ...simulators,
  anomaly,
  ...keylessIngestors,
];
/** What `sluice up` starts after deploy-pipeline (Component.workload); `platform up` leaves them. */
export const workloads: Component[] = components.filter((c) => c.workload);

export function createContext(env: NodeJS.ProcessEnv = process.env, log: Logger = rootLog): PlatformContext {
  const paths = platformPaths(env);
  return {
    paths,
    ports: portMap(env),
    secrets: fileSecretStore(paths.secrets),
    log,
    host: env.SLUICE_HOST ?? '127.0.0.1',
    env,
  };
}

export function componentNamed(name: string): Component {
  const component = components.find((c) => c.name === name);
  if (!component) {
    throw new SluiceError('SLUICE_UNKNOWN_COMPONENT', `no component named '${name}'`, {
      fix: `use one of: ${components.map((c) => c.name).join(', ')}`,
    });
  }
  return component;
}

function pidOf(ctx: PlatformContext, c: Component): number | undefined {
  return runningPid(pidFileOf(ctx, c.name), c.name, ctx.paths.home);
}

/** Dependency layers: components of one layer start together (the Kafka quorum needs a majority up). */
function layers(selected: Component[]): Component[][] {
  const done = new Set<string>();
  const remaining = [...selected];
  const out: Component[][] = [];
  while (remaining.length) {
    const layer = remaining.filter((c) => c.dependsOn.every((d) => done.has(d) || !selected.some((s) => s.name === d)));
    if (layer.length === 0) throw new Error(`dependency cycle among ${remaining.map((c) => c.name).join(', ')}`);
    for (const c of layer) {
      done.add(c.name);
      remaining.splice(remaining.indexOf(c), 1);
    }
    out.push(layer);
  }
  return out;
}

async function checkPortsFree(ctx: PlatformContext, c: Component): Promise<void> {
  for (const { name, port } of c.ports(ctx)) {
    if (await portOpen(ctx.host, port, 500)) {
      throw new SluiceError(
        'SLUICE_PORT_IN_USE',
        `${c.name}: port ${port} (${name}) is in use by a process Sluice did not start`,
        {
          fix: `stop that process, or move every port with SLUICE_PORT_BASE (now ${ctx.ports.base})`,
        },
      );
    }
  }
}

async function startOne(ctx: PlatformContext, c: Component): Promise<void> {
  const log = ctx.log.child({ component: c.name });
  const started = Date.now();
  let pid = pidOf(ctx, c);
  if (pid !== undefined && (await c.healthy(ctx))) {
    await c.initialise?.(ctx);
    log.info(`already running (pid ${pid})`);
    return;
  }
  const logFile = logFileOf(ctx, c.name);
  const logOffset = pid === undefined && existsSync(logFile) ? statSync(logFile).size : 0;
  if (pid === undefined) {
    await checkPortsFree(ctx, c);
    pid = startDaemon(c.daemon(ctx), ctx.paths.home);
    log.info(`started (pid ${pid}), waiting until ready`);
  } else {
    log.info(`running (pid ${pid}) but not ready yet, waiting`);
  }
  const runningPidNow = pid;
  try {
    await waitForAll(c.ready(ctx, logOffset), {
      abortIf: () => (pidOf(ctx, c) === undefined ? `process ${runningPidNow} exited` : undefined),
    });
    await c.initialise?.(ctx);
  } catch (error) {
    throw new SluiceError(
      'SLUICE_COMPONENT_START_FAILED',
      `${c.name} did not become healthy: ${messageOf(error)}\n--- last lines of ${logFile} ---\n${tailFile(logFile, 25)}`,
      { cause: error },
    );
  }
  log.info(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** Waits until the admin user can connect and every broker has registered. */
export async function waitForKafkaCluster(ctx: PlatformContext, timeoutMs = 120_000): Promise<void> {
  const expected = kafkaNodes.length;
  await waitFor(
    forCondition(`all ${expected} brokers to register with the controller`, timeoutMs, async () => {
      const admin = adminClient(ctx);
      try {
        return (await admin.brokerCount()) === expected;
      } finally {
        await admin.close();
      }
    }),
    { intervalMs: 1000 },
  );
}

/** Starts the named components, or every platform component (not the workloads) when none is named. */
export async function up(ctx: PlatformContext, only?: string[]): Promise<void> {
  const requested = only?.length ? only.map(componentNamed) : components.filter((c) => !c.workload);
  const selected: Component[] = [];
  for (const c of requested) {
    const reason = await c.unavailable?.(ctx);
    if (reason) ctx.log.info(`skipped: ${reason}`, { component: c.name });
    else selected.push(c);
  }
  await ensureSystemCommands(ctx.log);
  await ensureKcat(ctx);
  for (const c of selected) await c.install(ctx);
  // Layer by layer: a component's configure step may need the layers before it running (the registry
  // creates its Kafka user, topics and ACLs).
  for (const layer of layers(selected)) {
    for (const c of layer) await c.configure(ctx);
    await Promise.all(layer.map((c) => startOne(ctx, c)));
    if (layer.some((c) => c.name.startsWith('kafka-'))) await waitForKafkaCluster(ctx);
  }
}

/** Stops the named components, or everything (and reaps orphans) when none is named. */
export async function down(ctx: PlatformContext, only?: string[]): Promise<void> {
  const selected = only?.length ? only.map(componentNamed) : components;
  // Hooks first, while everything still runs (a savepoint needs the TaskManager and Kafka).
  for (const c of selected) {
    if (!c.beforeStop || pidOf(ctx, c) === undefined) continue;
    await c
      .beforeStop(ctx)
      .catch((error: unknown) => ctx.log.warn(`before stopping: ${messageOf(error)}`, { component: c.name }));
  }
  // Reverse order: dependants first. Kafka nodes stop together, so that no node waits on a lost quorum.
  for (const layer of layers(selected).reverse()) {
    await Promise.all(
      layer.map(async (c) => {
        const pid = pidOf(ctx, c);
        if (pid === undefined) return;
        const how = await stopProcess(pid, c.stopGraceMs);
        ctx.log.info(
          how === 'stopped' ? `stopped (pid ${pid})` : `killed after ${c.stopGraceMs / 1000}s grace (pid ${pid})`,
          { component: c.name },
        );
        rmSync(pidFileOf(ctx, c.name), { force: true });
      }),
    );
  }
  if (only?.length) return;
  // Orphans: processes of this data dir whose pid file is gone.
  for (const orphan of findOwnedProcesses(ctx.paths.home)) {
    await stopProcess(orphan.pid, 10_000);
    ctx.log.info(`reaped orphan (pid ${orphan.pid})`, { component: orphan.name });
  }
}

export interface StatusRow {
  component: string;
  pid: number | undefined;
  ports: string;
  /** `unavailable`: this machine cannot run it (see Component.unavailable). */
  health: 'healthy' | 'unhealthy' | 'stopped' | 'unavailable';
  /** A workload (simulators, ingestors, the anomaly service): `sluice up` starts it, `platform up` does not. */
  workload: boolean;
}

export async function status(ctx: PlatformContext): Promise<StatusRow[]> {
  return Promise.all(
    components.map(async (c) => {
      const pid = pidOf(ctx, c);
      const health =
        pid !== undefined
          ? (await c.healthy(ctx))
            ? 'healthy'
            : 'unhealthy'
          : (await c.unavailable?.(ctx))
            ? 'unavailable'
            : 'stopped';
      return {
        component: c.name,
        pid,
        ports: c
          .ports(ctx)
          .map((p) => `${p.port} ${p.name}`)
          .join(', '),
        health,
        workload: c.workload === true,
      };
    }),
  );
}

export function renderStatus(rows: StatusRow[]): string {
  const table = [
    ['COMPONENT', 'PID', 'HEALTH', 'PORTS'],
    ...rows.map((r) => [r.component, r.pid?.toString() ?? '-', r.health, r.ports]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

export function logs(ctx: PlatformContext, name: string, lines: number): string {
  return tailFile(logFileOf(ctx, componentNamed(name).name), lines);
}

/** Stops everything and deletes the data dir: data, configs, certificates, secrets. The install cache stays. */
export async function reset(ctx: PlatformContext, confirmed: boolean): Promise<void> {
  if (!confirmed) {
    throw new SluiceError(
      'SLUICE_CONFIRMATION_REQUIRED',
      `reset deletes every topic, certificate and secret in ${ctx.paths.home}`,
      {
        fix: 'run again with --yes',
      },
    );
  }
  await down(ctx);
  rmSync(ctx.paths.home, { recursive: true, force: true });
  ctx.log.info(`removed ${ctx.paths.home}`, { component: 'platform' });
}
