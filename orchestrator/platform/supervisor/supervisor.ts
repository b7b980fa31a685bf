/**
 * The supervisor: one process per platform (or the `sluice up --foreground` process itself) that starts
 * the components on `up`'s request and restarts one that dies, as systemd does for a unit with
 * `Restart=on-failure`: with a growing delay, and a limit per window after which it gives up and says so
 * (policy.ts). It is the parent of what it starts, so it knows how each died (exit code or signal); a
 * process it adopted (started before it, e.g. by a supervisor that was itself killed) is watched by its
 * pid file, and its death is reported without a status. Every death is logged with the last lines of
 * the component's log. A restarted component counts as back only when its readiness checks pass.
 *
 * Bounds: one entry per component of the manifest (about 20); each keeps at most `burst` start times
 * and one exit record with at most LOG_TAIL_LINES lines.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { messageOf } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import type { Component, PlatformContext } from '../component';
import { isOurProcess, readPid, spawnDaemon, stopProcess, tailFile, type DaemonSpec } from '../processes';
import { waitForAll } from '../wait';
import {
  DEFAULT_RESTART_POLICY,
  emptyHistory,
  onExit,
  recordStart,
  type RestartHistory,
  type RestartPolicy,
} from './policy';
import {
  readSupervisorFiles,
  writeSupervisorFiles,
  type ExitRecord,
  type SupervisedStatus,
  type SupervisedView,
} from './state';

export const LOG_TAIL_LINES = 15;

export interface SupervisorEvents {
  onRestart?(name: string): void;
  onChange?(views: SupervisedView[]): void;
}

interface Entry {
  spec: DaemonSpec;
  status: SupervisedStatus;
  pid?: number;
  /** Set when this supervisor started the process: its exit is reported with code and signal. */
  child?: ChildProcess;
  startedAt: number;
  history: RestartHistory;
  restarts: number;
  lastExit?: ExitRecord;
  nextStartAt?: number;
  reason?: string;
  timer?: NodeJS.Timeout;
  /** Serialises what is done to one component (a start request, a death, a restart). */
  queue: Promise<unknown>;
}

