/** The platform's admin connection to its own Kafka cluster (the super user created at format time). */
import { SluiceError } from '../../lib/errors';
import { ClusterKafkaAdmin } from '../clients/kafka-admin';
import { pidFileOf, type PlatformContext } from './component';
import { ADMIN_SECRET, ADMIN_USER, kafkaConnection, kafkaNodes } from './components/kafka';
import { runningPid } from './processes';

/** Refuses, with what to do, when no broker of this data dir runs. */
export function assertKafkaRunning(ctx: PlatformContext): void {
  if (kafkaNodes.every((node) => runningPid(pidFileOf(ctx, node.name), node.name, ctx.paths.home) === undefined)) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `no Kafka broker of ${ctx.paths.home} is running`, {
      fix: 'start the platform: npm start (or npx sluice platform up)',
    });
  }
}

export function adminClient(ctx: PlatformContext): ClusterKafkaAdmin {
  assertKafkaRunning(ctx);
  const password = ctx.secrets.read(ADMIN_SECRET);
  if (password === undefined) {
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', `no admin password in ${ctx.paths.secrets}`, {
      fix: 'run: npx sluice platform up',
    });
  }
  return new ClusterKafkaAdmin(kafkaConnection(ctx, ADMIN_USER, password, 'sluice-orchestrator'));
}
