/**
 * The Ansible playbook, run for real on this machine (the local inventory's shape: no SSH, no init
 * system) against the test platform: the roles check the prerequisites, build Sluice in place and run the
 * launcher, which finds every component already healthy; the play ends with every component healthy.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo';
import { run } from '../../orchestrator/platform/processes';
import { testContext } from './helpers';

const ctx = testContext();

test('ansible-playbook site.yml installs and starts the platform on a host (here, this one)', async () => {
  const inventory = join(mkdtempSync(join(tmpdir(), 'sluice-ansible-')), 'hosts.yml');
  writeFileSync(inventory, [
    'all:', '  children:', '    sluice:', '      hosts:', '        localhost:',
    '          ansible_connection: local',
    '          ansible_python_interpreter: /usr/bin/python3',
    '          sluice_install_from: in-place',
    `          sluice_dir: ${repoRoot()}`,
    `          sluice_home: ${ctx.paths.home}`,
    `          sluice_cache_dir: ${ctx.paths.cache}`,
    `          sluice_port_base: ${ctx.ports.base}`,
    '          sluice_service_manager: none',
    '          sluice_workloads: false',
    '',
  ].join('\n'));
  const play = await run('ansible-playbook', ['-i', inventory, 'playbooks/site.yml'], { cwd: join(repoRoot(), 'ansible'), timeoutMs: 1_200_000, env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
  expect(play.stderr).not.toMatch(/ERROR!/);
  expect(play.code).toBe(0);
  expect(play.stdout).toMatch(/localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
  expect(play.stdout).toMatch(/TASK \[sluice_platform : Every component is healthy\]\s*\nok: \[localhost\]/);
}, 1_500_000);
