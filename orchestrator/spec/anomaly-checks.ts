/**
 * Checks of the `anomaly` section that JSON Schema cannot express: watched topics are declared, watched
 * once, and their metrics once; each detector has only its own kind's options and builds (the options
 * are checked by anomaly/detectors itself); and the service's principal has the access it needs (its
 * group on the watched topics, the state read back, the alerts and state written in transactions).
 * Like the other semantic checks they read defensively: they also run when the schema found problems.
 */
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { createDetector, withRules } from '../../anomaly/detectors';
import type { DetectorSpec, RuleSpec } from '../../anomaly/detectors/types';
import { isSluiceError, messageOf } from '../../lib/errors';
import { isRecord } from './path';
import type { Segment } from './path';
import schema from '../../lib/spec/pipeline.schema.json';
import type { LocatedIssue } from './schema-issues';
import { closest } from './suggest';

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const STATISTICAL = [
  'threshold',
  'warmup',
  'direction',
  'minScale',
  'relativeMinScale',
  'calibrationWindow',
  'calibrationQuantile',
  'cooldown',
];

/** The options each detector kind takes (anomaly/detectors/types.ts). */
export const DETECTOR_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  ensemble: ['members', 'rules', 'combine', 'warmup', 'cooldown'],
  'robust-z': [...STATISTICAL, 'window'],
  ewma: [...STATISTICAL, 'alpha', 'clampAt'],
  seasonal: [...STATISTICAL, 'periodMs', 'buckets', 'bucketWindow', 'minBucketPoints', 'globalWindow'],
  context: ['bins', 'order', 'slots', 'minSupport', 'maxCount', 'rangeMemory', 'noveltyMargin', 'warmup', 'cooldown'],
  shape: ['step', 'window', 'prototypes', 'radius', 'threshold', 'rangeMemory', 'warmup', 'cooldown'],
  likelihood: [
    'raw',
    'averagingWindow',
    'historyWindow',
    'learningPeriod',
    'warmup',
    'minSpread',
    'bothTails',
    'spatialTolerance',
    'cooldown',
  ],
  threshold: ['above', 'below'],
  'rate-of-change': ['maxPerMinute', 'direction'],
  absence: ['afterSeconds'],
};

/** What an ensemble may combine, and what a likelihood may post-process (anomaly/detectors createRaw). */
const MEMBER_KINDS = ['robust-z', 'ewma', 'seasonal', 'context', 'shape', 'likelihood'];
const RAW_KINDS = ['robust-z', 'ewma', 'seasonal', 'context', 'shape'];

function optionIssues(spec: unknown, at: Segment[], member: 'member' | 'raw' | false): LocatedIssue[] {
  const kind = text(field(spec, 'kind'));
  if (!isRecord(spec) || kind === undefined || !(kind in DETECTOR_OPTIONS)) return []; // the schema reports it
  const issues: LocatedIssue[] = [];
  const kinds = member === 'raw' ? RAW_KINDS : MEMBER_KINDS;
  if (member && !kinds.includes(kind)) {
    issues.push({
      segments: [...at, 'kind'],
      message:
        member === 'raw'
          ? `a likelihood's raw detectors give raw scores, not '${kind}'`
          : `an ensemble's members are scoring detectors, not '${kind}'`,
      fix: `use one of ${kinds.join(', ')}${member === 'raw' ? '' : '; put rules under rules'}`,
    });
  }
  const allowed = DETECTOR_OPTIONS[kind] ?? [];
  for (const key of Object.keys(spec)) {
    if (key === 'kind' || allowed.includes(key)) continue;
    const owners = Object.entries(DETECTOR_OPTIONS)
      .filter(([, options]) => options.includes(key))
      .map(([k]) => k);
    if (owners.length === 0) continue; // no detector has it: the schema reports the unknown key
    issues.push({
      segments: [...at, key],
      message: `'${key}' is not an option of the ${kind} detector (it is an option of ${owners.join(', ')})`,
      fix: `remove it; ${kind} takes ${allowed.length ? allowed.join(', ') : 'no options'}`,
    });
  }
  list(spec.members).forEach((m, i) => issues.push(...optionIssues(m, [...at, 'members', i], 'member')));
  list(spec.raw).forEach((r, i) => issues.push(...optionIssues(r, [...at, 'raw', i], 'raw')));
  list(spec.rules).forEach((r, i) => issues.push(...optionIssues(r, [...at, 'rules', i], false)));
  return issues;
}

let metricShape: ValidateFunction | undefined;

/** Whether the metric entry passes its JSON Schema (else the schema's issues say it all). */
function wellShaped(metric: unknown): boolean {
  if (!metricShape) {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    ajv.addSchema(schema);
    metricShape = ajv.getSchema(`${schema.$id}#/definitions/anomalyMetric`)!;
  }
  return metricShape(metric) === true;
}

