/**
 * Apache Flink 2.2 as a session cluster: a JobManager, one TaskManager and the SQL Gateway, each a JVM
 * started straight from its main class (no Flink shell scripts). The runtime, planner and SQL client come
 * from PyPI's apache-flink-libraries wheel (Flink's binary distribution as jars); the SQL Gateway, the
 * Kafka SQL connector and the Avro format with Confluent-compatible registry support from Maven Central.
 * Every Flink process logs in to Kafka as `sluice-flink` through a JAAS file (mode 0600), so SQL table
 * definitions carry no Kafka password; the principal and its ACLs are declared in pipeline.yaml.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { buildMavenProject, installMavenJars, jarsDir, projectBuildDir } from '../install/maven';
import { installPypiDistribution, pypiDistributionDir } from '../install/pypi';
import { heapOf, mavenJars, pypiDistribution } from '../manifest';
import { writePrivateFile } from '../../lib/secrets';
import { repoRoot } from '../../../lib/repo';
import { renderTemplateFile } from '../template';
import { forCondition, type WaitStrategy } from '../wait';
import { HttpFlinkAdmin } from '../../clients/flink';
import { runningPid } from '../processes';
import { tlsFetch, type TlsFetchInit } from '../../../lib/tls-fetch';
import { bootstrapServers, caFile, kafkaNodes } from './kafka';
import {
  ensureFlinkInternalTls,
  ensureFlinkRestTls,
  flinkClientTls,
  flinkInternalSslOptions,
  flinkRestSslOptions,
} from './flink-tls';
import { FLINK_ZOOKEEPER, ZOOKEEPER_SESSION_TIMEOUT_MS, flinkZookeeper } from './flink-ha';
import { REGISTRY_FLINK_SECRET, REGISTRY_FLINK_USER, registryUrl } from './registry';

export const FLINK_KAFKA_USER = 'sluice-flink';
export const FLINK_KAFKA_SECRET = `users/${FLINK_KAFKA_USER}`;

/**
 * TaskManager memory pools (MB). The JVM flags below are derived from the same numbers. One slot per job:
 * the demo runs 13, and room is left for ad-hoc queries and a test's own jobs beside them. Window
 * aggregations buffer records in managed memory, a share of the slot's: four windows in one job (a
 * statement set) on 8 MB per slot fail with "The minBucketMemorySize is not valid", hence 32 MB a slot,
 * taken from native memory only as operators use it.
 */
const TM = {
  slots: 24,
  frameworkHeap: 128,
  frameworkOffHeap: 128,
  taskHeap: 512,
  managed: 768,
  network: 64,
  metaspace: 256,
  overhead: 192,
};

/** Flink's own `env.java.opts.all` for Java 17 (from the config.yaml in flink-dist): the module opens Flink needs. */
const JAVA17_OPENS = [
  'java.rmi/sun.rmi.registry',
  'jdk.compiler/com.sun.tools.javac.api',
  'jdk.compiler/com.sun.tools.javac.file',
  'jdk.compiler/com.sun.tools.javac.parser',
  'jdk.compiler/com.sun.tools.javac.tree',
  'jdk.compiler/com.sun.tools.javac.util',
  'java.security.jgss/sun.security.krb5',
]
  .map((p) => `--add-exports=${p}=ALL-UNNAMED`)
  .concat(
    [
      'java.base/java.lang',
      'java.base/java.net',
      'java.base/java.io',
      'java.base/java.nio',
      'java.base/sun.nio.ch',
      'java.base/java.lang.reflect',
      'java.base/java.text',
      'java.base/java.time',
      'java.base/java.util',
      'java.base/java.util.concurrent',
      'java.base/java.util.concurrent.atomic',
      'java.base/java.util.concurrent.locks',
    ].map((p) => `--add-opens=${p}=ALL-UNNAMED`),
  );

export function flinkConfDir(ctx: PlatformContext): string {
  return join(ctx.paths.config, 'flink');
}

/** HTTPS with a client certificate (flink-tls.ts, decision 0019). */
export function flinkRestUrl(ctx: PlatformContext): string {
  return `https://${ctx.host}:${ctx.ports.flink.rest}`;
}

export function sqlGatewayUrl(ctx: PlatformContext): string {
  return `https://${ctx.host}:${ctx.ports.flink.gateway}`;
}

