/**
 * The Ansible playbook, run for real on this machine (the local inventory's shape: no SSH, no init
 * system) against the test platform: the roles check the prerequisites, build Sluice in place and run the
 * launcher, which finds every component already healthy and applies the host's pipeline spec; the play
 * ends with every component healthy and the spec's topic in the cluster. The spec is a small one of the
 * test's own: the demo's thirteen Flink jobs would load the two cores for every suite after this one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { deployPipeline } from '../../orchestrator/cli/pipeline';
import { run } from '../../orchestrator/platform/processes';
import { adminClient, testContext, uniqueName } from './helpers';

const ctx = testContext();

const admin = adminClient(ctx);
const dir = mkdtempSync(join(tmpdir(), 'sluice-ansible-'));
const specName = uniqueName('ansible');
const topic = uniqueName('ansible-topic');

afterAll(async () => {
  // An empty spec of the same name with --prune removes what the play created.
  const empty = join(dir, 'empty.yaml');
  writeFileSync(empty, `apiVersion: sluice/v1\nname: ${specName}\n`);
  await deployPipeline(ctx, empty, { prune: true, log: ctx.log });
  await admin.close();
}, 180_000);

test('ansible-playbook site.yml installs and starts the platform on a host (here, this one)', async () => {
  const spec = join(dir, 'pipeline.yaml');
  writeFileSync(spec, `apiVersion: sluice/v1\nname: ${specName}\ntopics:\n  - name: ${topic}\n    partitions: 3\n`);
  const inventory = join(dir, 'hosts.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  children:',
      '    sluice:',
      '      hosts:',
      '        localhost:',
      '          ansible_connection: local',
      '          ansible_python_interpreter: /usr/bin/python3',
      '          sluice_install_from: in-place',
      `          sluice_dir: ${repoRoot()}`,
      `          sluice_home: ${ctx.paths.home}`,
      `          sluice_cache_dir: ${ctx.paths.cache}`,
      `          sluice_port_base: ${ctx.ports.base}`,
      '          sluice_service_manager: none',
      '          sluice_workloads: false',
      `          sluice_spec: ${spec}`,
      '',
    ].join('\n'),
  );
  const play = await run('ansible-playbook', ['-i', inventory, 'playbooks/site.yml'], {
    cwd: join(repoRoot(), 'ansible'),
    timeoutMs: 1_200_000,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
  });
  expect(play.stderr).not.toMatch(/ERROR!/);
  expect(play.code).toBe(0);
  expect(play.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
  // The health task may retry a few times ("FAILED - RETRYING: ...") before its `ok`.
  expect(play.stdout).toMatch(
    /TASK \[sluice_platform : Every component is healthy\][^\n]*\n(?:FAILED - RETRYING[^\n]*\n)*ok: \[localhost\]/,
  );
  expect((await admin.observe()).topics.map((t) => t.name)).toContain(topic);
}, 1_500_000);
