/**
 * Three test hosts (test/hosts/: network namespaces on a bridge, each with its own sshd) reached by Ansible
 * over SSH from the root namespace, with the inventory `sluice topology inventory` gives for the
 * three-host example moved onto the test hosts' addresses: every host answers `ansible -m ping`, runs
 * commands in its own namespace, the play passes `--syntax-check` on that inventory, and a host whose
 * link is down does not answer while the others do (then answers again once it is up). Needs no Sluice
 * platform (run alone: SLUICE_TEST_NO_PLATFORM=1, CONTRIBUTING.md); about 15 s.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../../lib/repo';
import { run } from '../../orchestrator/platform/processes';
import { createTestHosts, prerequisiteProblems, type TestHosts } from '../hosts/hosts';
import { onTestHosts } from '../hosts/topology';

const root = repoRoot();
let th: TestHosts | undefined;

afterAll(() => th?.destroy());

function ansibleEnv(hosts: TestHosts): NodeJS.ProcessEnv {
  const dir = (name: string) => {
    const path = join(hosts.dir, name);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  return {
    ...process.env,
    ANSIBLE_CONFIG: join(root, 'ansible', 'ansible.cfg'),
    ANSIBLE_NOCOLOR: '1',
    // Ansible's own state in the run's temp dir, not ~/.ansible; ssh with the hosts' options only
    // (replacing ControlPersist's default, which would leave ssh masters running after the test).
    ANSIBLE_HOME: dir('ansible-home'),
    ANSIBLE_LOCAL_TEMP: dir('ansible-local'),
    ANSIBLE_REMOTE_TMP: dir('ansible-remote'),
    ANSIBLE_SSH_ARGS: hosts.sshOptions.join(' '),
    // One SSH connection per module instead of four (mkdir, put, run, rm): 1.4 s a ping of three hosts, not 7.7.
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
  };
}

test('three test hosts answer Ansible over SSH with the inventory of the three-host topology; a host whose link is down does not', async () => {
  const missing = [
    ...prerequisiteProblems(),
    ...(await Promise.all(
      ['ansible', 'ansible-playbook'].map(async (c) =>
        (await run('sh', ['-c', `command -v ${c}`])).code === 0
          ? undefined
          : `${c} is missing: install it with: apt-get update && apt-get install -y ansible-core`,
      ),
    )),
  ].filter((p): p is string => p !== undefined);
  if (missing.length) throw new Error(`this test cannot run here:\n- ${missing.join('\n- ')}`);

  const started = Date.now();
  th = await createTestHosts({ count: 3 });
  const hosts = th;
  const [one, two, three] = hosts.hosts as [TestHosts['hosts'][0], TestHosts['hosts'][0], TestHosts['hosts'][0]];

  // The three-host example, moved onto the test hosts, and its inventory from the CLI.
  const topology = join(hosts.dir, 'topology.yaml');
  writeFileSync(
    topology,
    onTestHosts(
      readFileSync(join(root, 'ansible/topologies/three-hosts.yaml'), 'utf8'),
      Object.fromEntries(hosts.hosts.map((h) => [h.name, h.address])),
    ),
  );
  const generated = await run('node', [join(root, 'bin/sluice.js'), 'topology', 'inventory', topology]);
  expect(generated.stderr).toBe('');
  expect(generated.code).toBe(0);
  expect(generated.stdout).toContain(`ansible_host: ${two.address}`);
  const inventory = join(hosts.dir, 'inventory.yml');
  writeFileSync(inventory, generated.stdout);
  // How Ansible reaches them, and each host's own directories, as a second inventory source.
  const connection = join(hosts.dir, 'connection.yml');
  writeFileSync(
    connection,
    stringify({
      all: {
        vars: {
          ansible_user: hosts.user,
          ansible_ssh_private_key_file: hosts.keyFile,
          ansible_python_interpreter: '/usr/bin/python3',
        },
        hosts: Object.fromEntries(
          hosts.hosts.map((h) => [h.name, { sluice_dir: h.installDir, sluice_home: h.dataDir }]),
        ),
      },
    }),
  );
  const inventories = ['-i', inventory, '-i', connection];
  const env = ansibleEnv(hosts);
  const ansible = (args: string[]) =>
    run('ansible', [...inventories, ...args], { cwd: join(root, 'ansible'), env, timeoutMs: 60_000 });
  const answers = (out: string) =>
    Object.fromEntries([...out.matchAll(/^(sluice-\d) \| (\w+!?)/gm)].map((m) => [m[1], m[2]]));

  const ping = await ansible(['sluice', '-m', 'ping', '-o']);
  expect(ping.stderr).not.toMatch(/ERROR|WARNING/);
  expect(answers(ping.stdout)).toEqual({ 'sluice-1': 'SUCCESS', 'sluice-2': 'SUCCESS', 'sluice-3': 'SUCCESS' });
  expect(ping.code).toBe(0);

  // Each answer comes from the host's own namespace: its eth0 has its own address, and nothing else.
  const addresses = await ansible(['sluice', '-m', 'command', '-a', 'ip -4 -o addr show dev eth0', '-o']);
  expect(addresses.code).toBe(0);
  for (const h of hosts.hosts)
    expect(addresses.stdout).toMatch(
      new RegExp(`^${h.name} \\| CHANGED \\| rc=0 \\| \\(stdout\\) .*inet ${h.address}/24`, 'm'),
    );

  // The generated groups reach the hosts the topology places there.
  const jobmanager = await ansible(['flink_jobmanager', '--list-hosts']);
  expect(jobmanager.stdout).toMatch(/hosts \(1\):\s+sluice-1\s*$/);

  const syntax = await run('ansible-playbook', [...inventories, 'playbooks/site.yml', '--syntax-check'], {
    cwd: join(root, 'ansible'),
    env,
    timeoutMs: 60_000,
  });
  expect(syntax.stderr).not.toMatch(/ERROR/);
  expect(syntax.stdout).toContain('playbook: playbooks/site.yml');
  expect(syntax.code).toBe(0);

  // Negative, with its positive control in the same run: sluice-2's link down inside its namespace.
  hosts.setLink(two, 'down');
  const lost = await ansible(['sluice', '-m', 'ping', '-o']);
  expect(answers(lost.stdout)).toEqual({ 'sluice-1': 'SUCCESS', 'sluice-2': 'UNREACHABLE!', 'sluice-3': 'SUCCESS' });
  expect(lost.code).toBe(4); // Ansible's exit code for an unreachable host
  hosts.setLink(two, 'up');
  const back = await ansible(['sluice', '-m', 'ping', '-o']);
  expect(answers(back.stdout)).toEqual({ 'sluice-1': 'SUCCESS', 'sluice-2': 'SUCCESS', 'sluice-3': 'SUCCESS' });
  expect([one.name, three.name]).toEqual(['sluice-1', 'sluice-3']);
  expect(Date.now() - started).toBeLessThan(60_000);
}, 120_000);