function distribution(ctx: PlatformContext): string {
  return pypiDistributionDir(ctx.paths.cache, 'flink', pypiDistribution('flink'));
}

/**
 * Sluice's format `sluice-avro-confluent` (flink/format, decision 0017): avro-confluent that skips, or
 * reads only, the records it cannot decode. Built by mvn into the install cache, named by a hash of its
 * pom and sources, and put on every Flink process's class path beside the avro-confluent jar it wraps.
 */
export const FLINK_FORMAT_DIR = join(repoRoot(), 'flink', 'format');
const FORMAT_BUILD = 'sluice-flink-format';
const formatJarsDir = (ctx: PlatformContext) =>
  join(projectBuildDir(ctx.paths.cache, FORMAT_BUILD, FLINK_FORMAT_DIR), 'build', 'lib');

/** Flink's lib jars, the connector jars and Sluice's format; the SQL client adds `opt/`. */
export function flinkClasspath(ctx: PlatformContext, withClient = false): string {
  const dist = distribution(ctx);
  const parts = [
    `${join(dist, 'lib')}/*`,
    `${join(jarsDir(ctx.paths.cache, 'flink-connectors', mavenJars('flink-connectors')), 'lib')}/*`,
    `${formatJarsDir(ctx)}/*`,
  ];
  if (withClient) parts.push(`${join(dist, 'opt')}/*`);
  return parts.join(':');
}

/** JVM options every Flink process shares: module opens, logging, the Kafka login. */
export function flinkJvmOptions(ctx: PlatformContext): string[] {
  const conf = flinkConfDir(ctx);
  return [
    ...JAVA17_OPENS,
    '-XX:+UseSerialGC',
    // The JAAS file is for Kafka: without this, ZooKeeper's client (Flink HA) looks in it for a `Client`
    // login, and the SQL Gateway's, which does not apply Flink's zookeeper.sasl.disable, logs
    // "Authentication failed" on each connect. The platform's ZooKeeper takes no credentials (flink-ha.ts).
    '-Dzookeeper.sasl.client=false',
    `-Dlog4j.configurationFile=file:${join(conf, 'log4j.properties')}`,
    `-Djava.security.auth.login.config=${join(conf, 'jaas.conf')}`,
  ];
}

export function flinkEnv(ctx: PlatformContext): NodeJS.ProcessEnv {
  const dist = distribution(ctx);
  return {
    ...envOf(ctx),
    FLINK_CONF_DIR: flinkConfDir(ctx),
    FLINK_LIB_DIR: join(dist, 'lib'),
    FLINK_PLUGINS_DIR: join(dist, 'plugins'),
  };
}

/** A request to Flink's REST APIs (JobManager or SQL Gateway) with the client certificate they ask for. */
export function flinkFetch(ctx: PlatformContext, url: string, init: TlsFetchInit = {}): Promise<Response> {
  return tlsFetch(url, init, flinkClientTls(ctx));
}

