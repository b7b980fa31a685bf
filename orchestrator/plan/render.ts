/**
 * Renders a plan for people, Terraform-style. Every line names its resource so a long plan can be
 * grepped; passwords never appear (steps do not carry them).
 */
import type { AclBinding } from '../clients/kafka-types';
import { describeBinding } from '../providers/acl';
import type { AclStep } from '../providers/acl';
import type { ConnectorStep } from '../providers/connector';
import type { Step } from '../providers/kinds';
import type { Change, StepAction } from '../providers/types';
import type { Plan } from './plan';

export interface RenderOptions {
  /** ANSI colours, for a terminal. */
  color?: boolean;
  /** Print unchanged resources too (`--verbose`): a `noop` line each, with a connector's status. */
  verbose?: boolean;
}

type RowKind = StepAction | 'kept';

interface Row {
  kind: RowKind;
  id: string;
  detail: string;
}

const SYMBOL: Record<RowKind, string> = {
  noop: ' ',
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
  refused: '!',
  kept: '=',
};

const COLOR: Record<RowKind, string> = {
  noop: '0',
  create: '32',
  update: '33',
  replace: '35',
  delete: '31',
  refused: '1;31',
  kept: '2',
};

const value = (v: unknown): string => (v === undefined ? '(default)' : String(v));

function changeText(change: Change): string {
  if (change.from === undefined && change.to === undefined) return change.field;
  return change.from === undefined && change.to !== undefined
    ? `${change.field}=${value(change.to)}`
    : `${change.field}: ${value(change.from)} -> ${value(change.to)}`;
}

/** `partitions=6 replicationFactor=3 config{min.insync.replicas=2, retention.ms=604800000}` */
function createText(changes: Change[]): string {
  const plain = changes.filter((c) => !c.field.startsWith('config.')).map(changeText);
  const config = changes
    .filter((c) => c.field.startsWith('config.'))
    .map((c) => `${c.field.slice('config.'.length)}=${value(c.to)}`);
  return [...plain, ...(config.length > 0 ? [`config{${config.join(', ')}}`] : [])].join(' ');
}

/** One line per resource and host, operations joined: `allow WRITE,DESCRIBE topic:web.access-logs`. */
function groupedBindings(bindings: AclBinding[]): string[] {
  const groups = new Map<string, { first: AclBinding; operations: string[] }>();
  for (const b of bindings) {
    const key = [b.permission, b.resourceType, b.patternType, b.resourceName, b.host].join('|');
    const group = groups.get(key) ?? { first: b, operations: [] };
    group.operations.push(b.operation.toUpperCase());
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => describeBinding(g.first, g.operations.join(',')));
}

function aclRows(step: AclStep): Row[] {
  const rows: Row[] = [
    ...groupedBindings(step.add).map((b) => ({ kind: step.action, id: step.id, detail: `+ ${b}` })),
    ...groupedBindings(step.remove).map((b) => ({ kind: step.action, id: step.id, detail: `- ${b}` })),
  ];
  const why =
    step.keptBecause === 'unmanaged'
      ? `not in spec; Sluice does not manage ${step.id} yet, so --prune keeps it too`
      : 'not in spec; --prune removes it';
  for (const b of groupedBindings(step.kept)) rows.push({ kind: 'kept', id: step.id, detail: `${b} (${why})` });
  return rows;
}

/**
 * A connector's rows say how it runs: `RUNNING, 2/2 tasks running`. An unchanged connector is printed when
 * asked (`--verbose`) or when not all of it runs (`RUNNING, 1/2 tasks running; task 1 PAUSED`).
 */
function connectorRows(step: ConnectorStep, verbose: boolean): Row[] {
  const row = (detail: string): Row => ({ kind: step.action, id: step.id, detail });
  const why = step.reason ? ` (${step.reason})` : '';
  if (step.action === 'noop') return step.status && (verbose || step.running !== true) ? [row(step.status)] : [];
  if (step.action === 'create') return [row(createText(step.changes))];
  if (step.action === 'delete') return [row(step.status ? `was ${step.status}` : '')];
  return [row(step.changes.map(changeText).join('; ') + why + (step.status ? `; now ${step.status}` : ''))];
}

