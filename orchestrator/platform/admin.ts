/** The platform's admin connection to its own Kafka cluster (the super user created at format time). */
import { readFileSync } from 'node:fs';
import { SluiceError } from '../../lib/errors';
import { ClusterKafkaAdmin } from '../clients/kafka-admin';
import { pidFileOf, type PlatformContext } from './component';
import { ADMIN_SECRET, ADMIN_USER, bootstrapServers, caFile, kafkaNodes } from './components/kafka';
import { runningPid } from './processes';

export function adminClient(ctx: PlatformContext): ClusterKafkaAdmin {
  if (kafkaNodes.every((node) => runningPid(pidFileOf(ctx, node.name), node.name, ctx.paths.home) === undefined)) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `no Kafka broker of ${ctx.paths.home} is running`, { fix: 'start the platform: npm start (or npx sluice platform up)' });
  }
  const password = ctx.secrets.read(ADMIN_SECRET);
  if (password === undefined) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `no admin password in ${ctx.paths.secrets}`, { fix: 'run: npx sluice platform up' });
  }
  return new ClusterKafkaAdmin({
    brokers: bootstrapServers(ctx).split(','),
    ca: readFileSync(caFile(ctx), 'utf8'),
    username: ADMIN_USER,
    password,
    clientId: 'sluice-orchestrator',
  });
}
