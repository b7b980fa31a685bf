/**
 * The one seam through which the launcher runs programs: short commands to completion (`run`), and
 * daemons detached from the CLI (`startDaemon`) with a pid file and a log file. Every daemon is started
 * with a marker argument (`-Dsluice.component=<name>` / `--sluice-component=<name>` in its environment)
 * so that a pid file pointing at a recycled pid is never mistaken for our process, and so that orphans
 * whose pid file was lost can still be found and reaped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { SluiceError } from '../../lib/errors';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** Runs a command to completion and captures its output. Never throws for a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // a command may exit before reading its input
      child.stdin.end(options.input);
    }
  });
}

export interface DaemonSpec {
  /** Component name, e.g. `kafka-1`. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  pidFile: string;
  logFile: string;
}

export const MARKER_ENV = 'SLUICE_COMPONENT';
export const HOME_ENV = 'SLUICE_OWNER_HOME';

/**
 * Starts a detached daemon (its own process group, so it outlives the process that started it) whose
 * stdout and stderr go to its log file, and writes its pid file. The caller keeps the child handle to
 * learn how it exits (the supervisor); `startDaemon` drops it.
 */
export function spawnDaemon(spec: DaemonSpec, home: string): ChildProcess {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const out = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...(spec.env ?? process.env), [MARKER_ENV]: spec.name, [HOME_ENV]: home },
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) {
      throw new SluiceError('SLUICE_COMPONENT_START_FAILED', `${spec.name}: could not spawn ${spec.command}`);
    }
    child.on('error', () => undefined); // reported through its exit
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child;
  } finally {
    closeSync(out);
  }
}

/** Starts a detached daemon (see spawnDaemon); returns its pid. */
export function startDaemon(spec: DaemonSpec, home: string): number {
  return spawnDaemon(spec, home).pid!;
}

function environOf(pid: number): Map<string, string> | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
    const env = new Map<string, string>();
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and is the daemon `name` of this data dir (not a recycled pid). */
export function isOurProcess(pid: number, name: string, home: string): boolean {
  const env = environOf(pid);
  if (!env) return false;
  try {
    // A zombie still has /proc/<pid>, but its state is Z: it is not running.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
  } catch {
    return false;
  }
  return env.get(MARKER_ENV) === name && env.get(HOME_ENV) === home;
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid of the running daemon, or undefined (a stale pid file is removed). */
export function runningPid(pidFile: string, name: string, home: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  if (isOurProcess(pid, name, home)) return pid;
  unlinkSync(pidFile);
  return undefined;
}

/** Every process started by this data dir, found by its marker: the pid files may have been lost. */
export function findOwnedProcesses(home: string): Array<{ pid: number; name: string }> {
  const found: Array<{ pid: number; name: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const env = environOf(pid);
    const name = env?.get(MARKER_ENV);
    if (name && env?.get(HOME_ENV) === home && isOurProcess(pid, name, home)) found.push({ pid, name });
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM the daemon's process group, wait for a graceful exit, then SIGKILL. */
export async function stopProcess(pid: number, graceMs: number): Promise<'stopped' | 'killed'> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the daemon leads its own process group (detached)
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return 'stopped';
    await sleep(200);
  }
  signal('SIGKILL');
  while (alive(pid)) await sleep(100);
  return 'killed';
}

/** The last lines of a log file, to show why a component failed. */
export function tailFile(path: string, lines = 30): string {
  if (!existsSync(path)) return '(no log file)';
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