/** A JSON answer of Flink's REST APIs, with the client certificate; undefined on any failure (for waits). */
async function getJson(ctx: PlatformContext, url: string): Promise<unknown> {
  try {
    const response = await flinkFetch(ctx, url, { signal: AbortSignal.timeout(2000) });
    return response.status === 200 ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

async function taskManagers(ctx: PlatformContext): Promise<number> {
  const overview = (await getJson(ctx, `${flinkRestUrl(ctx)}/overview`)) as { taskmanagers?: number } | undefined;
  return overview?.taskmanagers ?? -1;
}

async function install(ctx: PlatformContext): Promise<void> {
  await installPypiDistribution(ctx.paths.cache, 'flink', pypiDistribution('flink'), ctx.log);
  await installMavenJars(ctx.paths.cache, 'flink-connectors', mavenJars('flink-connectors'), ctx.log);
  await buildMavenProject(ctx.paths.cache, FORMAT_BUILD, FLINK_FORMAT_DIR, ctx.log);
}

/**
 * config.yaml, log4j, the JAAS login, the REST and internal certificates; the data dirs. Shared by the
 * Flink processes, safe to repeat.
 */
async function configure(ctx: PlatformContext): Promise<void> {
  await ensureFlinkRestTls(ctx);
  await ensureFlinkInternalTls(ctx);
  const conf = flinkConfDir(ctx);
  const data = join(ctx.paths.data, 'flink');
  const dirs = {
    checkpointsDir: join(data, 'checkpoints'),
    savepointsDir: join(data, 'savepoints'),
    tmpDir: join(data, 'tmp'),
  };
  for (const dir of [conf, ...Object.values(dirs)]) mkdirSync(dir, { recursive: true });
  const { flink } = ctx.ports;
  writePrivateFile(
    join(conf, 'config.yaml'),
    renderTemplateFile('flink/config.yaml', {
      zookeeperQuorum: `${ctx.host}:${flink.zookeeper}`,
      haStorageDir: join(data, 'ha'),
      zookeeperSessionTimeoutMs: ZOOKEEPER_SESSION_TIMEOUT_MS,
      host: ctx.host,
      rpcPort: flink.rpc,
      taskManagerDataPort: flink.taskManagerData,
      restPort: flink.rest,
      blobPort: flink.blob,
      gatewayPort: flink.gateway,
      ...TM,
      ...dirs,
      ...flinkRestSslOptions(ctx),
      ...flinkInternalSslOptions(ctx),
      metricsPorts: `${ctx.ports.flinkMetrics.first}-${ctx.ports.flinkMetrics.last}`,
    }),
  );
  writePrivateFile(join(conf, 'log4j.properties'), renderTemplateFile('flink/log4j.properties', {}));
  // The password is generated here; deploy-pipeline creates the SCRAM user with the same secret.
  writePrivateFile(
    join(conf, 'jaas.conf'),
    renderTemplateFile('flink/jaas.conf', { user: FLINK_KAFKA_USER, password: ctx.secrets.ensure(FLINK_KAFKA_SECRET) }),
  );
}

function jvm(ctx: PlatformContext, name: string, memory: string[], mainClass: string, args: string[] = []) {
  return {
    name,
    command: 'java',
    args: [
      ...memory,
      ...flinkJvmOptions(ctx),
      `-Dsluice.component=${name}`,
      '-cp',
      flinkClasspath(ctx),
      mainClass,
      '--configDir',
      flinkConfDir(ctx),
      ...args,
    ],
    cwd: flinkConfDir(ctx),
    env: flinkEnv(ctx),
    pidFile: pidFileOf(ctx, name),
    logFile: logFileOf(ctx, name),
  };
}

const jobManager: Component = {
  name: 'flink-jobmanager',
  dependsOn: [...kafkaNodes.map((n) => n.name), FLINK_ZOOKEEPER],
  stopGraceMs: 20_000,
  ports: (ctx) => [
    { name: 'REST / web UI', port: ctx.ports.flink.rest },
    { name: 'rpc', port: ctx.ports.flink.rpc },
    { name: 'blob', port: ctx.ports.flink.blob },
  ],
  install,
  configure,
  daemon: (ctx) =>
    jvm(
      ctx,
      'flink-jobmanager',
      heapOf('flink-jobmanager'),
      'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
    ),
  // A JobManager that crashes is recovered from ZooKeeper with its jobs (flink-ha.ts). One stopped on
  // purpose stops Sluice's jobs with savepoints first, for deploy-pipeline to resume (or change) them.
  async beforeStop(ctx) {
    await flinkAdmin(ctx)?.savepointAll();
  },
  ready: (ctx): WaitStrategy[] => [
    forCondition(
      `the JobManager REST API (${flinkRestUrl(ctx)}/overview) to answer`,
      120_000,
      async () => (await taskManagers(ctx)) >= 0,
    ),
  ],
  healthy: async (ctx) => (await taskManagers(ctx)) >= 0,
};

const taskManager: Component = {
  name: 'flink-taskmanager',
  dependsOn: ['flink-jobmanager'],
  stopGraceMs: 20_000,
  ports: (ctx) => [{ name: 'data', port: ctx.ports.flink.taskManagerData }],
  install,
  configure,
  daemon: (ctx) => {
    const heap = TM.frameworkHeap + TM.taskHeap;
    const memory = [
      `-Xms${heap}m`,
      `-Xmx${heap}m`,
      `-XX:MaxDirectMemorySize=${TM.frameworkOffHeap + TM.network}m`,
      `-XX:MaxMetaspaceSize=${TM.metaspace}m`,
    ];
    return jvm(ctx, 'flink-taskmanager', memory, 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner');
  },
  ready: (ctx): WaitStrategy[] => [
    forCondition(
      'the TaskManager to register with the JobManager',
      120_000,
      async () => (await taskManagers(ctx)) >= 1,
    ),
  ],
  healthy: async (ctx) => (await taskManagers(ctx)) >= 1,
};

async function gatewayAnswers(ctx: PlatformContext): Promise<boolean> {
  return (await getJson(ctx, `${sqlGatewayUrl(ctx)}/v3/info`)) !== undefined;
}

const sqlGateway: Component = {
  name: 'sql-gateway',
  dependsOn: ['flink-jobmanager'],
  stopGraceMs: 15_000,
  ports: (ctx) => [{ name: 'REST (SQL Gateway)', port: ctx.ports.flink.gateway }],
  install,
  configure,
  daemon: (ctx) => jvm(ctx, 'sql-gateway', heapOf('sql-gateway'), 'org.apache.flink.table.gateway.SqlGateway'),
  ready: (ctx): WaitStrategy[] => [
    forCondition(`the SQL Gateway (${sqlGatewayUrl(ctx)}/v3/info) to answer`, 120_000, () => gatewayAnswers(ctx)),
  ],
  healthy: gatewayAnswers,
};

export const flinkComponents: Component[] = [flinkZookeeper, jobManager, taskManager, sqlGateway];

/** One `'key' = 'value'` table option, the value quoted for SQL. */
export const option = (key: string, value: string) => `'${key}' = '${value.replace(/'/g, "''")}'`;

/**
 * What `${NAME}` stands for in sql/ files. KAFKA: the connection of a Kafka table (the login comes from
 * the JAAS file). REGISTRY: the value format, sluice-avro-confluent (avro-confluent that skips a record it
 * cannot decode: decision 0017), with the registry and Flink's registry user, whose sinks register the
 * output schemas. EXACTLY_ONCE: a sink's transactional delivery; the transaction timeout (10 min)
 * stays below the brokers' transaction.max.timeout.ms (15 min), or the broker refuses the transactions.
 * The secret is filled in only when a statement is sent to the gateway.
 */
export function sqlPlaceholders(ctx: PlatformContext): Record<string, string> {
  return jobSqlPlaceholders({
    bootstrapServers: bootstrapServers(ctx),
    kafkaCaFile: caFile(ctx),
    registryUrl: registryUrl(ctx),
    registryFlinkPassword: ctx.secrets.ensure(REGISTRY_FLINK_SECRET),
  });
}

/** sqlPlaceholders of any cluster: its brokers, its Kafka CA as the Flink processes see it, its registry. */
export function jobSqlPlaceholders(cluster: {
  bootstrapServers: string;
  kafkaCaFile: string;
  registryUrl: string;
  registryFlinkPassword: string;
}): Record<string, string> {
  return {
    KAFKA: [
      option('properties.bootstrap.servers', cluster.bootstrapServers),
      option('properties.security.protocol', 'SASL_SSL'),
      option('properties.sasl.mechanism', 'SCRAM-SHA-512'),
      option('properties.ssl.truststore.type', 'PEM'),
      option('properties.ssl.truststore.location', cluster.kafkaCaFile),
    ].join(',\n  '),
    REGISTRY: [
      option('value.format', 'sluice-avro-confluent'),
      option('value.sluice-avro-confluent.url', cluster.registryUrl),
      option('value.sluice-avro-confluent.basic-auth.credentials-source', 'USER_INFO'),
      option(
        'value.sluice-avro-confluent.basic-auth.user-info',
        `${REGISTRY_FLINK_USER}:${cluster.registryFlinkPassword}`,
      ),
    ].join(',\n  '),
    EXACTLY_ONCE: [
      option('sink.delivery-guarantee', 'exactly-once'),
      option('properties.transaction.timeout.ms', '600000'),
    ].join(',\n  '),
  };
}

/** The Flink client deploy-pipeline uses; undefined when this platform's JobManager is not running. */
export function flinkAdmin(ctx: PlatformContext): HttpFlinkAdmin | undefined {
  if (runningPid(pidFileOf(ctx, 'flink-jobmanager'), 'flink-jobmanager', ctx.paths.home) === undefined)
    return undefined;
  return new HttpFlinkAdmin({
    restUrl: flinkRestUrl(ctx),
    gatewayUrl: sqlGatewayUrl(ctx),
    placeholders: sqlPlaceholders(ctx),
    tls: flinkClientTls(ctx),
    log: ctx.log,
    savepointsFile: join(ctx.paths.state, 'flink-savepoints.json'),
  });
}
