/**
 * One component in the foreground (`sluice platform run <component>`): the main process of a container
 * that runs that component alone (docker-compose.components.yml), where the container's restart policy
 * does what the supervisor does for `sluice up`. The same install, configure, daemon command, wait
 * strategies and initialise step as `up`; its output goes to the component's log file (which the wait
 * strategies read) and to stdout (the container's log). `stop` (SIGTERM from `docker compose stop`) runs
 * the component's beforeStop (Flink's savepoints), then stops it gracefully, then kills it.
 *
 * Several such processes share one data dir (one volume): install, configure and initialise run under a
 * lock in it, so that two of them never make the certificate authority or a secret at the same time.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SluiceError, messageOf } from '../../lib/errors';
import { logFileOf, type Component, type PlatformContext } from './component';
import { HOME_ENV, MARKER_ENV, stopProcess } from './processes';
import { waitForAll } from './wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockOptions {
  /** Who takes it, for the waiting message (`kafka-2`). */
  owner: string;
  timeoutMs?: number;
  pollMs?: number;
  /** Told once when the lock is held by someone else. */
  onWait?: (holder: string) => void;
}

/**
 * Runs `fn` holding a lock directory (mkdir is atomic on one file system). A lock whose holder process is
 * gone is taken over; the processes sharing a data dir share a pid namespace (the compose file's
 * `pid: host`), so a holder's pid means the same to all of them.
 */
export async function withDirLock<T>(dir: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 1_800_000);
  const ownerFile = join(dir, 'owner');
  let told = false;
  mkdirSync(dirname(dir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(ownerFile, `${process.pid} ${options.owner}\n`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = '';
    try {
      holder = readFileSync(ownerFile, 'utf8').trim();
    } catch {
      // being written or removed: look again
    }
    const pid = Number(holder.split(' ')[0]);
    if (holder && !pidAlive(pid)) {
      rmSync(dir, { recursive: true, force: true }); // its holder died holding it
      continue;
    }
    if (!told && holder) {
      options.onWait?.(holder);
      told = true;
    }
    if (Date.now() > deadline)
      throw new SluiceError(
        'SLUICE_WAIT_TIMEOUT',
        `${options.owner}: timed out waiting for the lock ${dir} (${holder})`,
        {
          fix: `if no process '${holder}' runs any more, remove ${dir}`,
        },
      );
    await sleep(options.pollMs ?? 500);
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ForegroundRun {
  /** Resolves with the component's exit code (128 + n when a signal n ended it). */
  exited: Promise<number>;
  /** Resolves once the component is ready and initialised; rejects when it never gets there. */
  ready: Promise<void>;
  /** beforeStop, then SIGTERM, then SIGKILL after the component's grace; resolves with the exit code. */
  stop(): Promise<number>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Starts a component in the foreground of this process (see the file's comment). */
export async function runInForeground(
  ctx: PlatformContext,
  c: Component,
  out: (chunk: Buffer) => void = (chunk) => process.stdout.write(chunk),
): Promise<ForegroundRun> {
  const log = ctx.log.child({ component: c.name });
  const lockDir = join(ctx.paths.run, 'configure.lock');
  const locked = <T>(fn: () => Promise<T>) =>
    withDirLock(
      lockDir,
      { owner: c.name, onWait: (holder) => log.info(`waiting for ${holder} to finish configuring`) },
      fn,
    );
  const reason = await c.unavailable?.(ctx);
  if (reason) throw new SluiceError('SLUICE_COMPONENT_START_FAILED', `${c.name} cannot run here: ${reason}`);
  await locked(async () => {
    await c.install(ctx);
    await c.configure(ctx);
  });
  const spec = c.daemon(ctx);
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const logFile = logFileOf(ctx, c.name);
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  // Its own process group (a server's start script and its JVM stop together), but not unref'd: this
  // process lives as long as the component.
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...(spec.env ?? process.env), [MARKER_ENV]: spec.name, [HOME_ENV]: ctx.paths.home },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined)
    throw new SluiceError('SLUICE_COMPONENT_START_FAILED', `${c.name}: could not spawn ${spec.command}`);
  writeFileSync(spec.pidFile, `${pid}\n`);
  const copy = (chunk: Buffer) => {
    appendFileSync(spec.logFile, chunk);
    out(chunk);
  };
  child.stdout.on('data', copy);
  child.stderr.on('data', copy);
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      log.error(`could not run ${spec.command}: ${messageOf(error)}`);
      exitCode = 127;
      resolve(127);
    });
    child.once('close', (code, signal) => {
      exitCode = code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
      rmSync(spec.pidFile, { force: true });
      resolve(exitCode);
    });
  });
  log.info(`started (pid ${pid}), waiting until ready`);
  const started = Date.now();
  const ready = (async () => {
    await waitForAll(c.ready(ctx, logOffset), {
      abortIf: () => (exitCode !== undefined ? `process ${pid} exited with ${exitCode}` : undefined),
    });
    await locked(async () => c.initialise?.(ctx));
    log.info(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  })();
  ready.catch(() => undefined); // the caller awaits it; an unawaited rejection must not end the process
  let stopping: Promise<number> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (exitCode === undefined && c.beforeStop)
        await c.beforeStop(ctx).catch((error: unknown) => log.warn(`before stopping: ${messageOf(error)}`));
      if (exitCode === undefined) {
        const how = await stopProcess(pid, c.stopGraceMs);
        log.info(
          how === 'stopped' ? `stopped (pid ${pid})` : `killed after ${c.stopGraceMs / 1000}s grace (pid ${pid})`,
        );
      }
      return exited;
    })());
  return { exited, ready, stop };
}
