/**
 * Executes a plan, step by step in its order. It decides nothing: a refused step refuses the whole plan
 * before anything runs, and a failed step stops the apply (earlier steps stay applied, the error says
 * which resource failed).
 */
import { SluiceError, messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { KafkaAdmin } from '../clients/kafka-types';
import type { FlinkAdmin } from '../clients/flink-types';
import type { ConnectAdmin } from '../clients/connect-types';
import type { SchemaRegistryAdmin } from '../clients/registry-types';
import type { CassandraAdmin } from '../clients/cassandra-types';
import type { InfluxAdmin } from '../clients/influx-types';
import type { SecretStore } from '../lib/secrets';
import { kindEntry, type Step } from '../providers/kinds';
import type { ApplyContext, Provider } from '../providers/types';
import type { Plan } from './plan';
import { loadManagedState, saveManagedState } from './state';

export interface ApplyOptions {
  kafka: KafkaAdmin;
  registry: SchemaRegistryAdmin;
  /** Needed only by plans with sql-job steps. */
  flink?: FlinkAdmin;
  /** Needed only by plans with cassandra-* steps. */
  cassandra?: CassandraAdmin;
  /** Needed only by plans with influx-* steps. */
  influx?: InfluxAdmin;
  /** Needed only by plans with connector steps. */
  connect?: ConnectAdmin;
  secrets: SecretStore;
  /**
   * The folder of the principals' client files (`<SLUICE_HOME>/clients`, written by `sluice platform env
   * --user`): a principal's are removed with it, and when its password changes.
   */
  clientFilesDir?: string;
  log: Logger;
  /** Where the ids Sluice manages are kept (orchestrator/plan/state.ts). */
  managedStateFile: string;
  /** Ids the spec declares; defaults to the plan's own `specIds`. */
  specIds?: string[];
}

export interface ApplyResult {
  /** Ids of the steps executed, in order. */
  applied: string[];
}

function refusal(plan: Plan): SluiceError {
  const lines = plan.refused.map((s) => `  - ${s.id}: ${s.reason ?? 'refused'}`);
  return new SluiceError(
    'SLUICE_PLAN_REFUSED',
    [
      `the plan has ${plan.refused.length} change${plan.refused.length === 1 ? '' : 's'} that cannot be made; nothing was applied:`,
      ...lines,
    ].join('\n'),
    {
      fix: 'change the spec back to what the cluster has, or follow the instructions for each refused resource',
      details: { refused: plan.refused.map((s) => ({ id: s.id, reason: s.reason, changes: s.changes })) },
    },
  );
}

// A provider typed for its own step kind, called with a step of that kind.
type AnyProvider = Provider<never, never, Step>;

async function execute(context: ApplyContext, step: Step): Promise<void> {
  const provider = kindEntry(step.kind).provider as unknown as AnyProvider;
  const run =
    step.action === 'create'
      ? provider.create
      : step.action === 'update'
        ? provider.update
        : step.action === 'replace'
          ? provider.replace
          : step.action === 'delete'
            ? provider.delete
            : undefined;
  // A provider that does not make this action (noop and refused never reach here): stopping beats half a change.
  if (!run) throw new Error(`cannot ${step.action} ${step.kind} resources`);
  return run.call(provider, context, step);
}

/**
 * Stands in for the client of a server the platform does not run: every call fails with what to start.
 * Only a plan with steps on that server ever calls it.
 */
function notRunning<T extends object>(message: string, fix: string): T {
  const fail = (): Promise<never> => Promise.reject(new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', message, { fix }));
  return new Proxy({} as T, {
    // Not a thenable; closing what never opened is fine.
    get: (_target, key) => (key === 'then' ? undefined : key === 'close' ? async () => undefined : fail),
  });
}
const notStarted = <T extends object>(what: string, component: string): T =>
  notRunning<T>(
    `this plan changes ${what}, but ${what} is not running`,
    `start it: npx sluice platform up ${component}`,
  );

const PAST: Record<string, string> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted' };

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.refused.length > 0) throw refusal(plan);

  const previous = loadManagedState(options.managedStateFile);
  const context: ApplyContext = {
    kafka: options.kafka,
    registry: options.registry,
    flink:
      options.flink ??
      notRunning<FlinkAdmin>(
        'this plan has SQL jobs, but no Flink cluster is running',
        'start the platform with Flink: npx sluice platform up',
      ),
    cassandra: options.cassandra ?? notStarted<CassandraAdmin>('Cassandra', 'cassandra'),
    influx: options.influx ?? notStarted<InfluxAdmin>('InfluxDB', 'influxdb'),
    connect: options.connect ?? notStarted<ConnectAdmin>('Kafka Connect', 'connect'),
    secrets: options.secrets,
    ...(options.clientFilesDir ? { clientFilesDir: options.clientFilesDir } : {}),
    log: options.log,
  };
  const applied: string[] = [];
  const deleted = new Set<string>();

  for (const step of plan.steps) {
    if (step.action === 'noop') continue;
    options.log.info(step.action, { resource: step.id });
    try {
      await execute(context, step);
    } catch (cause) {
      // What did get created is Sluice's to prune later, even though the apply as a whole failed.
      const created = applied.filter((id) => !deleted.has(id));
      saveManagedState(
        options.managedStateFile,
        [...previous, ...created].filter((id) => !deleted.has(id)),
      );
      throw new SluiceError('SLUICE_APPLY_FAILED', `${step.id}: ${messageOf(cause)}`, {
        cause,
        path: step.id,
        details: { resource: step.id, action: step.action, applied },
      });
    }
    applied.push(step.id);
    if (step.action === 'delete') deleted.add(step.id);
    options.log.debug(PAST[step.action] ?? step.action, { resource: step.id });
  }

  // Managed from now on: everything the spec declares, and what was managed before and still exists.
  const stillThere = plan.kept.filter((id) => previous.has(id));
  const managed = [...(options.specIds ?? plan.specIds), ...stillThere].filter((id) => !deleted.has(id));
  saveManagedState(options.managedStateFile, managed);
  return { applied };
}
