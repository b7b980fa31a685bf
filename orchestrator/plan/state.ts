/**
 * Which resources Sluice manages: the ids it created or adopted from the spec. `--prune` deletes only
 * these, so topics and users made by hand or by other tools are never deleted.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SluiceError } from '../../lib/errors';

interface StateFile {
  managed: string[];
}

/** An empty set when the file does not exist yet (nothing managed, so nothing can be pruned). */
export function loadManagedState(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw corrupt(file, cause);
  }
  const managed = (parsed as Partial<StateFile> | null)?.managed;
  if (!Array.isArray(managed) || !managed.every((id) => typeof id === 'string')) throw corrupt(file);
  return new Set(managed);
}

// Treating a corrupt file as empty would be safe for this plan but would forget, at the next save, every
// resource Sluice made; refusing keeps that knowledge until someone looks.
function corrupt(file: string, cause?: unknown): SluiceError {
  return new SluiceError('SLUICE_PLAN_REFUSED', `${file} is not a valid Sluice state file ({"managed": [ids]})`, {
    cause,
    path: file,
    fix: `repair it, or delete it to start over (then --prune deletes nothing until the next apply)`,
  });
}

export function saveManagedState(file: string, ids: Iterable<string>): void {
  mkdirSync(dirname(file), { recursive: true });
  const state: StateFile = { managed: [...new Set(ids)].sort() };
  // Write then rename, so an interrupted save leaves the previous state rather than half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}
