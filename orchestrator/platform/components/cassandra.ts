/**
 * Apache Cassandra 5.0 as one node, from Maven Central's cassandra-all and its dependencies, started from
 * its main class (no Cassandra shell scripts, so the JVM options of conf/jvm17-server.options are here).
 * Logins are checked and every request is authorized. On first start the launcher replaces the default
 * `cassandra` superuser with an `admin` role whose password is generated into the secret store, disables
 * `cassandra` (no login, no superuser, a random password nobody keeps), and creates the service role
 * `sluice-connect` for the Kafka Connect sink; deploy-pipeline grants it what it needs on keyspace `sluice`
 * once the keyspace exists (pipeline.yaml `cassandra.grants`).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../../lib/errors';
import { cqlString } from '../../lib/cql/table';
import { CassandraClient, ClusterCassandraAdmin, canLogIn, type CassandraConnection } from '../../clients/cassandra';
import { logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { bundleDir, installMavenBundle } from '../install/maven';
import { heapOf, mavenBundle } from '../manifest';
import { runningPid } from '../processes';
import { generatePassword, writePrivateFile } from '../../lib/secrets';
import { renderTemplateFile } from '../template';
import { forCondition, forPort, type WaitStrategy } from '../wait';

export const CASSANDRA_ADMIN_USER = 'admin';
export const CASSANDRA_ADMIN_SECRET = 'cassandra/admin';
/** The Kafka Connect sink's role: MODIFY on keyspace `sluice`, granted by deploy-pipeline. */
export const CASSANDRA_CONNECT_USER = 'sluice-connect';
export const CASSANDRA_CONNECT_SECRET = 'cassandra/sluice-connect';
/** Roles the launcher creates on first start (login only; their permissions come from pipeline.yaml). */
export const CASSANDRA_SERVICE_ROLES = [{ role: CASSANDRA_CONNECT_USER, secret: CASSANDRA_CONNECT_SECRET }] as const;
/**
 * JMX (nodetool) asks for a password: without one, any local user could stop the node or truncate any
 * table through the StorageService MBean, past every CQL role. One JMX user, in a 0600 password file.
 */
export const CASSANDRA_JMX_USER = 'sluice-jmx';
export const CASSANDRA_JMX_SECRET = 'cassandra/jmx';
const DEFAULT_SUPERUSER = 'cassandra';
const CLUSTER_NAME = 'sluice';

/**
 * Cassandra's own conf/jvm17-server.options: the G1 block, the module exports and opens it needs on
 * Java 17, and the netty properties. The heap is `heaps.cassandra` of platform-manifest.json.
 */
export const CASSANDRA_JAVA17_OPTIONS = [
  '-XX:+UseG1GC',
  '-XX:+ParallelRefProcEnabled',
  '-XX:MaxTenuringThreshold=1',
  '-XX:G1HeapRegionSize=16m',
  '-XX:G1RSetUpdatingPauseTimePercent=5',
  '-XX:MaxGCPauseMillis=300',
  '-XX:InitiatingHeapOccupancyPercent=70',
  '-Djdk.attach.allowAttachSelf=true',
  ...[
    'java.base/jdk.internal.misc',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].map((p) => `--add-exports=${p}=ALL-UNNAMED`),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
  ].map((p) => `--add-opens=${p}=ALL-UNNAMED`),
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
];

export function cassandraContactPoint(ctx: PlatformContext): string {
  return `${ctx.host}:${ctx.ports.cassandra.native}`;
}

export function cassandraConnection(ctx: PlatformContext, username: string, password: string): CassandraConnection {
  return { contactPoint: cassandraContactPoint(ctx), username, password };
}

function adminConnection(ctx: PlatformContext): CassandraConnection {
  return cassandraConnection(ctx, CASSANDRA_ADMIN_USER, ctx.secrets.ensure(CASSANDRA_ADMIN_SECRET));
}

const configDir = (ctx: PlatformContext) => join(ctx.paths.config, 'cassandra');
const dataDir = (ctx: PlatformContext) => join(ctx.paths.data, 'cassandra');
export const cassandraJmxPasswordFile = (ctx: PlatformContext): string => join(configDir(ctx), 'jmx.password');
const jmxAccessFile = (ctx: PlatformContext) => join(configDir(ctx), 'jmx.access');
const libDir = (ctx: PlatformContext) => join(bundleDir(ctx.paths.cache, 'cassandra', mavenBundle('cassandra')), 'lib');

