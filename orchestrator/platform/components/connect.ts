/**
 * Kafka Connect 4.3 as one distributed worker, from Maven Central jars, with Sluice's own sink plugin
 * (connectors/plugin, built by mvn into the install cache) and Apicurio's Avro converter on its
 * plugin.path. Two Kafka identities: the worker itself logs in as `sluice-connect-worker`, which this
 * launcher creates with its group, its three compacted topics and the ACLs on them (platform internals,
 * like the registry's); the connectors' consumers and dead-letter producers log in as `sluice-connect`,
 * the principal pipeline.yaml declares with the topics the connectors read and the dead-letter topics
 * they write. The REST API answers on the platform host only with Basic credentials
 * (`connect-admin`, password in the secret store); the JMX exporter serves its metrics.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { bindingKey, type AclBinding, type AclOperation } from '../../clients/kafka-types';
import { HttpConnectAdmin } from '../../clients/connect';
import { adminClient } from '../admin';
import { logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { buildMavenProject, bundleDir, installMavenBundle, projectBuildDir } from '../install/maven';
import { heapOf, mavenBundle } from '../manifest';
import { runningPid } from '../processes';
import { writePrivateFile } from '../../lib/secrets';
import { renderTemplateFile, TEMPLATE_DIR } from '../template';
import { forCondition, forLogLine, type WaitStrategy } from '../wait';
import { bootstrapServers, caFile, installJmxExporter, jmxExporterAgent, kafkaNodes } from './kafka';

/** The worker's own identity: its group and its three topics. */
export const CONNECT_WORKER_USER = 'sluice-connect-worker';
export const CONNECT_WORKER_SECRET = `users/${CONNECT_WORKER_USER}`;
/** The connectors' identity, a principal of pipeline.yaml (deploy-pipeline creates it with this secret). */
export const CONNECT_SINKS_USER = 'sluice-connect';
export const CONNECT_SINKS_SECRET = `users/${CONNECT_SINKS_USER}`;
/** The REST API's user. */
export const CONNECT_ADMIN_USER = 'connect-admin';
export const CONNECT_ADMIN_SECRET = 'connect/admin';
export const CONNECT_GROUP = 'sluice-connect';
export const CONNECT_TOPICS = {
  config: '_sluice-connect-configs',
  offset: '_sluice-connect-offsets',
  status: '_sluice-connect-status',
} as const;
/** Partitions of the internal topics: the config topic must have exactly one. */
const PARTITIONS: Record<keyof typeof CONNECT_TOPICS, number> = { config: 1, offset: 6, status: 3 };

export const CONNECT_PLUGIN_DIR = join(repoRoot(), 'connectors', 'plugin');
const NAME = 'connect';

