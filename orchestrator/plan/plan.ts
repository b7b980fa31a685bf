/**
 * The plan: a pure function of (desired spec, observed cluster, what Sluice manages) to the steps that
 * make the cluster match the spec. Nothing here talks to Kafka; apply.ts only executes a plan.
 */
import { RESOURCE_KINDS, type ResourceKindEntry, type Step } from '../providers/kinds';
import { STEP_ACTIONS } from '../providers/types';
import type { DiffContext, ObservedState, Provider, StepAction, StepBase } from '../providers/types';
import type { PipelineSpec } from '../spec/types';

export interface PlanOptions {
  /** Ids Sluice manages (loadManagedState); only these can be deleted. */
  managed: ReadonlySet<string>;
  /** Delete managed resources that are no longer in the spec. */
  prune: boolean;
  /** Whether the local secret store holds a secret, given its name (`users/<principal>`). */
  hasSecret: (secretName: string) => boolean;
  /** Values of the connectors' `${NAME}` placeholders (platform/connector-env.ts). */
  placeholders?: Readonly<Record<string, string>>;
}

export interface Plan {
  /** The spec's name, for "The cluster matches demo." */
  specName: string;
  /** Creates, updates and replaces in the order of the kinds (providers/kinds.ts), then deletes in reverse. */
  steps: Step[];
  counts: Record<StepAction, number>;
  /** Any create, update, replace or delete. */
  hasChanges: boolean;
  /** Steps that cannot be made (Kafka cannot in place, the registry refuses); apply refuses the whole plan when there is one. */
  refused: Step[];
  /** Managed ids not in the spec that stay because --prune was not given. */
  kept: string[];
  /** Every id the spec declares; apply records them as managed. */
  specIds: string[];
}

interface KindPlan {
  steps: Step[];
  deletes: Step[];
  kept: string[];
  ids: string[];
}

function planKind<D, O, S extends StepBase>(
  provider: Provider<D, O, S>,
  spec: PipelineSpec,
  state: ObservedState,
  context: DiffContext,
): KindPlan {
  const desired = provider.desired(spec);
  const observed = provider.observed(state);
  const steps: StepBase[] = [...desired].map(([id, d]) => provider.diff(id, d, observed.get(id), context));
  const deletes: StepBase[] = [];
  const kept: string[] = [];
  for (const id of [...observed.keys()].sort()) {
    // Not in the spec and never managed: someone else's resource, not part of the plan at all.
    if (desired.has(id) || !context.managed.has(id)) continue;
    if (context.prune) deletes.push(provider.diff(id, undefined, observed.get(id), context));
    else kept.push(id);
  }
  return { steps: steps as Step[], deletes: deletes as Step[], kept, ids: [...desired.keys()] };
}

export function planPipeline(desired: PipelineSpec, observed: ObservedState, options: PlanOptions): Plan {
  const context: DiffContext = {
    brokerCount: observed.kafka.brokerCount,
    prune: options.prune,
    managed: options.managed,
    hasSecret: options.hasSecret,
    ...(observed.cassandra ? { cassandraRoles: new Set(observed.cassandra.roles) } : {}),
    ...(observed.influx ? { influxUsers: new Set(observed.influx.users.map((u) => u.name)) } : {}),
    ...(options.placeholders ? { placeholders: options.placeholders } : {}),
  };
  const kinds = RESOURCE_KINDS.map((k: ResourceKindEntry) => planKind(k.provider, desired, observed, context));
  // What others need goes first; removal runs the other way round.
  const steps = [...kinds.flatMap((k) => k.steps), ...[...kinds].reverse().flatMap((k) => k.deletes)];
  const counts = Object.fromEntries(STEP_ACTIONS.map((a) => [a, 0])) as Record<StepAction, number>;
  for (const step of steps) counts[step.action] += 1;
  return {
    specName: desired.name,
    steps,
    counts,
    hasChanges: counts.create + counts.update + counts.replace + counts.delete > 0,
    refused: steps.filter((s) => s.action === 'refused'),
    kept: kinds.flatMap((k) => k.kept),
    specIds: kinds.flatMap((k) => k.ids),
  };
}