/** cassandra.yaml for this platform: listeners on the platform host, the port map, dirs under the data dir. */
export function renderCassandraYaml(ctx: PlatformContext): string {
  const { native, storage } = ctx.ports.cassandra;
  return renderTemplateFile('cassandra/cassandra.yaml', {
    clusterName: CLUSTER_NAME,
    seed: `${ctx.host}:${storage}`,
    host: ctx.host,
    storagePort: storage,
    nativePort: native,
    dataDir: dataDir(ctx),
  });
}

/** The JVM command line after `java`. */
export function cassandraJvmArgs(ctx: PlatformContext, lib = libDir(ctx)): string[] {
  const jamm = existsSync(lib) ? readdirSync(lib).find((f) => /^jamm-[\d.]+\.jar$/.test(f)) : undefined;
  return [
    ...heapOf('cassandra'),
    ...CASSANDRA_JAVA17_OPTIONS,
    '-Djava.net.preferIPv4Stack=true',
    // Stop rather than go on after an OutOfMemoryError (Cassandra warns that it risks corruption otherwise).
    '-XX:+ExitOnOutOfMemoryError',
    // What cassandra-env.sh adds: jamm measures object sizes for the memtable accounting.
    ...(jamm ? [`-javaagent:${join(lib, jamm)}`] : []),
    `-Dcassandra.config=file://${join(configDir(ctx), 'cassandra.yaml')}`,
    `-Dlogback.configurationFile=${join(configDir(ctx), 'logback.xml')}`,
    `-Dcassandra.storagedir=${dataDir(ctx)}`,
    `-Dcassandra.logdir=${ctx.paths.logs}`,
    `-Dcassandra.triggers_dir=${join(dataDir(ctx), 'triggers')}`,
    '-Dcassandra-foreground=yes',
    `-Dcassandra.jmx.local.port=${ctx.ports.cassandra.jmx}`,
    // Cassandra's JMX authenticator wraps the JDK's, whose package Java 17 does not export.
    '--add-exports=java.management/com.sun.jmx.remote.security=ALL-UNNAMED',
    '-Dcom.sun.management.jmxremote.authenticate=true',
    `-Dcom.sun.management.jmxremote.password.file=${cassandraJmxPasswordFile(ctx)}`,
    `-Dcom.sun.management.jmxremote.access.file=${jmxAccessFile(ctx)}`,
    // One node: nothing to gossip with, so do not wait for gossip to settle.
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-Dcassandra.ring_delay_ms=1000',
    '-Dcassandra.superuser_setup_delay_ms=0',
    '-Dsluice.component=cassandra',
    '-cp',
    `${lib}/*`,
    'org.apache.cassandra.service.CassandraDaemon',
  ];
}

async function adminCanLogIn(ctx: PlatformContext): Promise<boolean> {
  return canLogIn(adminConnection(ctx)).catch(() => false);
}

const roleOptions = (password: string, superuser: boolean, login: boolean) =>
  `WITH PASSWORD = ${cqlString(password)} AND SUPERUSER = ${superuser} AND LOGIN = ${login}`;

/**
 * First start: the default superuser makes `admin`; from then on only `admin` is used. Every start: the
 * default superuser stays disabled, and each service role exists with the password of its secret.
 */
