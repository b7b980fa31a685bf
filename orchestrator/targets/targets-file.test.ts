/** The targets file: format and paths, mode 0600, names, secret files. Real files in a temp folder. */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SluiceError } from '../../lib/errors';
import { repoRoot } from '../../lib/repo';
import type { TargetEntry, TargetsDocument } from './schema';
import {
  defaultTargetsFile,
  findTarget,
  loadTargetsFile,
  parseTargets,
  readSecretFile,
  writeTargetEntry,
} from './targets-file';

const entry = (): TargetEntry => ({
  kafka: {
    bootstrapServers: ['10.213.77.11:9093', '10.213.77.12:9093'],
    user: 'admin',
    passwordFile: 'secrets/kafka-admin',
    caFile: '/etc/sluice/ca.pem',
  },
  registry: { url: 'http://10.213.77.11:8080', user: 'registry-admin', passwordFile: 'secrets/registry-admin' },
  secretsDir: 'pipeline-secrets',
  stateDir: 'state',
});

const doc = (targets: Record<string, unknown> = { prod: entry() }) => ({ version: 1, targets });

function thrown(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error('expected a SluiceError');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-targets-'));
});

function writeFile(name: string, text: string, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

describe('parseTargets', () => {
  it('reads YAML and JSON alike', () => {
    expect(parseTargets(stringify(doc()), 't.yaml')).toEqual(doc());
    expect(parseTargets(JSON.stringify(doc()), 't.json')).toEqual(doc());
  });

  it('reports every problem with its path, and refuses a password given inline', () => {
    const bad = entry() as unknown as Record<string, Record<string, unknown>>;
    delete bad.kafka!.passwordFile;
    bad.kafka!.password = 'hunter2';
    bad.registry!.url = 'registry:8080';
    const error = thrown(() => parseTargets(JSON.stringify(doc({ prod: bad, local: entry() })), 't.yaml'));
    expect(error.code).toBe('SLUICE_TARGET_INVALID');
    expect(error.message).toContain('targets.prod.kafka.passwordFile: missing');
    expect(error.message).toContain('targets.prod.kafka.password: unknown key');
    expect(error.message).toContain('targets.prod.registry.url: must match pattern');
    expect(error.message).toMatch(/targets\.local: a target's name is .* not 'local'/);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toMatch(/^t\.yaml: 4 problem\(s\)/);
  });

  it('refuses what is not YAML, and a document without version', () => {
    expect(thrown(() => parseTargets('targets: [', 't.yaml')).code).toBe('SLUICE_TARGET_INVALID');
    expect(thrown(() => parseTargets(stringify({ targets: {} }), 't.yaml')).message).toContain('version: missing');
  });
});

describe('loadTargetsFile', () => {
  it('refuses a missing file with SLUICE_TARGET_NOT_FOUND', () => {
    const error = thrown(() => loadTargetsFile(join(dir, 'nope.yaml')));
    expect(error.code).toBe('SLUICE_TARGET_NOT_FOUND');
    expect(error.fix).toContain('--write-target');
  });

  it('refuses a file its group or others can read, and reads it at 0600 (the control)', () => {
    const file = writeFile('targets.yaml', stringify(doc()), 0o644);
    const error = thrown(() => loadTargetsFile(file));
    expect(error.code).toBe('SLUICE_TARGET_INVALID');
    expect(error.message).toContain('mode 0644');
    expect(error.fix).toBe(`chmod 600 ${file}`);
    chmodSync(file, 0o600);
    expect(loadTargetsFile(file)).toEqual(doc());
  });
});

describe('findTarget', () => {
  it('resolves relative paths against the file and keeps absolute ones', () => {
    const file = join(dir, 'targets.yaml');
    const found = findTarget(doc() as TargetsDocument, 'prod', file);
    expect(found.kafka.passwordFile).toBe(join(dir, 'secrets/kafka-admin'));
    expect(found.kafka.caFile).toBe('/etc/sluice/ca.pem');
    expect(found.secretsDir).toBe(join(dir, 'pipeline-secrets'));
    expect(found.kafka.bootstrapServers).toEqual(['10.213.77.11:9093', '10.213.77.12:9093']);
    expect(found.registry.url).toBe('http://10.213.77.11:8080');
  });

  it('refuses an unknown name with SLUICE_TARGET_NOT_FOUND and suggests a close one', () => {
    const named = doc({ production: entry() }) as TargetsDocument;
    const error = thrown(() => findTarget(named, 'prodution', 'targets.yaml'));
    expect(error.code).toBe('SLUICE_TARGET_NOT_FOUND');
    expect(error.fix).toBe('did you mean --target production?');
    expect(thrown(() => findTarget(doc() as TargetsDocument, 'staging', 'targets.yaml')).fix).toContain(
      'use one of: prod',
    );
    // Names of Object.prototype are no targets.
    expect(thrown(() => findTarget(doc() as TargetsDocument, 'constructor', 'targets.yaml')).code).toBe(
      'SLUICE_TARGET_NOT_FOUND',
    );
  });
});

describe('readSecretFile', () => {
  it('reads a private file, trimmed', () => {
    expect(readSecretFile(writeFile('pw', 's3cret\n'), 'kafka.passwordFile')).toBe('s3cret');
  });

  it.each([
    ['missing', () => join(dir, 'absent'), 'does not exist'],
    ['readable by others', () => writeFile('open', 'x\n', 0o644), 'readable by its group or others'],
    ['empty', () => writeFile('empty', '\n'), 'is empty'],
  ])('refuses a %s file with SLUICE_TARGET_SECRET_UNREADABLE, never showing a secret', (_what, make, reason) => {
    const error = thrown(() => readSecretFile(make(), 'targets.prod.kafka.passwordFile'));
    expect(error.code).toBe('SLUICE_TARGET_SECRET_UNREADABLE');
    expect(error.message).toContain('targets.prod.kafka.passwordFile');
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain('x\n');
  });
});

describe('writeTargetEntry', () => {
  it('creates the file mode 0600, and replaces one entry keeping the others', () => {
    const file = join(dir, 'sub', 'targets.yaml');
    writeTargetEntry(file, 'prod', entry());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeTargetEntry(file, 'lab', { ...entry(), description: 'the lab' });
    writeTargetEntry(file, 'prod', { ...entry(), stateDir: 'state2' });
    const loaded = loadTargetsFile(file);
    expect(Object.keys(loaded.targets)).toEqual(['prod', 'lab']);
    expect(loaded.targets.prod!.stateDir).toBe('state2');
    expect(readFileSync(file, 'utf8')).toMatch(/^# Sluice targets/);
  });

  it('writes nothing that is not the format', () => {
    const file = join(dir, 'targets.yaml');
    const error = thrown(() => writeTargetEntry(file, 'Bad Name', entry()));
    expect(error.code).toBe('SLUICE_TARGET_INVALID');
    expect(() => statSync(file)).toThrow();
  });
});

describe('the targets file of docs/guides/deploy-ansible.md', () => {
  it('is a valid targets file (a documented example is a test)', () => {
    const guide = readFileSync(join(repoRoot(), 'docs', 'guides', 'deploy-ansible.md'), 'utf8');
    const section = guide.slice(guide.indexOf('## Targets'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const document = parseTargets(example!, 'deploy-ansible.md');
    expect(Object.keys(document.targets)).toEqual(['lab']);
    expect(Object.keys(document.targets.lab!).sort()).toEqual(
      [
        'cassandra',
        'connect',
        'description',
        'flink',
        'influxdb',
        'kafka',
        'monitoring',
        'registry',
        'secretsDir',
        'stateDir',
      ].sort(),
    );
  });
});

describe('defaultTargetsFile', () => {
  it('is SLUICE_TARGETS_FILE, else targets.yaml in the XDG config folder', () => {
    expect(defaultTargetsFile({ SLUICE_TARGETS_FILE: '/x/t.json' })).toBe('/x/t.json');
    expect(defaultTargetsFile({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/sluice/targets.yaml');
  });
});