/** Builds the metric's detector as the service will; a refusal of anomaly/detectors becomes an issue. */
function buildIssue(metric: unknown, at: Segment[]): LocatedIssue[] {
  if (!wellShaped(metric)) return [];
  try {
    createDetector(
      withRules(field(metric, 'detector') as DetectorSpec | undefined, list(field(metric, 'rules')) as RuleSpec[]),
    );
    return [];
  } catch (error) {
    if (!isSluiceError(error))
      return [
        {
          segments: at,
          message: `the detector cannot be built: ${messageOf(error)}`,
          fix: 'see docs/guides/anomaly-detection.md',
        },
      ];
    const where = field(metric, 'detector') !== undefined ? [...at, 'detector'] : [...at, 'rules'];
    return [{ segments: where, message: error.message, fix: error.fix ?? 'see docs/guides/anomaly-detection.md' }];
  }
}

interface Principal {
  index: number;
  produces: Set<string>;
  consumes: Map<string, Set<string>>;
  acls: unknown[];
}

function principalNamed(principals: unknown[], name: string): Principal | undefined {
  const index = principals.findIndex((p) => field(p, 'name') === name);
  if (index < 0) return undefined;
  const p = principals[index];
  const consumes = new Map<string, Set<string>>();
  for (const c of list(field(p, 'consumes'))) {
    const group = text(field(c, 'group'));
    if (group === undefined) continue;
    const topics = consumes.get(group) ?? new Set<string>();
    for (const t of list(field(c, 'topics'))) if (typeof t === 'string') topics.add(t);
    consumes.set(group, topics);
  }
  return {
    index,
    produces: new Set(list(field(p, 'produces')).filter((t): t is string => typeof t === 'string')),
    consumes,
    acls: list(field(p, 'acls')),
  };
}

function transactionalIdAllowed(acls: unknown[], id: string): boolean {
  return acls.some((acl) => {
    const name = text(field(acl, 'name'));
    if (field(acl, 'resourceType') !== 'transactional-id' || name === undefined || field(acl, 'permission') === 'deny')
      return false;
    const matches = field(acl, 'patternType') === 'prefixed' ? id.startsWith(name) : name === id || name === '*';
    return matches && list(field(acl, 'operations')).some((op) => op === 'write' || op === 'all');
  });
}

function accessIssues(anomaly: Record<string, unknown>, watched: string[], principals: unknown[]): LocatedIssue[] {
  const name = text(anomaly.principal) ?? 'sluice-anomaly';
  const group = text(anomaly.group) ?? name;
  const alerts = text(anomaly.alertsTopic) ?? 'alerts';
  const state = text(anomaly.stateTopic) ?? 'anomaly.state';
  const restoreGroup = `${group}-restore`;
  const principal = principalNamed(principals, name);
  if (!principal) {
    return [
      {
        segments: ['anomaly', 'principal'],
        message: `the anomaly service's principal '${name}' is not declared under principals`,
        fix: `declare it: { name: ${name}, consumes: [{ group: ${group}, topics: [${watched.join(', ')}] }, { group: ${restoreGroup}, topics: [${state}] }], produces: [${alerts}, ${state}], acls: [{ resourceType: transactional-id, name: ${group}, operations: [write, describe] }] }`,
      },
    ];
  }
  const at = ['principals', principal.index];
  const issues: LocatedIssue[] = [];
  const consumed = principal.consumes.get(group) ?? new Set<string>();
  const unread = watched.filter((t) => !consumed.has(t));
  if (unread.length) {
    issues.push({
      segments: [...at, 'consumes'],
      message: `${name} does not consume ${unread.join(', ')} in group ${group}, which anomaly watches`,
      fix: `add them to the topics of its consumes entry { group: ${group}, topics: [...] }`,
    });
  }
  if (!(principal.consumes.get(restoreGroup)?.has(state) ?? false)) {
    issues.push({
      segments: [...at, 'consumes'],
      message: `${name} does not consume its state topic ${state} in group ${restoreGroup}: it could not restore its state at start`,
      fix: `add a consumes entry { group: ${restoreGroup}, topics: [${state}] }`,
    });
  }
  const unwritten = [alerts, state].filter((t) => !principal.produces.has(t));
  if (unwritten.length) {
    issues.push({
      segments: [...at, 'produces'],
      message: `${name} does not produce ${unwritten.join(' and ')}`,
      fix: `add ${unwritten.join(', ')} to its produces`,
    });
  }
  if (!transactionalIdAllowed(principal.acls, group)) {
    issues.push({
      segments: [...at, 'acls'],
      message: `${name} may not use the transactional id '${group}' it writes alerts, state and offsets with`,
      fix: `add an acls entry { resourceType: transactional-id, name: ${group}, operations: [write, describe] }`,
    });
  }
  return issues;
}

