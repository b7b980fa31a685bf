/**
 * Three Kafka 4.3 nodes in KRaft combined mode (broker + controller), from Maven Central jars.
 * On first start the launcher generates a cluster id and the admin password, and formats each node's
 * storage with the admin's SCRAM-SHA-512 credential (the only user that must exist before any client
 * can connect). Everything else — service users, topics, ACLs — is applied by deploy-pipeline.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SluiceError } from '../../../lib/errors';
import type { KafkaConnection } from '../../../lib/kafka/connection';
import { ensureCertificateAuthority, ensureServerCertificate, tlsHosts } from '../certs';
import { envOf, logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { installMavenBundle, bundleDir, installMavenJars, jarsDir } from '../install/maven';
import { heapOf, mavenBundle, mavenJars } from '../manifest';
import { KAFKA_NODE_IDS } from '../ports';
import { run } from '../processes';
import { renderTemplateFile, TEMPLATE_DIR } from '../template';
import { forLogLine, forPort, type WaitStrategy } from '../wait';

export const ADMIN_USER = 'admin';
export const ADMIN_SECRET = 'kafka/admin';

const nodeName = (id: number) => `kafka-${id}`;

function classpath(ctx: PlatformContext): string {
  return `${join(bundleDir(ctx.paths.cache, 'kafka', mavenBundle('kafka')), 'lib')}/*`;
}

export function bootstrapServers(ctx: PlatformContext): string {
  return KAFKA_NODE_IDS.map((id) => `${ctx.host}:${ctx.ports.kafka[id]!.client}`).join(',');
}

export function caFile(ctx: PlatformContext): string {
  return join(ctx.paths.certs, 'ca.pem');
}

/** How `username` reaches this platform's cluster (SASL_SSL, SCRAM-SHA-512, the platform's CA). */
export function kafkaConnection(
  ctx: PlatformContext,
  username: string,
  password: string,
  clientId = `sluice-${username}`,
): KafkaConnection {
  return {
    brokers: bootstrapServers(ctx).split(','),
    ca: readFileSync(caFile(ctx), 'utf8'),
    username,
    password,
    clientId,
  };
}

function clusterId(ctx: PlatformContext): string {
  const file = join(ctx.paths.data, 'kafka-cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(ctx.paths.data, { recursive: true });
  const id = randomBytes(16).toString('base64url'); // the form of Kafka's Uuid.toString()
  writeFileSync(file, `${id}\n`);
  return id;
}

function javaArgs(ctx: PlatformContext, name: string): string[] {
  return [
    ...heapOf('kafka'),
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(TEMPLATE_DIR, 'log4j2.properties')}`,
    `-Dsluice.component=${name}`,
    '-cp',
    classpath(ctx),
  ];
}

/**
 * The Prometheus JMX exporter as a java agent: the JVM serves its MBeans, filtered by `rules`
 * (templates/jmx/<rules>.yml), as plain HTTP /metrics on the platform host. Kafka nodes and Connect use it.
 */
export function jmxExporterAgent(ctx: PlatformContext, port: number, rules: 'kafka' | 'connect'): string {
  const jars = mavenJars('jmx-exporter');
  const jar = join(
    jarsDir(ctx.paths.cache, 'jmx-exporter', jars),
    'lib',
    `jmx_prometheus_javaagent-${jars.version}.jar`,
  );
  return `-javaagent:${jar}=${ctx.host}:${port}:${join(TEMPLATE_DIR, 'jmx', `${rules}.yml`)}`;
}

export async function installJmxExporter(ctx: PlatformContext): Promise<void> {
  await installMavenJars(ctx.paths.cache, 'jmx-exporter', mavenJars('jmx-exporter'), ctx.log);
}

function kafkaNode(id: number): Component {
  const name = nodeName(id);
  const configDir = (ctx: PlatformContext) => join(ctx.paths.config, name);
  const propertiesFile = (ctx: PlatformContext) => join(configDir(ctx), 'server.properties');
  const logDir = (ctx: PlatformContext) => join(ctx.paths.data, name);

  return {
    name,
    dependsOn: [],
    stopGraceMs: 30_000,
    ports: (ctx) => {
      const p = ctx.ports.kafka[id]!;
      return [
        { name: 'client (SASL_SSL)', port: p.client },
        { name: 'controller (mTLS)', port: p.controller },
        { name: 'internal (mTLS)', port: p.internal },
        { name: 'metrics (JMX exporter)', port: p.metrics },
      ];
    },

    async install(ctx) {
      await installMavenBundle(ctx.paths.cache, 'kafka', mavenBundle('kafka'), ctx.log);
      await installJmxExporter(ctx);
    },

    async configure(ctx) {
      const ca = await ensureCertificateAuthority(ctx.paths.certs);
      const cert = await ensureServerCertificate(ctx.paths.certs, ca, name, tlsHosts(envOf(ctx)));
      const ports = ctx.ports.kafka[id]!;
      mkdirSync(configDir(ctx), { recursive: true });
      writeFileSync(
        propertiesFile(ctx),
        renderTemplateFile('kafka/server.properties', {
          nodeId: id,
          quorumVoters: KAFKA_NODE_IDS.map((n) => `${n}@${ctx.host}:${ctx.ports.kafka[n]!.controller}`).join(','),
          bindHost: ctx.host,
          advertisedHost: ctx.host,
          clientPort: ports.client,
          controllerPort: ports.controller,
          internalPort: ports.internal,
          keystoreFile: cert.keystoreFile,
          caFile: ca.certFile,
          superUsers: [`User:${ADMIN_USER}`, ...KAFKA_NODE_IDS.map((n) => `User:${nodeName(n)}`)].join(';'),
          logDir: logDir(ctx),
        }),
      );
      if (existsSync(join(logDir(ctx), 'meta.properties'))) return;
      const adminPassword = ctx.secrets.ensure(ADMIN_SECRET);
      ctx.log.info('formatting storage', { component: name });
      const result = await run('java', [
        ...javaArgs(ctx, `${name}-format`),
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        clusterId(ctx),
        '--config',
        propertiesFile(ctx),
        '--add-scram',
        `SCRAM-SHA-512=[name=${ADMIN_USER},password=${adminPassword}]`,
      ]);
      // The tool prints the SCRAM salt and stored key on stdout: it is never echoed or logged.
      if (result.code !== 0) {
        throw new SluiceError(
          'SLUICE_COMPONENT_START_FAILED',
          `${name}: formatting storage failed: ${result.stderr.trim().slice(-1000)}`,
        );
      }
    },

    daemon(ctx) {
      return {
        name,
        command: 'java',
        args: [
          jmxExporterAgent(ctx, ctx.ports.kafka[id]!.metrics, 'kafka'),
          ...javaArgs(ctx, name),
          'kafka.Kafka',
          propertiesFile(ctx),
        ],
        pidFile: pidFileOf(ctx, name),
        logFile: logFileOf(ctx, name),
      };
    },

    ready(ctx, logOffset): WaitStrategy[] {
      return [
        forPort(ctx.host, ctx.ports.kafka[id]!.client, 120_000),
        forLogLine(logFileOf(ctx, name), /Kafka Server started/, 180_000, logOffset),
      ];
    },

    async healthy(ctx) {
      return forPort(ctx.host, ctx.ports.kafka[id]!.client, 1).check();
    },
  };
}

export const kafkaNodes: Component[] = KAFKA_NODE_IDS.map(kafkaNode);
