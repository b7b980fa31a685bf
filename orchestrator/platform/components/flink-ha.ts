/**
 * Flink's high availability (decision 0021): a ZooKeeper server in which the JobManager keeps the leader
 * address, its jobs' graphs and the pointers to their latest completed checkpoints (the files themselves
 * under data/flink/ha). Without it a JobManager that crashes comes back with no jobs; with it, restarted by
 * the supervisor, it resumes each job from its last checkpoint under the same job id, and the exactly-once
 * sinks write nothing twice.
 *
 * The server is ZooKeeper 3.7 as Flink itself ships it (flink-dist, shaded), started from the main class
 * behind Flink's own `bin/zookeeper.sh`: nothing more to install. It binds to the platform's host only.
 * It takes no credentials: only Flink's processes talk to it, and a host beyond loopback is the
 * multi-host work's (the quorum and SASL then belong to the topology).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { installPypiDistribution, pypiDistributionDir } from '../install/pypi';
import { heapOf, pypiDistribution } from '../manifest';
import { forCondition, type WaitStrategy } from '../wait';

export const FLINK_ZOOKEEPER = 'flink-zookeeper';
/**
 * How long a dead JobManager's session (and with it its leadership) outlives it: the time a restarted one
 * waits before it takes over. ZooKeeper grants 2 to 20 ticks (2 s each); Flink's default is 60 s.
 */
export const ZOOKEEPER_SESSION_TIMEOUT_MS = 8000;

const zookeeperDir = (ctx: PlatformContext) => join(ctx.paths.data, 'flink', 'zookeeper');
const configDir = (ctx: PlatformContext) => join(ctx.paths.config, FLINK_ZOOKEEPER);
const zookeeperConfig = (ctx: PlatformContext) => join(configDir(ctx), 'zoo.cfg');
/** Flink's lib/ (the same PyPI distribution as flink.ts installs): flink-dist holds the server. */
const flinkLib = (ctx: PlatformContext) =>
  join(pypiDistributionDir(ctx.paths.cache, 'flink', pypiDistribution('flink')), 'lib');

/** zoo.cfg of a single server: loopback (the platform's host), no admin HTTP server, snapshots purged. */
export function zookeeperConfigText(ctx: PlatformContext): string {
  return [
    '# Rendered by orchestrator/platform/components/flink-ha.ts: the ZooKeeper of Flink HA.',
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    `dataDir=${zookeeperDir(ctx)}`,
    `clientPort=${ctx.ports.flink.zookeeper}`,
    `clientPortAddress=${ctx.host}`,
    'maxClientCnxns=60',
    'admin.enableServer=false',
    'autopurge.snapRetainCount=3',
    'autopurge.purgeInterval=1',
    '',
  ].join('\n');
}

/**
 * ZooKeeper's `srvr` four-letter command (the one its default whitelist allows): the server answers with
 * its mode once it serves clients.
 */
export function zookeeperMode(host: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (mode: string | undefined) => {
      socket.destroy();
      resolve(mode);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => done(/^Mode: (\w+)/m.exec(answer)?.[1]));
    socket.connect(port, host, () => socket.write('srvr\n'));
  });
}

const serving = async (ctx: PlatformContext) =>
  (await zookeeperMode(ctx.host, ctx.ports.flink.zookeeper)) === 'standalone';

export const flinkZookeeper: Component = {
  name: FLINK_ZOOKEEPER,
  dependsOn: [],
  stopGraceMs: 10_000,
  ports: (ctx) => [{ name: 'ZooKeeper (Flink HA)', port: ctx.ports.flink.zookeeper }],
  async install(ctx) {
    await installPypiDistribution(ctx.paths.cache, 'flink', pypiDistribution('flink'), ctx.log);
  },
  async configure(ctx) {
    mkdirSync(zookeeperDir(ctx), { recursive: true });
    mkdirSync(configDir(ctx), { recursive: true });
    writeFileSync(zookeeperConfig(ctx), zookeeperConfigText(ctx), { mode: 0o644 });
  },
  daemon: (ctx) => ({
    name: FLINK_ZOOKEEPER,
    command: 'java',
    args: [
      ...heapOf(FLINK_ZOOKEEPER),
      '-XX:+UseSerialGC',
      `-Dsluice.component=${FLINK_ZOOKEEPER}`,
      '-cp',
      `${flinkLib(ctx)}/*`,
      'org.apache.flink.runtime.zookeeper.FlinkZooKeeperQuorumPeer',
      '--zkConfigFile',
      zookeeperConfig(ctx),
      '--peerId',
      '1',
    ],
    cwd: zookeeperDir(ctx),
    env: envOf(ctx),
    pidFile: pidFileOf(ctx, FLINK_ZOOKEEPER),
    logFile: logFileOf(ctx, FLINK_ZOOKEEPER),
  }),
  ready: (ctx): WaitStrategy[] => [
    forCondition(`ZooKeeper (${ctx.host}:${ctx.ports.flink.zookeeper}) to serve`, 60_000, () => serving(ctx)),
  ],
  healthy: serving,
};
