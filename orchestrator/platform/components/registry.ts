/**
 * Apicurio Registry 3.0.9 (Java 17) from Maven Central, serving the Confluent-compatible API under
 * /apis/ccompat/v7. Its storage is a journal in the secured Kafka cluster (KafkaSQL), written as its own
 * SCRAM user with the least ACLs it needs; the launcher creates that user, the three topics and the ACLs
 * before starting it. Writes need Basic credentials; reads stay anonymous.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bindingKey, type AclBinding, type AclOperation } from '../../clients/kafka-types';
import { HttpSchemaRegistryAdmin } from '../../clients/registry-admin';
import { adminClient } from '../admin';
import { logFileOf, pidFileOf, type Component, type PlatformContext } from '../component';
import { installMavenArchive } from '../install/maven';
import { heapOf, mavenArchive } from '../manifest';
import { writePrivateFile } from '../../lib/secrets';
import { renderTemplateFile } from '../template';
import { forCondition, type WaitStrategy } from '../wait';
import { bootstrapServers, caFile, kafkaNodes } from './kafka';

export const REGISTRY_KAFKA_USER = 'sluice-registry';
export const REGISTRY_ADMIN_USER = 'registry-admin';
export const REGISTRY_ADMIN_SECRET = 'registry/admin';
/** Flink's registry user: its Avro sinks register the output topics' schemas. */
export const REGISTRY_FLINK_USER = 'sluice-flink';
export const REGISTRY_FLINK_SECRET = 'registry/sluice-flink';
const TOPICS = { journal: 'kafkasql-journal', snapshots: 'kafkasql-snapshots', events: 'registry-events' } as const;
const GROUP_PREFIX = 'apicurio-';

export function registryUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.registry}/apis/ccompat/v7`;
}

/** The registry as its admin user, for deploy-pipeline. */
export function registryAdmin(ctx: PlatformContext): HttpSchemaRegistryAdmin {
  return new HttpSchemaRegistryAdmin({
    url: registryUrl(ctx),
    username: REGISTRY_ADMIN_USER,
    password: ctx.secrets.ensure(REGISTRY_ADMIN_SECRET),
  });
}

function healthUrl(ctx: PlatformContext): string {
  return `http://${ctx.host}:${ctx.ports.registry}/health/ready`;
}

async function ready(ctx: PlatformContext): Promise<boolean> {
  // /health/ready turns 200 only once the journal has been replayed; the API answers (with partial
  // data) before that, so the port alone is not a readiness signal.
  const response = await fetch(healthUrl(ctx), { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return response?.status === 200;
}

function acl(
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  operation: AclOperation,
  patternType: AclBinding['patternType'] = 'literal',
): AclBinding {
  return {
    principal: `User:${REGISTRY_KAFKA_USER}`,
    resourceType,
    resourceName,
    patternType,
    operation,
    permission: 'allow',
    host: '*',
  };
}

/** The user, topics and ACLs the registry needs, made idempotently with the admin user. */
async function prepareKafka(ctx: PlatformContext, password: string): Promise<void> {
  const admin = adminClient(ctx);
  try {
    const observed = await admin.observe();
    if (!observed.scramUsers.includes(REGISTRY_KAFKA_USER)) await admin.upsertScramUser(REGISTRY_KAFKA_USER, password);
    const existing = new Set(observed.topics.map((t) => t.name));
    for (const topic of Object.values(TOPICS)) {
      if (existing.has(topic)) continue;
      await admin.createTopic({
        name: topic,
        partitions: 1,
        replicationFactor: 3,
        config: { 'min.insync.replicas': '2', 'retention.ms': '-1' },
      });
    }
    const wanted = [
      ...(['describe', 'read', 'write'] as const).map((op) => acl('topic', TOPICS.journal, op)),
      ...(['describe', 'read'] as const).map((op) => acl('topic', TOPICS.snapshots, op)),
      ...(['describe', 'write'] as const).map((op) => acl('topic', TOPICS.events, op)),
      acl('group', GROUP_PREFIX, 'read', 'prefixed'),
    ];
    const have = new Set(observed.acls.map(bindingKey));
    await admin.createAcls(wanted.filter((b) => !have.has(bindingKey(b))));
  } finally {
    await admin.close();
  }
}

export const registry: Component = {
  name: 'registry',
  dependsOn: kafkaNodes.map((n) => n.name),
  stopGraceMs: 15_000,
  ports: (ctx) => [{ name: 'http (ccompat API)', port: ctx.ports.registry }],

  async install(ctx) {
    await installMavenArchive(ctx.paths.cache, 'registry', mavenArchive('registry'), ctx.log);
  },

  async configure(ctx) {
    const kafkaPassword = ctx.secrets.ensure(`users/${REGISTRY_KAFKA_USER}`);
    const adminPassword = ctx.secrets.ensure(REGISTRY_ADMIN_SECRET);
    await prepareKafka(ctx, kafkaPassword);
    const dir = join(ctx.paths.config, 'registry');
    mkdirSync(dir, { recursive: true });
    writePrivateFile(
      join(dir, 'application.properties'),
      renderTemplateFile('registry/application.properties', {
        bootstrapServers: bootstrapServers(ctx),
        journalTopic: TOPICS.journal,
        snapshotsTopic: TOPICS.snapshots,
        eventsTopic: TOPICS.events,
        groupPrefix: GROUP_PREFIX,
        kafkaUser: REGISTRY_KAFKA_USER,
        kafkaPassword,
        caFile: caFile(ctx),
        host: ctx.host,
        port: ctx.ports.registry,
        adminUser: REGISTRY_ADMIN_USER,
        adminPassword,
        flinkUser: REGISTRY_FLINK_USER,
        flinkPassword: ctx.secrets.ensure(REGISTRY_FLINK_SECRET),
      }),
    );
  },

  daemon(ctx) {
    const archive = mavenArchive('registry');
    const dist = join(ctx.paths.cache, 'archives', `registry-${archive.version}`, 'dist');
    return {
      name: 'registry',
      command: 'java',
      args: [
        ...heapOf('registry'),
        // Serial GC and C1 only: three seconds faster to ready on two cores, and a smaller footprint.
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        `-Dquarkus.config.locations=file:${join(ctx.paths.config, 'registry', 'application.properties')}`,
        '-Dsluice.component=registry',
        '-jar',
        join(dist, archive.runner),
      ],
      cwd: join(ctx.paths.config, 'registry'),
      pidFile: pidFileOf(ctx, 'registry'),
      logFile: logFileOf(ctx, 'registry'),
    };
  },

  ready(ctx): WaitStrategy[] {
    return [
      forCondition(`the registry to replay its journal (${healthUrl(ctx)} answers 200)`, 180_000, () => ready(ctx)),
    ];
  },

  healthy: ready,
};