export function connectUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.connect.rest}`;
}

const configDir = (ctx: PlatformContext) => join(ctx.paths.config, NAME);

/** Connect's REST API as its admin user, for deploy-pipeline; undefined when this platform's worker is not running. */
export function connectAdmin(
  ctx: PlatformContext,
  placeholders: Readonly<Record<string, string>> = {},
): HttpConnectAdmin | undefined {
  if (runningPid(pidFileOf(ctx, NAME), NAME, ctx.paths.home) === undefined) return undefined;
  return new HttpConnectAdmin({
    url: connectUrl(ctx),
    username: CONNECT_ADMIN_USER,
    password: ctx.secrets.ensure(CONNECT_ADMIN_SECRET),
    placeholders,
  });
}

function acl(resourceType: AclBinding['resourceType'], resourceName: string, operation: AclOperation): AclBinding {
  return {
    principal: `User:${CONNECT_WORKER_USER}`,
    resourceType,
    resourceName,
    patternType: 'literal',
    operation,
    permission: 'allow',
    host: '*',
  };
}

/** The worker's bindings: join its group; read, write and check the settings of its three topics. */
export function workerAcls(): AclBinding[] {
  return [
    acl('group', CONNECT_GROUP, 'read'),
    ...Object.values(CONNECT_TOPICS).flatMap((topic) =>
      (['read', 'write', 'describe', 'describe-configs'] as const).map((op) => acl('topic', topic, op)),
    ),
  ];
}

/** The worker's user, topics (replication 3, min ISR 2, compacted) and ACLs, made idempotently with the admin user. */
async function prepareKafka(ctx: PlatformContext, password: string): Promise<void> {
  const admin = adminClient(ctx);
  try {
    const observed = await admin.observe();
    if (!observed.scramUsers.includes(CONNECT_WORKER_USER)) await admin.upsertScramUser(CONNECT_WORKER_USER, password);
    const existing = new Set(observed.topics.map((t) => t.name));
    for (const [role, topic] of Object.entries(CONNECT_TOPICS) as Array<[keyof typeof CONNECT_TOPICS, string]>) {
      if (existing.has(topic)) continue;
      await admin.createTopic({
        name: topic,
        partitions: PARTITIONS[role],
        replicationFactor: 3,
        config: { 'min.insync.replicas': '2', 'cleanup.policy': 'compact' },
      });
    }
    const have = new Set(observed.acls.map(bindingKey));
    const missing = workerAcls().filter((b) => !have.has(bindingKey(b)));
    if (missing.length > 0) await admin.createAcls(missing);
  } finally {
    await admin.close();
  }
}

const PLUGIN_BUILD = 'sluice-connect-plugin';
/** Where install() builds the plugin: named by a hash of its pom and sources. */
const pluginBuildDir = (ctx: PlatformContext) => projectBuildDir(ctx.paths.cache, PLUGIN_BUILD, CONNECT_PLUGIN_DIR);

/** The plugin directories: Sluice's sinks (built from connectors/plugin) and Apicurio's converter. */
function pluginDirs(ctx: PlatformContext): Record<string, string> {
  return {
    'sluice-connect': join(pluginBuildDir(ctx), 'build', 'plugin'),
    'apicurio-converter': join(
      bundleDir(ctx.paths.cache, 'apicurio-converter', mavenBundle('apicurio-converter')),
      'lib',
    ),
  };
}

/** plugin.path: a directory of links, one per plugin, rewritten on every `up` (the build's hash may change). */
function layOutPluginPath(ctx: PlatformContext): string {
  const dir = join(configDir(ctx), 'plugins');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(pluginDirs(ctx))) {
    if (!existsSync(target) || readdirSync(target).length === 0)
      throw new Error(`connect: plugin directory ${target} is empty`);
    symlinkSync(target, join(dir, name));
  }
  return dir;
}

async function authenticated(ctx: PlatformContext, path: string): Promise<Response | undefined> {
  const password = ctx.secrets.read(CONNECT_ADMIN_SECRET);
  if (password === undefined) return undefined;
  const auth = Buffer.from(`${CONNECT_ADMIN_USER}:${password}`).toString('base64');
  return fetch(`${connectUrl(ctx)}${path}`, {
    headers: { Authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
}

const answers = async (ctx: PlatformContext, path: string) => (await authenticated(ctx, path))?.status === 200;

export const connect: Component = {
  name: NAME,
  dependsOn: [...kafkaNodes.map((n) => n.name), 'registry'],
  stopGraceMs: 30_000,
  ports: (ctx) => [
    { name: 'REST (Basic auth)', port: ctx.ports.connect.rest },
    { name: 'metrics (JMX exporter)', port: ctx.ports.connect.metrics },
  ],

  async install(ctx) {
    await installMavenBundle(ctx.paths.cache, NAME, mavenBundle(NAME), ctx.log);
    await installMavenBundle(ctx.paths.cache, 'apicurio-converter', mavenBundle('apicurio-converter'), ctx.log);
    await installJmxExporter(ctx);
    await buildMavenProject(ctx.paths.cache, PLUGIN_BUILD, CONNECT_PLUGIN_DIR, ctx.log);
  },

  async configure(ctx) {
    const workerPassword = ctx.secrets.ensure(CONNECT_WORKER_SECRET);
    await prepareKafka(ctx, workerPassword);
    const dir = configDir(ctx);
    mkdirSync(dir, { recursive: true });
    const credentialsFile = join(dir, 'rest-credentials.properties');
    writePrivateFile(credentialsFile, `${CONNECT_ADMIN_USER}=${ctx.secrets.ensure(CONNECT_ADMIN_SECRET)}\n`);
    writePrivateFile(join(dir, 'jaas.conf'), renderTemplateFile('connect/jaas.conf', { credentialsFile }));
    writePrivateFile(
      join(dir, 'worker.properties'),
      renderTemplateFile('connect/worker.properties', {
        bootstrapServers: bootstrapServers(ctx),
        groupId: CONNECT_GROUP,
        configTopic: CONNECT_TOPICS.config,
        offsetTopic: CONNECT_TOPICS.offset,
        statusTopic: CONNECT_TOPICS.status,
        workerUser: CONNECT_WORKER_USER,
        workerPassword,
        // The password is generated here; deploy-pipeline creates the principal with the same secret.
        sinksUser: CONNECT_SINKS_USER,
        sinksPassword: ctx.secrets.ensure(CONNECT_SINKS_SECRET),
        caFile: caFile(ctx),
        host: ctx.host,
        restPort: ctx.ports.connect.rest,
        pluginPath: layOutPluginPath(ctx),
      }),
    );
  },

  daemon(ctx) {
    const dir = configDir(ctx);
    return {
      name: NAME,
      command: 'java',
      args: [
        jmxExporterAgent(ctx, ctx.ports.connect.metrics, 'connect'),
        ...heapOf(NAME),
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(TEMPLATE_DIR, 'log4j2.properties')}`,
        `-Djava.security.auth.login.config=${join(dir, 'jaas.conf')}`,
        `-Dsluice.component=${NAME}`,
        '-cp',
        `${join(bundleDir(ctx.paths.cache, NAME, mavenBundle(NAME)), 'lib')}/*`,
        'org.apache.kafka.connect.cli.ConnectDistributed',
        join(dir, 'worker.properties'),
      ],
      cwd: dir,
      pidFile: pidFileOf(ctx, NAME),
      logFile: logFileOf(ctx, NAME),
    };
  },

  ready(ctx, logOffset): WaitStrategy[] {
    return [
      forCondition(`Connect's REST API (${connectUrl(ctx)}/) to answer 200 with Basic credentials`, 180_000, () =>
        answers(ctx, '/'),
      ),
      forLogLine(logFileOf(ctx, NAME), /Joined group at generation \d+/, 120_000, logOffset),
      forCondition(`the worker to report itself healthy (${connectUrl(ctx)}/health)`, 120_000, () =>
        answers(ctx, '/health'),
      ),
    ];
  },

  healthy: (ctx) => answers(ctx, '/health'),
};