export interface SupervisorOptions {
  policy?: RestartPolicy;
  /** How often processes the supervisor did not start are checked (ms). */
  pollMs?: number;
  events?: SupervisorEvents;
  /** Persist state to the platform's run dir (false in unit tests of the in-memory logic). */
  persist?: boolean;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly policy: RestartPolicy;
  private readonly log: Logger;
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: PlatformContext,
    private readonly componentOf: (name: string) => Component | undefined,
    private readonly options: SupervisorOptions = {},
  ) {
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.log = ctx.log.child({ component: 'supervisor' });
  }

  /** Resumes watching what an earlier supervisor watched (its state files), then polls. */
  start(): void {
    if (this.options.persist !== false) {
      const { specs, state } = readSupervisorFiles(this.ctx.paths.run);
      for (const [name, spec] of Object.entries(specs)) {
        const previous = state?.components.find((c) => c.name === name);
        const entry = this.entryFor(spec);
        entry.restarts = previous?.restarts ?? 0;
        if (previous?.lastExit) entry.lastExit = previous.lastExit;
        if (previous?.status === 'failed') {
          entry.status = 'failed';
          entry.reason = previous.reason;
          continue;
        }
        const pid = this.alivePid(spec);
        if (pid !== undefined) {
          entry.pid = pid;
          entry.status = 'running';
        } else {
          this.died(entry, 'found not running when the supervisor started', Date.now() - entry.startedAt);
        }
      }
    }
    this.poller = setInterval(() => this.poll(), this.options.pollMs ?? 1000);
    this.poller.unref();
    this.changed();
  }

  /** Stops watching; the processes keep running (they lead their own process groups). */
  stop(): void {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
  }

  /**
   * Watches a component from now on: adopts its process when it runs, else starts it now (a start
   * request resets a component given up on). Resolves with its pid; readiness is the caller's to wait for.
   */
  watch(spec: DaemonSpec, options: { start: boolean }): Promise<number | undefined> {
    const entry = this.entryFor(spec);
    entry.spec = spec;
    return this.serially(entry, async () => {
      const pid = this.alivePid(spec);
      if (pid !== undefined) {
        if (entry.pid !== pid) entry.child = undefined;
        entry.pid = pid;
        if (entry.status !== 'starting') entry.status = 'running';
        this.changed();
        return pid;
      }
      if (!options.start) return undefined;
      if (entry.timer) clearTimeout(entry.timer);
      entry.history = emptyHistory();
      entry.reason = undefined;
      this.spawn(entry);
      entry.status = 'running';
      this.changed();
      return entry.pid;
    });
  }

  /** No longer restarts these components (they are being stopped on purpose). */
  forget(names: string[]): void {
    for (const name of names) {
      const entry = this.entries.get(name);
      if (!entry) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.entries.delete(name);
      this.log.info(`no longer supervised (stopped on request)`, { component: name });
    }
    this.changed();
  }

  views(): SupervisedView[] {
    return [...this.entries.entries()].map(([name, e]) => ({
      name,
      status: e.status,
      ...(e.pid !== undefined ? { pid: e.pid } : {}),
      restarts: e.restarts,
      ...(e.lastExit ? { lastExit: e.lastExit } : {}),
      ...(e.nextStartAt !== undefined && e.status === 'backoff'
        ? { nextStartAt: new Date(e.nextStartAt).toISOString() }
        : {}),
      ...(e.reason ? { reason: e.reason } : {}),
    }));
  }

  private entryFor(spec: DaemonSpec): Entry {
    let entry = this.entries.get(spec.name);
    if (!entry) {
      entry = {
        spec,
        status: 'running',
        startedAt: Date.now(),
        history: emptyHistory(),
        restarts: 0,
        queue: Promise.resolve(),
      };
      this.entries.set(spec.name, entry);
    }
    return entry;
  }

  private serially<T>(entry: Entry, task: () => Promise<T>): Promise<T> {
    const next = entry.queue.then(task, task);
    entry.queue = next.catch(() => undefined);
    return next;
  }

  private alivePid(spec: DaemonSpec): number | undefined {
    const pid = readPid(spec.pidFile);
    return pid !== undefined && isOurProcess(pid, spec.name, this.ctx.paths.home) ? pid : undefined;
  }

  private spawn(entry: Entry): void {
    const child = spawnDaemon(entry.spec, this.ctx.paths.home);
    entry.child = child;
    entry.pid = child.pid;
    entry.startedAt = Date.now();
    entry.history = recordStart(entry.history, entry.startedAt, this.policy);
    child.once('exit', (code, signal) => {
      if (entry.child !== child || this.stopped || this.entries.get(entry.spec.name) !== entry) return;
      void this.serially(entry, async () => {
        if (entry.child !== child || entry.status === 'backoff' || entry.status === 'failed') return;
        this.died(entry, describeExit(code, signal), Date.now() - entry.startedAt);
      });
    });
  }

  /** Polls the processes this supervisor did not start (it gets no exit event for those). */
  private poll(): void {
    for (const entry of this.entries.values()) {
      if (entry.child || (entry.status !== 'running' && entry.status !== 'starting')) continue;
      if (this.alivePid(entry.spec) !== undefined) continue;
      void this.serially(entry, async () => {
        if (entry.child || entry.status === 'backoff' || entry.status === 'failed') return;
        if (this.alivePid(entry.spec) !== undefined) return;
        this.died(entry, 'exited (no status: the supervisor did not start this process)', Date.now() - entry.startedAt);
      });
    }
  }

  private died(entry: Entry, cause: string, ranForMs: number): void {
    const name = entry.spec.name;
    const logTail = tailFile(entry.spec.logFile, LOG_TAIL_LINES).split('\n').filter(Boolean).slice(-LOG_TAIL_LINES);
    entry.lastExit = { at: new Date().toISOString(), cause, logTail };
    entry.child = undefined;
    entry.pid = undefined;
    const { history, decision } = onExit(entry.history, Date.now(), ranForMs, this.policy);
    entry.history = history;
    if (decision.action === 'give-up') {
      entry.status = 'failed';
      entry.reason = decision.reason;
      this.log.error(`${cause}; ${decision.reason}`, { component: name, lastLines: logTail.join('\n') });
      this.changed();
      return;
    }
    entry.status = 'backoff';
    entry.nextStartAt = Date.now() + decision.delayMs;
    this.log.warn(`${cause}; restarting in ${(decision.delayMs / 1000).toFixed(0)}s`, {
      component: name,
      lastLines: logTail.join('\n'),
    });
    entry.timer = setTimeout(() => void this.serially(entry, () => this.restart(entry)), decision.delayMs);
    entry.timer.unref();
    this.changed();
  }

  private async restart(entry: Entry): Promise<void> {
    const name = entry.spec.name;
    if (this.stopped || this.entries.get(name) !== entry || entry.status !== 'backoff') return;
    const component = this.componentOf(name);
    const logOffset = existsSync(entry.spec.logFile) ? statSync(entry.spec.logFile).size : 0;
    try {
      this.spawn(entry);
    } catch (error) {
      this.died(entry, `could not be started: ${messageOf(error)}`, 0);
      return;
    }
    entry.status = 'starting';
    entry.restarts += 1;
    this.options.events?.onRestart?.(name);
    this.changed();
    this.log.info(`restarted (pid ${entry.pid}), waiting until ready`, { component: name });
    const child = entry.child;
    try {
      if (component) {
        await waitForAll(component.ready(this.ctx, logOffset), {
          abortIf: () =>
            entry.child !== child || child?.exitCode !== null || child?.signalCode !== null ? 'it exited' : undefined,
        });
        await component.initialise?.(this.ctx);
      }
    } catch (error) {
      if (entry.child !== child) return; // forgotten or restarted meanwhile
      entry.child = undefined; // its exit is reported here, not by the exit event
      const ranForMs = Date.now() - entry.startedAt;
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        this.died(entry, `${describeExit(child.exitCode, child.signalCode)} while starting`, ranForMs);
        return;
      }
      if (entry.pid !== undefined) await stopProcess(entry.pid, component?.stopGraceMs ?? 10_000);
      this.died(entry, `did not become ready, stopped: ${messageOf(error)}`, ranForMs);
      return;
    }
    entry.status = 'running';
    this.log.info(`ready again after ${((Date.now() - entry.startedAt) / 1000).toFixed(1)}s`, { component: name });
    this.changed();
  }

  private changed(): void {
    const views = this.views();
    if (this.options.persist !== false) {
      const specs = Object.fromEntries([...this.entries.entries()].map(([name, e]) => [name, e.spec]));
      writeSupervisorFiles(this.ctx.paths.run, specs, {
        pid: process.pid,
        updatedAt: new Date().toISOString(),
        components: views,
      });
    }
    this.options.events?.onChange?.(views);
  }
}
