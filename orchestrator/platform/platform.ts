/**
 * The local launcher: up, down, status, logs, reset over the components of the manifest.
 * `up` is idempotent: a healthy component is left alone, a dead one is restarted, and a component
 * that does not become healthy fails the command with the last lines of its log.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
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
import { ephemeralOverlap, portMap } from './ports';
import { findOwnedProcesses, runningPid, stopProcess, tailFile } from './processes';
import { fileSecretStore } from '../lib/secrets';
import { forCondition, portOpen, waitFor, waitForAll } from './wait';
import {
  ensureSupervisor,
  stopSupervisor,
  superviseComponent,
  supervisorPid,
  SUPERVISOR,
  unsuperviseComponents,
} from './supervisor/client';
import { clearSupervisorFiles, readSupervisorState, type SupervisedView } from './supervisor/state';

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
    await superviseComponent(ctx, c.daemon(ctx), false);
    await c.initialise?.(ctx);
    log.info(`already running (pid ${pid})`);
    return;
  }
  const logFile = logFileOf(ctx, c.name);
  const logOffset = pid === undefined && existsSync(logFile) ? statSync(logFile).size : 0;
  if (pid === undefined) {
    await checkPortsFree(ctx, c);
    // The supervisor starts it, so that it is the parent that learns how it exits and restarts it.
    pid = await superviseComponent(ctx, c.daemon(ctx), true);
    log.info(`started (pid ${pid}), waiting until ready`);
  } else {
    await superviseComponent(ctx, c.daemon(ctx), false);
    log.info(`running (pid ${pid}) but not ready yet, waiting`);
  }
  const runningPidNow = pid;
  try {
    await waitForAll(c.ready(ctx, logOffset), {
      abortIf: () => (pidOf(ctx, c) === undefined ? `process ${runningPidNow} exited` : undefined),
    });
    await c.initialise?.(ctx);
  } catch (error) {
    // A start that failed is the user's to look at, not the supervisor's to repeat.
    await unsuperviseComponents(ctx, [c.name]);
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
  warnOfEphemeralPorts(ctx);
  await ensureSystemCommands(ctx.log);
  await ensureKcat(ctx);
  for (const c of selected) await c.install(ctx);
  await ensureSupervisor(ctx);
  // Layer by layer: a component's configure step may need the layers before it running (the registry
  // creates its Kafka user, topics and ACLs).
  for (const layer of layers(selected)) {
    for (const c of layer) await c.configure(ctx);
    await Promise.all(layer.map((c) => startOne(ctx, c)));
    if (layer.some((c) => c.name.startsWith('kafka-'))) await waitForKafkaCluster(ctx);
  }
}

/** A port base inside the kernel's ephemeral range works, with restarts that may need a second try: say so. */
function warnOfEphemeralPorts(ctx: PlatformContext): void {
  let range: [number, number];
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (!Number.isInteger(low) || !Number.isInteger(high)) return;
    range = [low!, high!];
  } catch {
    return; // not Linux: nothing to read
  }
  const why = ephemeralOverlap(ctx.ports.base, range);
  if (why) ctx.log.warn(why, { component: 'platform' });
}

/** Stops the named components, or everything (and reaps orphans) when none is named. */
export async function down(ctx: PlatformContext, only?: string[]): Promise<void> {
  const selected = only?.length ? only.map(componentNamed) : components;
  // The supervisor first, so that it never restarts what is being stopped on purpose.
  if (only?.length)
    await unsuperviseComponents(
      ctx,
      selected.map((c) => c.name),
    );
  else {
    await stopSupervisor(ctx);
    clearSupervisorFiles(ctx.paths.run);
  }
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
  /**
   * `healthy`: running and its own readiness check passes. `unhealthy`: running, not ready.
   * `restarting`: it died and the supervisor starts it again shortly. `failed`: it died too often and
   * the supervisor gave up (`platform up` starts it). `unavailable`: this machine cannot run it.
   */
  health: 'healthy' | 'unhealthy' | 'stopped' | 'unavailable' | 'restarting' | 'failed';
  /** A workload (simulators, ingestors, the anomaly service): `sluice up` starts it, `platform up` does not. */
  workload: boolean;
  /** Restarts by the supervisor since `up` last started it. */
  restarts: number;
  /** How it last died, when the supervisor saw it die. */
  lastExit?: { at: string; cause: string };
}

function healthOf(running: boolean, ready: boolean, supervised: SupervisedView | undefined): StatusRow['health'] {
  if (running) return ready ? 'healthy' : 'unhealthy';
  if (supervised?.status === 'backoff' || supervised?.status === 'starting') return 'restarting';
  if (supervised?.status === 'failed') return 'failed';
  return 'stopped';
}

/** Every component, then the supervisor (which restarts the others; `stopped` when none runs). */
export async function status(ctx: PlatformContext): Promise<StatusRow[]> {
  const supervisor = supervisorPid(ctx);
  const views = supervisor !== undefined ? (readSupervisorState(ctx.paths.run)?.components ?? []) : [];
  const supervised = new Map(views.map((v) => [v.name, v]));
  const rows = await Promise.all(
    components.map(async (c): Promise<StatusRow> => {
      const pid = pidOf(ctx, c);
      const view = supervised.get(c.name);
      const unavailable = pid === undefined && !view && (await c.unavailable?.(ctx)) !== undefined;
      return {
        component: c.name,
        pid,
        ports: c
          .ports(ctx)
          .map((p) => `${p.port} ${p.name}`)
          .join(', '),
        health: unavailable
          ? 'unavailable'
          : healthOf(pid !== undefined, pid !== undefined && (await c.healthy(ctx)), view),
        workload: c.workload === true,
        restarts: view?.restarts ?? 0,
        ...(view?.lastExit ? { lastExit: { at: view.lastExit.at, cause: view.lastExit.cause } } : {}),
      };
    }),
  );
  rows.push({
    component: SUPERVISOR,
    pid: supervisor,
    ports: `${ctx.ports.supervisor} metrics`,
    health: supervisor !== undefined ? 'healthy' : 'stopped',
    workload: false,
    restarts: 0,
  });
  return rows;
}

/** `12:03:04 killed by SIGKILL`: the local time of day is enough beside a restart count. */
function lastExitText(row: StatusRow): string {
  if (!row.lastExit) return '-';
  const at = new Date(row.lastExit.at);
  const time = Number.isNaN(at.getTime()) ? row.lastExit.at : at.toTimeString().slice(0, 8);
  return `${time} ${row.lastExit.cause}`;
}

export function renderStatus(rows: StatusRow[]): string {
  const table = [
    ['COMPONENT', 'PID', 'HEALTH', 'RESTARTS', 'LAST EXIT', 'PORTS'],
    ...rows.map((r) => [r.component, r.pid?.toString() ?? '-', r.health, String(r.restarts), lastExitText(r), r.ports]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
  );
  const supervisor = rows.find((r) => r.component === SUPERVISOR);
  if (supervisor?.health === 'stopped') {
    lines.push(
      '',
      'The supervisor is not running: a component that dies stays down (npx sluice platform up starts it).',
    );
  }
  return lines.join('\n');
}

export function logs(ctx: PlatformContext, name: string, lines: number): string {
  return tailFile(logFileOf(ctx, name === SUPERVISOR ? SUPERVISOR : componentNamed(name).name), lines);
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