function topicIssues(anomaly: Record<string, unknown>, topics: unknown[]): LocatedIssue[] {
  const declared = new Map<string, unknown>();
  for (const t of topics) {
    const name = text(field(t, 'name'));
    if (name !== undefined && !declared.has(name)) declared.set(name, t);
  }
  const issues: LocatedIssue[] = [];
  const undeclared = (topic: string, segments: Segment[], what: string): void => {
    const suggestion = closest(topic, declared.keys());
    issues.push({
      segments,
      message: `${what} '${topic}' is not declared under topics`,
      fix: `${suggestion ? `did you mean '${suggestion}'? Otherwise ` : ''}declare it under topics`,
    });
  };
  const alerts = text(anomaly.alertsTopic) ?? 'alerts';
  const state = text(anomaly.stateTopic) ?? 'anomaly.state';
  const alertsTopic = declared.get(alerts);
  if (!alertsTopic) undeclared(alerts, ['anomaly', 'alertsTopic'], 'the alerts topic');
  else if (field(alertsTopic, 'valueSchema') === undefined) {
    issues.push({
      segments: ['anomaly', 'alertsTopic'],
      message: `the alerts topic '${alerts}' declares no valueSchema`,
      fix: `give it valueSchema: schemas/alert.avsc, so deploy-pipeline registers the alerts' schema`,
    });
  }
  const stateTopic = declared.get(state);
  if (!stateTopic) undeclared(state, ['anomaly', 'stateTopic'], 'the state topic');
  else if (
    !String(field(field(stateTopic, 'config'), 'cleanup.policy') ?? '')
      .split(',')
      .includes('compact')
  ) {
    issues.push({
      segments: ['anomaly', 'stateTopic'],
      message: `the state topic '${state}' is not compacted: it would lose the state of quiet series when old segments are deleted`,
      fix: `set config: { cleanup.policy: compact } on topic ${state}`,
    });
  }
  if (alerts === state)
    issues.push({
      segments: ['anomaly', 'stateTopic'],
      message: 'the state topic is the alerts topic',
      fix: 'give them different topics, e.g. alerts and anomaly.state',
    });

  const seen = new Map<string, string>();
  for (const section of ['series', 'patterns'] as const) {
    list(anomaly[section]).forEach((entry, i) => {
      const topic = text(field(entry, 'topic'));
      if (topic === undefined) return;
      const where = `anomaly.${section}[${i}]`;
      const first = seen.get(topic);
      if (first !== undefined) {
        issues.push({
          segments: ['anomaly', section, i, 'topic'],
          message: `topic '${topic}' is watched twice (first at ${first})`,
          fix: `merge the two entries into ${first}`,
        });
        return;
      }
      seen.set(topic, where);
      if (!declared.has(topic)) undeclared(topic, ['anomaly', section, i, 'topic'], 'topic');
      if (topic === alerts || topic === state)
        issues.push({
          segments: ['anomaly', section, i, 'topic'],
          message: `topic '${topic}' is the service's own ${topic === alerts ? 'alerts' : 'state'} topic`,
          fix: 'watch an agg.* or patterns.* topic',
        });
    });
  }
  return issues;
}

export function anomalyIssues(data: unknown): LocatedIssue[] {
  const anomaly = field(data, 'anomaly');
  if (!isRecord(anomaly)) return [];
  const series = list(anomaly.series);
  const patterns = list(anomaly.patterns);
  if (series.length === 0 && patterns.length === 0) return [];
  const issues: LocatedIssue[] = [...topicIssues(anomaly, list(field(data, 'topics')))];
  series.forEach((entry, i) => {
    const fields = new Map<string, number>();
    list(field(entry, 'metrics')).forEach((metric, j) => {
      const at: Segment[] = ['anomaly', 'series', i, 'metrics', j];
      const name = text(field(metric, 'field'));
      if (name !== undefined) {
        const first = fields.get(name);
        if (first !== undefined)
          issues.push({
            segments: [...at, 'field'],
            message: `metric '${name}' is listed twice (first at metrics[${first}])`,
            fix: 'merge their rules into one entry',
          });
        else fields.set(name, j);
        if (list(field(entry, 'key')).includes(name) || field(entry, 'time') === name) {
          issues.push({
            segments: [...at, 'field'],
            message: `'${name}' is the series' ${field(entry, 'time') === name ? 'time' : 'key'} field, not a metric`,
            fix: 'watch a numeric field of the record',
          });
        }
      }
      const detector = field(metric, 'detector');
      const shapes = [
        ...optionIssues(detector, [...at, 'detector'], false),
        ...list(field(metric, 'rules')).flatMap((r, k) => optionIssues(r, [...at, 'rules', k], false)),
      ];
      issues.push(...shapes);
      if (shapes.length === 0) issues.push(...buildIssue(metric, at));
    });
  });
  const watched = [...series, ...patterns]
    .map((e) => text(field(e, 'topic')))
    .filter((t): t is string => t !== undefined);
  issues.push(...accessIssues(anomaly, [...new Set(watched)], list(field(data, 'principals'))));
  return issues;
}
