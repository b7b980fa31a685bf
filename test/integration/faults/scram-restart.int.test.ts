/**
 * Fault: a full cluster restart after a principal was removed must not lock anyone out
 * (docs/decisions/0003-scram-revocation.md). Revoked users stay refused.
 */
import type { Kafka } from 'kafkajs';
import { generatePassword } from '../../../orchestrator/lib/secrets';
import { down, up } from '../../../orchestrator/platform/platform';
import { findOwnedProcesses } from '../../../orchestrator/platform/processes';
import { adminClient, adminConnection, kafkaAs, testContext, uniqueName } from '../helpers';
import { createKafka } from '../../../lib/kafka/connection';

const ctx = testContext();

async function canList(kafka: Kafka): Promise<boolean> {
  const client = kafka.admin();
  try {
    await client.connect();
    await client.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await client.disconnect().catch(() => undefined);
  }
}

test('after a user is revoked and the whole cluster restarts, the admin and other users still log in', async () => {
  const keeper = uniqueName('keeper');
  const revoked = uniqueName('revoked');
  const keeperPassword = generatePassword();
  const revokedPassword = generatePassword();
  const admin = adminClient(ctx);
  try {
    await admin.upsertScramUser(keeper, keeperPassword);
    await admin.upsertScramUser(revoked, revokedPassword);
    await admin.deleteScramUser(revoked);
  } finally {
    await admin.close();
  }
  expect(await canList(kafkaAs(ctx, revoked, revokedPassword, 0))).toBe(false);

  await down(ctx);
  expect(findOwnedProcesses(ctx.paths.home)).toEqual([]); // down leaves no process behind
  await up(ctx);

  expect(await canList(createKafka(adminConnection(ctx), { retries: 2 }))).toBe(true);
  expect(await canList(kafkaAs(ctx, keeper, keeperPassword))).toBe(true);
  expect(await canList(kafkaAs(ctx, revoked, revokedPassword, 0))).toBe(false);
});
