/**
 * Test hosts: N network namespaces joined by a bridge on a subnet no interface or route of this machine
 * uses (plan.ts), each with its own sshd (Debian's openssh-server) on its namespace address, a key pair
 * made for the run (0600, in a temp dir), and its own install and data directories. Reached over SSH from
 * the root namespace; the namespaces have no default route, so traffic goes only to the bridge's subnet.
 *
 * Everything it makes is written down first, in a record under /run/sluice-test-hosts/ (gone on reboot,
 * with the namespaces), then made; `destroy()` removes it all (sshd and whatever else runs in the
 * namespaces, namespaces, veths, bridge, temp dir), and so do SIGINT, SIGTERM and the process' exit. A
 * watchdog process (watchdog.ts) removes it when the owner dies without doing so (killed outright, or
 * under Jest, where those handlers never fire); if the watchdog is gone too, the next run reaps the record.
 * Needs root, iproute2 and openssh-server (`prerequisiteProblems` says how to install what is missing).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SUBNET,
  addressPlan,
  subnetProblems,
  usedNetworks,
  type AddressPlan,
  type IpAddrEntry,
  type IpRouteEntry,
} from './plan';

export const RECORDS_DIR = '/run/sluice-test-hosts';
const SSHD = '/usr/sbin/sshd';
const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
const PRIVSEP_DIR = '/run/sshd';
const INSTALL = 'apt-get update && apt-get install -y';

export interface TestHost {
  /** sluice-1, sluice-2 … (the names of ansible/topologies/). */
  name: string;
  index: number;
  namespace: string;
  address: string;
  /** This host's own install directory (sluice_dir) and data directory (sluice_home). */
  installDir: string;
  dataDir: string;
  /**
   * Root's home on this host: an empty directory of its own, bind-mounted on /root for its sshd and
   * sessions only, so that the machine's ~/.bashrc (pyenv's rehash, which a killed session can leave
   * locked for every shell), ~/.ssh and ~/.ansible are not the test host's.
   */
  homeDir: string;
  /** sshd's output (-e), for a failure's message. */
  sshdLog: string;
}

export interface TestHosts {
  /** The run's id: in every name it made (sluice-th-<id>-1, sthbr<id> …) and its record's file name. */
  id: string;
  subnet: string;
  bridgeAddress: string;
  hosts: TestHost[];
  /** The run's temp dir (0700): keys, known_hosts, each host's directories. */
  dir: string;
  user: 'root';
  /** The client key (0600), authorised on every host. */
  keyFile: string;
  /** Every host's key: host key checking stays on. */
  knownHostsFile: string;
  /** ssh's options for these hosts, ignoring the user's ssh config and agent; no connection sharing. */
  sshOptions: string[];
  /** Runs a command on a host over SSH from the root namespace. */
  ssh(host: TestHost, command: string, timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Takes a host's link (its eth0, inside its namespace) down or up. */
  setLink(host: TestHost, state: 'up' | 'down'): void;
  /** Removes everything the run made; safe to call twice. */
  destroy(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestHostsOptions {
  count: number;
  /** Default: SLUICE_TEST_HOSTS_SUBNET, else 10.213.77.0/24. */
  subnet?: string;
  /** How long each sshd may take to listen. */
  startTimeoutMs?: number;
}

/** What this machine lacks to make test hosts, each with the command that fixes it; empty when ready. */
export function prerequisiteProblems(): string[] {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('test hosts need root (network namespaces, a bridge, sshd on port 22)');
  const has = (command: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!has('ip')) problems.push(`ip is missing: install it with: ${INSTALL} iproute2`);
  if (!existsSync(SSHD)) problems.push(`${SSHD} is missing: install it with: ${INSTALL} openssh-server`);
  if (!has('ssh') || !has('ssh-keygen'))
    problems.push(`ssh or ssh-keygen is missing: install it with: ${INSTALL} openssh-client`);
  return problems;
}

/** What a run made, written down before it is made. */
interface Made {
  id: string;
  ownerPid: number;
  /** The owner's start time (/proc/<pid>/stat field 22): a recycled pid is not the owner. */
  ownerStart: string;
  dir?: string;
  bridge?: string;
  namespaces: string[];
  veths: string[];
  sshd: Array<{ pid: number; config: string }>;
  privsepDir?: string;
  /** watchdog.ts, which removes all this once the owner is gone. */
  watchdogPid?: number;
}

const recordPath = (id: string) => join(RECORDS_DIR, `${id}.json`);

function save(made: Made): void {
  mkdirSync(RECORDS_DIR, { recursive: true, mode: 0o700 });
  // Whole or not at all: the watchdog may read it at any moment.
  writeFileSync(`${recordPath(made.id)}.new`, JSON.stringify(made, null, 2), { mode: 0o600 });
  renameSync(`${recordPath(made.id)}.new`, recordPath(made.id));
}

function load(id: string): Made | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(id), 'utf8')) as Made;
  } catch {
    return undefined;
  }
}