function stepRows(step: Step, verbose: boolean): Row[] {
  const row = (detail: string): Row => ({ kind: step.action, id: step.id, detail });
  if (step.action === 'refused') {
    return step.changes.filter((c) => c.refused).map((c) => row(`${changeText(c)}: ${c.refused}`));
  }
  if (step.kind === 'connector') return connectorRows(step, verbose);
  // An unchanged resource says nothing unless asked; an unchanged ACL may still list the bindings it keeps.
  const unchanged = step.action === 'noop' && verbose ? [row('')] : [];
  if (step.kind === 'acl') {
    const rows = aclRows(step);
    return rows.some((r) => r.kind !== 'kept') ? rows : [...unchanged, ...rows];
  }
  if (step.action === 'noop') return unchanged;
  if (step.kind === 'principal') {
    if (step.action === 'create') return [row('SCRAM-SHA-512 user')];
    if (step.action === 'delete') return [row('SCRAM-SHA-512 user, its local secret and client files')];
    return [row(`new SCRAM-SHA-512 password${step.reason ? ` (${step.reason})` : ''}`)];
  }
  // Why a job is (re)submitted: "its last run … is FAILED", "its SQL changed: …"; what a database change implies.
  const storage = step.kind.startsWith('cassandra-') || step.kind.startsWith('influx-');
  const why = (step.kind === 'sql-job' || storage) && step.reason ? ` (${step.reason})` : '';
  if (step.action === 'create') return [row(createText(step.changes) + why)];
  if (step.action === 'delete' && storage)
    return [row(`drops ${step.changes.map((c) => `${c.field} ${value(c.from)}`).join('; ')}`)];
  if (step.action === 'delete') return [row(step.kind === 'sql-job' ? `stop ${step.jobId} with a savepoint` : '')];
  return [row(step.changes.map(changeText).join('; ') + why)];
}

function summary(plan: Plan): string {
  const { create, update, replace, delete: remove, refused } = plan.counts;
  const bindings = (because: AclStep['keptBecause']): number =>
    plan.steps.reduce((n, s) => n + (s.kind === 'acl' && s.keptBecause === because ? s.kept.length : 0), 0);
  const prunable = plan.kept.length + bindings('no-prune');
  const unmanaged = bindings('unmanaged');
  const parts = [
    prunable > 0 ? ` ${prunable} kept (not in spec; --prune deletes them).` : '',
    unmanaged > 0 ? ` ${unmanaged} unmanaged ACL binding${unmanaged === 1 ? '' : 's'} left alone.` : '',
  ].join('');
  if (!plan.hasChanges && refused === 0) return `No changes. The cluster matches ${plan.specName}.${parts}`;
  const line = `Plan: ${create} to create, ${update} to update, ${replace} to replace, ${remove} to delete, ${refused} refused.${parts}`;
  return refused === 0
    ? line
    : `${line}\nNothing will be applied while a change is refused: change the spec as each refused line says.`;
}

export function renderPlan(plan: Plan, options: RenderOptions = {}): string {
  const rows = [
    ...plan.steps.flatMap((step) => stepRows(step, options.verbose === true)),
    ...plan.kept.map((id): Row => ({ kind: 'kept', id, detail: 'not in spec; --prune deletes it' })),
  ];
  const width = Math.max(28, ...rows.map((r) => r.id.length + 2));
  const lines = rows.map((r) => {
    const line =
      `  ${SYMBOL[r.kind]} ${r.id.padEnd(width)} ${(r.kind === 'kept' ? 'kept' : r.kind).padEnd(7)} ${r.detail}`.trimEnd();
    return options.color ? `\u001b[${COLOR[r.kind]}m${line}\u001b[0m` : line;
  });
  return [...lines, ...(lines.length > 0 ? [''] : []), summary(plan)].join('\n');
}
