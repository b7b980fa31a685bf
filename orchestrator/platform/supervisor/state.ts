/**
 * What the supervisor writes for others to read: the state of each supervised component
 * (`run/supervisor-state.json`, read by `platform status`), and the launch spec of each
 * (`run/supervisor-specs.json`, mode 0600: it holds the environment the component was started with),
 * so that a supervisor started again carries on watching what the last one watched.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonSpec } from '../processes';
import { writePrivateFile } from '../../lib/secrets';

export type SupervisedStatus = 'starting' | 'running' | 'backoff' | 'failed';

export interface ExitRecord {
  at: string;
  /** `killed by SIGKILL`, `exited with code 1`, `did not become ready: …`. */
  cause: string;
  /** The last lines of the component's log when it died. */
  logTail: string[];
}

export interface SupervisedView {
  name: string;
  status: SupervisedStatus;
  pid?: number;
  /** Restarts by the supervisor since the component was last started on request. */
  restarts: number;
  lastExit?: ExitRecord;
  nextStartAt?: string;
  /** Why the supervisor gave up (status `failed`). */
  reason?: string;
}

export interface SupervisorState {
  pid: number;
  updatedAt: string;
  components: SupervisedView[];
}

const STATE_FILE = 'supervisor-state.json';
const SPECS_FILE = 'supervisor-specs.json';

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined; // a torn write is replaced by the next one
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
function writeAtomically(path: string, content: string): void {
  writePrivateFile(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

export function readSupervisorState(runDir: string): SupervisorState | undefined {
  return readJson<SupervisorState>(join(runDir, STATE_FILE));
}

export function readSupervisorFiles(runDir: string): { specs: Record<string, DaemonSpec>; state?: SupervisorState } {
  const state = readSupervisorState(runDir);
  return { specs: readJson<Record<string, DaemonSpec>>(join(runDir, SPECS_FILE)) ?? {}, ...(state ? { state } : {}) };
}

export function writeSupervisorFiles(runDir: string, specs: Record<string, DaemonSpec>, state: SupervisorState): void {
  writeAtomically(join(runDir, SPECS_FILE), JSON.stringify(specs));
  writeAtomically(join(runDir, STATE_FILE), JSON.stringify(state, null, 2));
}

/** After a full `down`: the next supervisor starts with nothing to restart. */
export function clearSupervisorFiles(runDir: string): void {
  for (const file of [STATE_FILE, SPECS_FILE]) rmSync(join(runDir, file), { force: true });
}
