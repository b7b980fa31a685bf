/**
 * Reading and writing the targets file (schema.ts): YAML or JSON, mode 0600 or refused, every schema
 * error reported with its path, paths resolved against the file's folder, and the secret files an entry
 * names read only when a client needs them (refused when missing, unreadable or readable by others).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse, stringify } from 'yaml';
import { SluiceError, messageOf } from '../../lib/errors';
import { closest } from '../../lib/suggest';
import { describeSchemaErrors } from '../lib/schema-errors';
import { writePrivateFile } from '../lib/secrets';
import { LOCAL_TARGET, targetsSchema, type TargetEntry, type TargetsDocument } from './schema';

/** `--targets-file`, else SLUICE_TARGETS_FILE, else `~/.config/sluice/targets.yaml` (XDG_CONFIG_HOME). */
export function defaultTargetsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLUICE_TARGETS_FILE) return resolve(env.SLUICE_TARGETS_FILE);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'sluice', 'targets.yaml');
}

let compiled: ValidateFunction<TargetsDocument> | undefined;

function validator(): ValidateFunction<TargetsDocument> {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(targetsSchema);
  return compiled;
}

const NAME_RULE = `a target's name is lower-case letters, digits, '.', '_' and '-', and not '${LOCAL_TARGET}' (the local platform's)`;

/** Parses and validates the text of a targets file (`file` names it in errors); no file is read. */
export function parseTargets(text: string, file: string): TargetsDocument {
  let raw: unknown;
  try {
    // YAML 1.2 reads JSON too: one parser for both forms.
    raw = parse(text);
  } catch (error) {
    throw new SluiceError('SLUICE_TARGET_INVALID', `${file}: not YAML or JSON: ${messageOf(error)}`, {
      path: file,
      cause: error,
      fix: 'see docs/guides/deploy-ansible.md#targets for the format',
    });
  }
  const validate = validator();
  if (!validate(raw)) {
    const issues = describeSchemaErrors(validate.errors ?? [], NAME_RULE);
    throw new SluiceError(
      'SLUICE_TARGET_INVALID',
      `${file}: ${issues.length} problem(s):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
      { path: file, fix: 'see docs/guides/deploy-ansible.md#targets for the format' },
    );
  }
  return raw;
}

/** Refuses a file its group or others can read: it names the files that hold a cluster's passwords. */
function checkPrivate(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SluiceError(
      'SLUICE_TARGET_INVALID',
      `${file} has mode ${mode.toString(8).padStart(4, '0')}: a targets file must be readable by its owner only (0600)`,
      { path: file, fix: `chmod 600 ${file}` },
    );
  }
}

/** Reads, checks and validates a targets file. */
export function loadTargetsFile(file: string): TargetsDocument {
  if (!existsSync(file)) {
    throw new SluiceError('SLUICE_TARGET_NOT_FOUND', `no targets file at ${file}`, {
      path: file,
      fix: 'name one with --targets-file (or SLUICE_TARGETS_FILE), or write an entry for the local platform: npx sluice platform env --write-target NAME',
    });
  }
  checkPrivate(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SluiceError('SLUICE_TARGET_INVALID', `cannot read ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
  return parseTargets(text, file);
}

const PATH_KEYS = [
  'passwordFile',
  'caFile',
  'certFile',
  'keyFile',
  'kafkaCaFile',
  'queryLoginFile',
  'secretsDir',
  'stateDir',
  'clientFilesDir',
];

/** The entry with every path made absolute against `baseDir` (the targets file's folder). */
export function resolveEntryPaths(entry: TargetEntry, baseDir: string): TargetEntry {
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string' && key !== undefined && PATH_KEYS.includes(key))
      return isAbsolute(value) ? value : resolve(baseDir, value);
    if (value && typeof value === 'object' && !Array.isArray(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return walk(entry) as TargetEntry;
}

/** The entry named `name`, its paths absolute; refused with the names there are when there is none. */
export function findTarget(document: TargetsDocument, name: string, file: string): TargetEntry {
  const entry = Object.hasOwn(document.targets, name) ? document.targets[name] : undefined;
  if (!entry) {
    const names = Object.keys(document.targets);
    const meant = closest(name, names);
    throw new SluiceError('SLUICE_TARGET_NOT_FOUND', `no target named '${name}' in ${file}`, {
      path: file,
      fix: meant
        ? `did you mean --target ${meant}?`
        : names.length
          ? `use one of: ${names.join(', ')} (or --target ${LOCAL_TARGET}, the local platform)`
          : `the file has no targets; add one (docs/guides/deploy-ansible.md#targets)`,
    });
  }
  return resolveEntryPaths(entry, dirname(file));
}

/**
 * A secret named by a path in a target entry: its content, trimmed. Refused when the file is missing,
 * unreadable, empty, or readable by its group or others (`what` says which setting named it).
 */
export function readSecretFile(file: string, what: string): string {
  const refuse = (reason: string, fix: string, cause?: unknown): never => {
    throw new SluiceError('SLUICE_TARGET_SECRET_UNREADABLE', `${what}: ${file} ${reason}`, {
      path: file,
      fix,
      ...(cause === undefined ? {} : { cause }),
    });
  };
  if (!existsSync(file)) refuse('does not exist', `write the secret there (mode 0600), or correct ${what}`);
  if ((statSync(file).mode & 0o077) !== 0) refuse('is readable by its group or others', `chmod 600 ${file}`);
  let value = '';
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (error) {
    refuse(`cannot be read (${messageOf(error)})`, 'make it readable by the user that runs sluice', error);
  }
  if (!value) refuse('is empty', `write the secret there, or correct ${what}`);
  return value;
}

/**
 * Writes (or replaces) the entry `name` of the targets file, creating the file, mode 0600; the other
 * entries are kept. The entry is validated as a whole file would be before anything is written.
 */
export function writeTargetEntry(file: string, name: string, entry: TargetEntry): void {
  const document: TargetsDocument = existsSync(file) ? loadTargetsFile(file) : { version: 1, targets: {} };
  const next: TargetsDocument = { ...document, targets: { ...document.targets, [name]: entry } };
  parseTargets(JSON.stringify(next), file);
  writePrivateFile(
    file,
    `# Sluice targets (docs/guides/deploy-ansible.md#targets): \`--target NAME\`. Secrets by path only.\n${stringify(next)}`,
  );
}