async function ensureRoles(ctx: PlatformContext): Promise<void> {
  const log = ctx.log.child({ component: 'cassandra' });
  const admin = adminConnection(ctx);
  if (!(await canLogIn(admin))) {
    const defaults = cassandraConnection(ctx, DEFAULT_SUPERUSER, DEFAULT_SUPERUSER);
    if (!(await canLogIn(defaults))) {
      throw new SluiceError(
        'SLUICE_CASSANDRA_AUTH_FAILED',
        `neither ${CASSANDRA_ADMIN_USER} (secret ${CASSANDRA_ADMIN_SECRET}) nor the default superuser can log in to Cassandra`,
        {
          fix: `restore ${ctx.secrets.pathOf(CASSANDRA_ADMIN_SECRET)} from a backup, or start over with npx sluice platform reset --yes (deletes all data)`,
        },
      );
    }
    log.info(`first start: creating the ${CASSANDRA_ADMIN_USER} role and disabling the default superuser`);
    const first = await CassandraClient.connect(defaults);
    try {
      await first.execute(
        `CREATE ROLE IF NOT EXISTS ${cqlString(CASSANDRA_ADMIN_USER)} ${roleOptions(admin.password, true, true)}`,
      );
      await first.execute(`ALTER ROLE ${cqlString(CASSANDRA_ADMIN_USER)} WITH PASSWORD = ${cqlString(admin.password)}`);
    } finally {
      await first.close();
    }
  }
  const client = await CassandraClient.connect(admin);
  try {
    const [builtIn] = await client.rows<{ can_login: boolean; is_superuser: boolean }>(
      'SELECT can_login, is_superuser FROM system_auth.roles WHERE role = ?',
      [DEFAULT_SUPERUSER],
    );
    if (builtIn && (builtIn.can_login || builtIn.is_superuser)) {
      // A random password nobody keeps: even re-enabled, `cassandra`/`cassandra` no longer works.
      await client.execute(
        `ALTER ROLE ${cqlString(DEFAULT_SUPERUSER)} ${roleOptions(generatePassword(), false, false)}`,
      );
      log.info(`default superuser '${DEFAULT_SUPERUSER}' disabled`);
    }
    for (const { role, secret } of CASSANDRA_SERVICE_ROLES) {
      const password = ctx.secrets.ensure(secret);
      const [existing] = await client.rows('SELECT role FROM system_auth.roles WHERE role = ?', [role]);
      if (!existing) {
        await client.execute(`CREATE ROLE IF NOT EXISTS ${cqlString(role)} ${roleOptions(password, false, true)}`);
        log.info(`role ${role} created`);
      } else if (!(await canLogIn(cassandraConnection(ctx, role, password)))) {
        // The secret was replaced (or restored): the role follows it.
        await client.execute(`ALTER ROLE ${cqlString(role)} WITH PASSWORD = ${cqlString(password)} AND LOGIN = true`);
        log.info(`role ${role}: password set from its secret`);
      }
    }
  } finally {
    await client.close();
  }
}

export const cassandra: Component = {
  name: 'cassandra',
  dependsOn: [],
  // Drains memtables to disk on SIGTERM; on two busy cores that can take a while.
  stopGraceMs: 60_000,
  ports: (ctx) => [
    { name: 'native (CQL)', port: ctx.ports.cassandra.native },
    { name: 'storage (inter-node)', port: ctx.ports.cassandra.storage },
    { name: 'jmx (loopback)', port: ctx.ports.cassandra.jmx },
  ],

  async install(ctx) {
    await installMavenBundle(ctx.paths.cache, 'cassandra', mavenBundle('cassandra'), ctx.log);
  },

  async configure(ctx) {
    for (const dir of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw', 'triggers'])
      mkdirSync(join(dataDir(ctx), dir), { recursive: true });
    ctx.secrets.ensure(CASSANDRA_ADMIN_SECRET);
    for (const { secret } of CASSANDRA_SERVICE_ROLES) ctx.secrets.ensure(secret);
    writePrivateFile(join(configDir(ctx), 'cassandra.yaml'), renderCassandraYaml(ctx));
    writePrivateFile(join(configDir(ctx), 'logback.xml'), renderTemplateFile('cassandra/logback.xml', {}));
    writePrivateFile(
      cassandraJmxPasswordFile(ctx),
      `${CASSANDRA_JMX_USER} ${ctx.secrets.ensure(CASSANDRA_JMX_SECRET)}\n`,
    );
    writePrivateFile(jmxAccessFile(ctx), `${CASSANDRA_JMX_USER} readwrite\n`);
  },

  daemon(ctx) {
    return {
      name: 'cassandra',
      command: 'java',
      args: cassandraJvmArgs(ctx),
      cwd: dataDir(ctx),
      pidFile: pidFileOf(ctx, 'cassandra'),
      logFile: logFileOf(ctx, 'cassandra'),
    };
  },

  ready(ctx): WaitStrategy[] {
    const admin = adminConnection(ctx);
    const defaults = cassandraConnection(ctx, DEFAULT_SUPERUSER, DEFAULT_SUPERUSER);
    return [
      // The first boot creates the system keyspaces: about 30 s alone, minutes beside Kafka on two cores.
      forPort(ctx.host, ctx.ports.cassandra.native, 300_000),
      forCondition(
        `a CQL login at ${cassandraContactPoint(ctx)} as ${CASSANDRA_ADMIN_USER} (on first start: as the default superuser, once Cassandra has made it)`,
        120_000,
        async () => (await canLogIn(admin)) || (await canLogIn(defaults)),
      ),
    ];
  },

  initialise: ensureRoles,

  healthy: adminCanLogIn,
};

/** The admin's Cassandra for deploy-pipeline; undefined when this platform's Cassandra is not running. */
export function cassandraAdmin(ctx: PlatformContext): ClusterCassandraAdmin | undefined {
  if (runningPid(pidFileOf(ctx, 'cassandra'), 'cassandra', ctx.paths.home) === undefined) return undefined;
  return new ClusterCassandraAdmin(adminConnection(ctx));
}
