/** Shared helpers for integration tests: the platform's context, clients for any user, unique names. */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createLogger } from '../../lib/log';
import { createKafka, type KafkaConnection } from '../../lib/kafka/connection';
import type { PlatformContext } from '../../orchestrator/platform/component';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection } from '../../orchestrator/platform/components/kafka';
import { adminClient, createContext } from '../../orchestrator/platform/platform';
import { applyTestPlatformEnv } from './env';

applyTestPlatformEnv();

export function testContext(): PlatformContext {
  return createContext(process.env, createLogger({ level: 'warn' }));
}

/** A topic, group or user name no other test uses (kafkajs' testHelpers habit). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function connectionFor(ctx: PlatformContext, username: string, password: string): KafkaConnection {
  return kafkaConnection(ctx, username, password, `test-${username}`);
}

export function adminConnection(ctx: PlatformContext): KafkaConnection {
  return connectionFor(ctx, ADMIN_USER, ctx.secrets.read(ADMIN_SECRET)!);
}

export function kafkaAs(ctx: PlatformContext, username: string, password: string, retries = 2): Kafka {
  return createKafka(connectionFor(ctx, username, password), { retries, connectionTimeoutMs: 5000 });
}

export { adminClient };
