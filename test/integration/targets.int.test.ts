/**
 * Targets (issue 14 item 4): `sluice plan --target NAME` reaches the test platform by an entry of a
 * targets file (URLs, users, secret files), from another working directory with another SLUICE_HOME and
 * no port base: no pid file and no data dir of the platform is looked at. Read-only: it plans, never applies.
 * The demo is deployed by deploy-pipeline.int.test.ts, which the contract tier runs before this suite; the
 * no-change check deploys a small spec of its own.
 */
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { run } from '../../orchestrator/platform/processes';
import { loadTargetsFile, writeTargetEntry } from '../../orchestrator/targets/targets-file';
import { testContext, uniqueName } from './helpers';

const ctx = testContext();
const workDir = mkdtempSync(join(tmpdir(), 'sluice-targets-'));
const targetsFile = join(workDir, 'targets.yaml');
const spec = join(repoRoot(), 'pipeline.yaml');
/** A data dir that is not the platform's; it must still not exist after the commands ran. */
const otherHome = join(workDir, 'other-home');
const TARGET = 'test-platform';

function sluice(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) {
  return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], { cwd, env, timeoutMs: 180_000 });
}

/** The test platform's own environment, from the repository (the local target: pid files). */
const onPlatform = (...args: string[]) => sluice(process.env, repoRoot(), ...args);

/** An environment that knows nothing of the test platform but the targets file. */
function elsewhere(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_HOME: otherHome };
  delete env.SLUICE_PORT_BASE;
  delete env.SLUICE_TEST_HOME;
  delete env.SLUICE_TARGETS_FILE;
  return sluice(env, workDir, ...args, '--targets-file', targetsFile);
}

interface PlanJson {
  specName: string;
  hasChanges: boolean;
  steps: Array<{ id: string; action: string }>;
}

const stepLines = (plan: PlanJson) => plan.steps.map((s) => `${s.action} ${s.id}`).sort();

beforeAll(async () => {
  const written = await onPlatform('platform', 'env', '--write-target', TARGET, '--targets-file', targetsFile);
  expect(written.stderr).toBe('');
  expect(written.code).toBe(0);
  expect(statSync(targetsFile).mode & 0o777).toBe(0o600);
  expect(loadTargetsFile(targetsFile).targets[TARGET]!.secretsDir).toBe(ctx.paths.secrets);
});

test('plan --target sees what plan on the local platform sees, with no pid file or data dir of its own', async () => {
  const local = await onPlatform('plan', '--spec', spec, '--json');
  expect(local.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(local.code).toBe(0);
  const remote = await elsewhere('plan', '--spec', spec, '--json', '--target', TARGET);
  expect(remote.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(remote.code).toBe(0);
  const [a, b] = [JSON.parse(local.stdout) as PlanJson, JSON.parse(remote.stdout) as PlanJson];
  expect(b.specName).toBe('demo');
  expect(stepLines(b)).toEqual(stepLines(a));
  // Nothing of a local platform was looked for or made: not even the data dir.
  expect(existsSync(otherHome)).toBe(false);
});

test('after a deploy, plan --target shows no change (exit code 0)', async () => {
  // A spec of the suite's own, deployed here through the local platform: the demo's state depends on
  // which suites ran before (some stop or prune its jobs), this one does not.
  const name = uniqueName('targets');
  const own = join(workDir, 'own.yaml');
  writeFileSync(
    own,
    `apiVersion: sluice/v1\nname: ${name}\ntopics:\n  - { name: ${name}.events, partitions: 3, config: { min.insync.replicas: 2 } }\nprincipals:\n  - { name: ${name}-svc, produces: [${name}.events] }\n`,
  );
  try {
    // Positive control: before the deploy the target sees the changes (exit code 2 with --exit-code).
    const before = await elsewhere('plan', '--spec', own, '--target', TARGET, '--exit-code');
    expect(before.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(before.stdout).toContain(`+ topic/${name}.events`);
    expect(before.code).toBe(2);
    const deployed = await onPlatform('deploy-pipeline', '--spec', own);
    expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(deployed.code).toBe(0);
    const plan = await elsewhere('plan', '--spec', own, '--target', TARGET, '--exit-code');
    expect(plan.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
    expect(plan.stdout).toContain(`No changes. The cluster matches ${name}.`);
    expect(plan.code).toBe(0);
  } finally {
    writeFileSync(own, `apiVersion: sluice/v1\nname: ${name}\n`);
    expect((await onPlatform('deploy-pipeline', '--spec', own, '--prune')).code).toBe(0);
  }
});

test('an unknown target, a targets file others can read and a missing password file are refused; the right ones work', async () => {
  // The positive control: the same command, the entry as written.
  const control = await elsewhere('plan', '--spec', spec, '--target', TARGET);
  expect(control.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(control.code).toBe(0);

  const unknown = await elsewhere('plan', '--spec', spec, '--target', 'test-platfrom');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain(`SLUICE_TARGET_NOT_FOUND: no target named 'test-platfrom' in ${targetsFile}`);
  expect(unknown.stderr).toContain(`did you mean --target ${TARGET}?`);

  chmodSync(targetsFile, 0o644);
  try {
    const open = await elsewhere('plan', '--spec', spec, '--target', TARGET);
    expect(open.code).toBe(1);
    expect(open.stderr).toContain(`SLUICE_TARGET_INVALID: ${targetsFile} has mode 0644`);
  } finally {
    chmodSync(targetsFile, 0o600);
  }

  const entry = loadTargetsFile(targetsFile).targets[TARGET]!;
  const missing = join(workDir, 'no-such-password');
  writeTargetEntry(targetsFile, 'broken', { ...entry, kafka: { ...entry.kafka, passwordFile: missing } });
  const broken = await elsewhere('plan', '--spec', spec, '--target', 'broken');
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain(
    `SLUICE_TARGET_SECRET_UNREADABLE: targets.broken.kafka.passwordFile: ${missing} does not exist`,
  );

  // platform env --target: the same cluster's variables, naming the password's file, never the password.
  const env = await elsewhere('platform', 'env', '--target', TARGET);
  expect(env.code).toBe(0);
  expect(env.stdout).toContain(`export SLUICE_BOOTSTRAP_SERVERS=${entry.kafka.bootstrapServers.join(',')}`);
  expect(env.stdout).toContain(`export SLUICE_KAFKA_PASSWORD_FILE=${entry.kafka.passwordFile}`);
  expect(env.stdout).not.toContain(ctx.secrets.read('kafka/admin')!);
});
