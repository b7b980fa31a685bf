/**
 * Three test hosts (test/hosts/: network namespaces on a bridge, each with its own sshd) reached by Ansible
 * over SSH from the root namespace, with the inventory `sluice topology inventory` gives for the
 * three-host example moved onto the test hosts' addresses: every host answers `ansible -m ping`, runs
 * commands in its own namespace, the play passes `--syntax-check` on that inventory, and a host whose
 * link is down does not answer while the others do (then answers again once it is up). Needs no Sluice
 * platform (run alone: SLUICE_TEST_NO_PLATFORM=1, CONTRIBUTING.md); about 15 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../../lib/repo';
import { run } from '../../orchestrator/platform/processes';
import { RECORDS_DIR, createTestHosts, prerequisiteProblems, type TestHosts } from '../hosts/hosts';
import { onTestHosts } from '../hosts/topology';

const root = repoRoot();
let th: TestHosts | undefined;

afterEach(() => {
  th?.destroy();
  th = undefined;
});

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
  expect(statSync(hosts.keyFile).mode & 0o777).toBe(0o600);
  // The subnet is now in use here (the bridge): a second run on it is refused, naming what uses it.
  await expect(createTestHosts({ count: 1, subnet: hosts.subnet })).rejects.toThrow(
    `${hosts.subnet} is already in use on this machine: sthbr${hosts.id} address ${hosts.bridgeAddress}/`,
  );

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

  // Each answer comes from the host's own namespace: its eth0 has its own address, and its home is its own.
  const marker = `.sluice-test-host-${hosts.id}`;
  const addresses = await ansible([
    'sluice',
    '-m',
    'shell',
    '-a',
    `ip -4 -o addr show dev eth0; touch ~/${marker}`,
    '-o',
  ]);
  expect(addresses.code).toBe(0);
  for (const h of hosts.hosts) expect([h.name, existsSync(join(h.homeDir, marker))]).toEqual([h.name, true]);
  expect(existsSync(join('/root', marker))).toBe(false);
  for (const h of hosts.hosts)
    expect(addresses.stdout).toMatch(
      new RegExp(`^${h.name} \\| CHANGED \\| rc=0 \\| \\(stdout\\) .*inet ${h.address}/`, 'm'),
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

/** What a run made that is still there: namespaces, links, sshd processes, temp dir, record. */
function leftovers(id: string, dir: string): string[] {
  const found: string[] = [];
  const namespaces = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  found.push(...namespaces.filter((n) => n.startsWith(`sluice-th-${id}-`)).map((n) => `namespace ${n}`));
  found.push(...readdirSync('/sys/class/net').filter((l) => l.startsWith(`sth${id}`) || l === `sthbr${id}`));
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (cmd.includes(dir) || cmd.includes(join(RECORDS_DIR, `${id}.json`)))
      found.push(`process ${pid}: ${cmd.split('\0').join(' ')}`);
  }
  if (existsSync(dir)) found.push(dir);
  if (existsSync(join(RECORDS_DIR, `${id}.json`))) found.push(`record ${id}`);
  return found;
}

/**
 * test/hosts/main.ts (2 hosts) in a node of its own until its JSON line: the hosts are up. Node itself,
 * with tsx's loader, rather than the tsx command, which would run it in a grandchild that outlives a SIGKILL.
 */
async function holdHosts(): Promise<{
  child: ChildProcess;
  made: { id: string; dir: string; hosts: Array<{ address: string }> };
}> {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(root, 'test/hosts/main.ts'), '2'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`test/hosts/main.ts printed nothing in 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`test/hosts/main.ts exited ${code}: ${err}`)));
  });
  return { child, made: JSON.parse(line) };
}

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.signalCode ?? child.exitCode)
      : child.once('exit', (code, signal) => resolve(signal ?? code)),
  );

async function gone(id: string, dir: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (leftovers(id, dir).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return leftovers(id, dir);
}

test('test hosts leave nothing behind when interrupted (SIGINT) or killed outright (the watchdog; else the next run reaps)', async () => {
  // SIGINT: the run removes everything itself.
  const interrupted = await holdHosts();
  expect(leftovers(interrupted.made.id, interrupted.made.dir).length).toBeGreaterThan(0); // positive control
  interrupted.child.kill('SIGINT');
  expect(await exited(interrupted.child)).toBe('SIGINT');
  expect(await gone(interrupted.made.id, interrupted.made.dir, 2_000)).toEqual([]);

  // SIGKILL of the owner: its watchdog removes everything.
  const killed = await holdHosts();
  expect(leftovers(killed.made.id, killed.made.dir)).toEqual(
    expect.arrayContaining([`namespace sluice-th-${killed.made.id}-1`, `sthbr${killed.made.id}`, killed.made.dir]),
  );
  killed.child.kill('SIGKILL');
  expect(await exited(killed.child)).toBe('SIGKILL');
  expect(await gone(killed.made.id, killed.made.dir, 10_000)).toEqual([]);

  // SIGKILL of the owner and its watchdog (a crash): everything stays until the next run reaps it.
  const crashed = await holdHosts();
  const record = JSON.parse(readFileSync(join(RECORDS_DIR, `${crashed.made.id}.json`), 'utf8')) as {
    watchdogPid: number;
  };
  process.kill(record.watchdogPid, 'SIGKILL');
  crashed.child.kill('SIGKILL');
  await exited(crashed.child);
  await new Promise((r) => setTimeout(r, 500));
  expect(leftovers(crashed.made.id, crashed.made.dir)).toEqual(
    expect.arrayContaining([`namespace sluice-th-${crashed.made.id}-1`, `sthbr${crashed.made.id}`]),
  );
  th = await createTestHosts({ count: 1 }); // reaps first, else it would refuse the subnet the crash holds
  expect(leftovers(crashed.made.id, crashed.made.dir)).toEqual([]);
  expect(th.hosts).toHaveLength(1);
}, 120_000);