const ownerGone = (made: Made) => startTime(made.ownerPid) !== made.ownerStart;

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function sh(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`, { cause: error });
  }
}

/** Runs a teardown step; a thing already gone is not a failure. */
function attempt(failures: string[], what: string, step: () => void): void {
  try {
    step();
  } catch (error) {
    const message = (error as Error).message;
    if (!/No such file|Cannot find device|does not exist|ESRCH|ENOENT/.test(message))
      failures.push(`${what}: ${message}`);
  }
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Running (a zombie, exited but not yet reaped by its parent, is not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Removes what a record names, in order; every step is tried, the failures are reported together. */
function teardown(made: Made): void {
  const failures: string[] = [];
  // sshd first (only a process whose command line names this run's config), then whatever else runs in
  // the run's namespaces (sessions), so that deleting a namespace frees it at once.
  const ours = made.sshd.filter((s) => cmdline(s.pid).includes(s.config));
  for (const s of ours) attempt(failures, `stop sshd ${s.pid}`, () => process.kill(s.pid, 'SIGTERM'));
  for (let waited = 0; waited < 3000 && ours.some((s) => alive(s.pid)); waited += 50) sleepSync(50);
  const existing = new Set(existsSync('/run/netns') ? readdirSync('/run/netns') : []);
  for (const ns of made.namespaces.filter((n) => existing.has(n))) {
    attempt(failures, `processes in ${ns}`, () => {
      for (const pid of sh('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean).map(Number))
        attempt(failures, `kill ${pid} in ${ns}`, () => process.kill(pid, 'SIGKILL'));
    });
    attempt(failures, `delete namespace ${ns}`, () => sh('ip', ['netns', 'delete', ns]));
  }
  const links = new Set(readdirSync('/sys/class/net'));
  for (const veth of made.veths.filter((v) => links.has(v)))
    attempt(failures, `delete ${veth}`, () => sh('ip', ['link', 'delete', veth]));
  if (made.bridge && links.has(made.bridge))
    attempt(failures, `delete bridge ${made.bridge}`, () => sh('ip', ['link', 'delete', made.bridge!]));
  if (made.dir) attempt(failures, `remove ${made.dir}`, () => rmSync(made.dir!, { recursive: true, force: true }));
  if (made.privsepDir) attempt(failures, `remove ${made.privsepDir}`, () => rmdirSync(made.privsepDir!));
  if (failures.length) throw new Error(`test hosts ${made.id}: teardown left things behind:\n${failures.join('\n')}`);
  rmSync(recordPath(made.id), { force: true });
  try {
    rmdirSync(RECORDS_DIR); // when no other run has a record there
  } catch {
    // another run's record is there
  }
  const watchdog = made.watchdogPid;
  if (watchdog !== undefined && watchdog !== process.pid && cmdline(watchdog).includes(recordPath(made.id)))
    process.kill(watchdog, 'SIGTERM');
}

/** Removes what earlier runs left when their owner is gone (killed outright); returns their ids. */
export function reapOrphans(): string[] {
  if (!existsSync(RECORDS_DIR)) return [];
  const reaped: string[] = [];
  for (const file of readdirSync(RECORDS_DIR).filter((f) => f.endsWith('.json'))) {
    const made = load(file.slice(0, -'.json'.length));
    if (!made || !ownerGone(made)) continue;
    teardown(made);
    reaped.push(made.id);
  }
  return reaped;
}

/**
 * What watchdog.ts does for a run: waits until the run's record is gone (its owner removed everything) or
 * its owner is (killed outright, or a test runner that exits without the owner's exit handlers: Jest gives
 * a test a copy of \`process\` whose signal and exit events never fire), then removes what the record names.
 */
export async function watchRun(id: string, pollMs = 200): Promise<void> {
  for (;;) {
    const made = load(id);
    if (!made) return;
    if (ownerGone(made)) return teardown(made);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function startWatchdog(made: Made): number {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(__dirname, 'watchdog.ts'), made.id, recordPath(made.id)],
    { stdio: 'ignore', detached: true },
  );
  child.unref();
  if (child.pid === undefined) throw new Error('the test hosts watchdog did not start');
  return child.pid;
}

function portOpen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 1000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function sshdConfig(host: TestHost, hostKey: string, authorizedKeys: string): string {
  return [
    `ListenAddress ${host.address}:22`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'AuthenticationMethods publickey',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'AllowUsers root',
    'UsePAM no',
    // The key files are 0600, but they live under the world-writable temp dir StrictModes refuses.
    'StrictModes no',
    'PidFile none',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    `Subsystem sftp ${SFTP_SERVER}`,
    '',
  ].join('\n');
}

/** Makes `count` test hosts; on any failure, removes what it made and throws. */
export async function createTestHosts(options: TestHostsOptions): Promise<TestHosts> {
  const problems = prerequisiteProblems();
  if (problems.length) throw new Error(`cannot make test hosts:\n- ${problems.join('\n- ')}`);
  reapOrphans();
  const subnet = options.subnet ?? process.env.SLUICE_TEST_HOSTS_SUBNET ?? DEFAULT_SUBNET;
  const used = usedNetworks(
    JSON.parse(sh('ip', ['-j', '-4', 'addr'])) as IpAddrEntry[],
    JSON.parse(sh('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as IpRouteEntry[],
  );
  const refused = subnetProblems(subnet, options.count, used);
  if (refused.length)
    throw new Error(
      `refusing to make test hosts on ${subnet}:\n- ${refused.join('\n- ')}\n` +
        'Name a free private /24 with SLUICE_TEST_HOSTS_SUBNET (check `ip -4 route` and `ip -4 addr` first).',
    );
  const id = randomBytes(3).toString('hex');
  const plan = addressPlan(subnet, options.count, id);
  const made: Made = {
    id,
    ownerPid: process.pid,
    ownerStart: startTime(process.pid) ?? '',
    namespaces: [],
    veths: [],
    sshd: [],
  };
  let destroyed = false;
  const onSignal = (signal: NodeJS.Signals) => {
    destroy();
    process.kill(process.pid, signal);
  };
  const onExit = () => destroy();
  function destroy(): void {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', onExit);
    teardown(made);
  }
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    return await build(plan, made, options.startTimeoutMs ?? 10_000, destroy);
  } catch (error) {
    try {
      destroy();
    } catch (cleanup) {
      throw new AggregateError([error, cleanup], `${(error as Error).message}\n(and ${(cleanup as Error).message})`, {
        cause: cleanup,
      });
    }
    throw error;
  }
}

async function build(plan: AddressPlan, made: Made, startTimeoutMs: number, destroy: () => void): Promise<TestHosts> {
  made.dir = mkdtempSync(join(tmpdir(), `sluice-test-hosts-${made.id}-`));
  save(made);
  made.watchdogPid = startWatchdog(made);
  save(made);
  chmodSync(made.dir, 0o700);
  const keyFile = join(made.dir, 'id_ed25519');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `sluice-test-hosts-${made.id}`, '-f', keyFile]);
  chmodSync(keyFile, 0o600);
  const authorizedKeys = join(made.dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${keyFile}.pub`), { mode: 0o600 });
  if (!existsSync(PRIVSEP_DIR)) {
    made.privsepDir = PRIVSEP_DIR;
    save(made);
    mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
  }

  made.bridge = plan.bridge;
  save(made);
  sh('ip', ['link', 'add', plan.bridge, 'type', 'bridge']);
  writeFileSync(`/proc/sys/net/ipv6/conf/${plan.bridge}/disable_ipv6`, '1');
  sh('ip', ['addr', 'add', `${plan.bridgeAddress}/${plan.prefix}`, 'dev', plan.bridge]);
  sh('ip', ['link', 'set', plan.bridge, 'up']);

  const hosts: TestHost[] = [];
  const knownHosts: string[] = [];
  for (const p of plan.hosts) {
    const hostDir = join(made.dir, `host-${p.index}`);
    const host: TestHost = {
      name: `sluice-${p.index}`,
      index: p.index,
      namespace: p.namespace,
      address: p.address,
      installDir: join(hostDir, 'install'),
      dataDir: join(hostDir, 'data'),
      homeDir: join(hostDir, 'home'),
      sshdLog: join(hostDir, 'sshd.log'),
    };
    for (const dir of [host.installDir, host.dataDir, host.homeDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    made.namespaces.push(p.namespace);
    made.veths.push(p.veth);
    save(made);
    const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', p.namespace, ...args]);
    sh('ip', ['netns', 'add', p.namespace]);
    inNs('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    sh('ip', ['link', 'add', p.veth, 'type', 'veth', 'peer', 'name', p.peer]);
    writeFileSync(`/proc/sys/net/ipv6/conf/${p.veth}/disable_ipv6`, '1');
    sh('ip', ['link', 'set', p.peer, 'netns', p.namespace]);
    inNs('ip', 'link', 'set', p.peer, 'name', 'eth0');
    inNs('ip', 'addr', 'add', `${p.address}/${plan.prefix}`, 'dev', 'eth0');
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('ip', 'link', 'set', 'eth0', 'up');
    sh('ip', ['link', 'set', p.veth, 'master', plan.bridge]);
    sh('ip', ['link', 'set', p.veth, 'up']);

    const hostKey = join(hostDir, 'ssh_host_ed25519_key');
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', host.name, '-f', hostKey]);
    knownHosts.push(`${host.address} ${readFileSync(`${hostKey}.pub`, 'utf8').trim()}`);
    const config = join(hostDir, 'sshd_config');
    writeFileSync(config, sshdConfig(host, hostKey, authorizedKeys), { mode: 0o600 });
    sh(SSHD, ['-t', '-f', config]);
    const log = openSync(host.sshdLog, 'a', 0o600);
    // `ip netns exec` runs its command in a mount namespace of its own (mounts there do not reach the
    // machine): the host's home on /root, then sshd, each exec'd, so the child's pid is sshd's.
    // -D: no daemon; -e: its log to the file.
    const start = 'mount --bind "$1" /root && exec "$2" -D -e -f "$3"';
    const child = spawn('ip', ['netns', 'exec', p.namespace, 'sh', '-c', start, 'sh', host.homeDir, SSHD, config], {
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error(`${host.name}: sshd did not start`);
    made.sshd.push({ pid: child.pid, config });
    save(made);
    hosts.push(host);
  }
  const knownHostsFile = join(made.dir, 'known_hosts');
  writeFileSync(knownHostsFile, `${knownHosts.join('\n')}\n`, { mode: 0o600 });

  for (const host of hosts) {
    const sshd = made.sshd[host.index - 1]!;
    const deadline = Date.now() + startTimeoutMs;
    while (!(await portOpen(host.address, 22))) {
      const log = existsSync(host.sshdLog) ? readFileSync(host.sshdLog, 'utf8').trim() : '';
      if (!alive(sshd.pid)) throw new Error(`${host.name}: sshd exited before listening on ${host.address}:22\n${log}`);
      if (Date.now() > deadline)
        throw new Error(`${host.name}: sshd not listening on ${host.address}:22 after ${startTimeoutMs} ms\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const sshOptions = [
    '-F',
    '/dev/null',
    '-i',
    keyFile,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=3',
    '-o',
    'ControlMaster=no',
  ];
  return {
    id: made.id,
    subnet: plan.subnet,
    bridgeAddress: plan.bridgeAddress,
    hosts,
    dir: made.dir,
    user: 'root',
    keyFile,
    knownHostsFile,
    sshOptions,
    ssh: (host, command, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const child = spawn('ssh', [...sshOptions, `root@${host.address}`, command], {
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: timeoutMs,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 255, stdout, stderr }));
      }),
    setLink: (host, state) => {
      sh('ip', ['netns', 'exec', host.namespace, 'ip', 'link', 'set', 'eth0', state]);
    },
    destroy,
    [Symbol.asyncDispose]: async () => destroy(),
  };
}
