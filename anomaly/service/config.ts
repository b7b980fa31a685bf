/**
 * What the service watches, resolved once from the pipeline spec's `anomaly` section (already validated
 * by the loader): per topic, its key, time and metrics, each metric with the detector spec it is built
 * from (the spec's detector with its rules, anomaly/detectors `withRules`).
 */
import type { AnomalySpec } from '../../lib/spec';
import { withRules, type DetectorSpec, type RuleSpec } from '../detectors';
import { SluiceError } from '../../lib/errors';

export interface WatchedMetric {
  field: string;
  detector: DetectorSpec;
  severity: string;
  /** The detector holds an absence rule, so the service ticks it. */
  absence: boolean;
}

export interface WatchedSeries {
  kind: 'series';
  topic: string;
  key: string[];
  time: string;
  resolveAfter: number;
  metrics: WatchedMetric[];
  /** Where it is declared in the spec, for messages: `anomaly.series[0]`. */
  path: string;
}

export interface WatchedPattern {
  kind: 'pattern';
  topic: string;
  key: string[];
  time: string;
  severity: string;
  resolveAfterMs: number;
  summary?: string;
  path: string;
}

export interface ServiceConfig {
  principal: string;
  group: string;
  /** The transactional id of the service's producer: one active instance per group (a second fences the first). */
  transactionalId: string;
  /** Group the state topic is read back with at start (never commits). */
  restoreGroup: string;
  alertsTopic: string;
  stateTopic: string;
  startFrom: 'latest' | 'earliest';
  resendMs: number;
  tickMs: number;
  series: Map<string, WatchedSeries>;
  patterns: Map<string, WatchedPattern>;
}

function hasAbsence(spec: DetectorSpec): boolean {
  if (spec.kind === 'absence') return true;
  return spec.kind === 'ensemble' && (spec.rules ?? []).some((r) => r.kind === 'absence');
}

export function serviceConfig(spec: AnomalySpec): ServiceConfig {
  if (spec.series.length === 0 && spec.patterns.length === 0) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', 'the pipeline spec gives the anomaly service nothing to watch', {
      path: 'anomaly',
      fix: 'list topics under anomaly.series (windows and their metrics) or anomaly.patterns (docs/spec-reference.md#anomaly)',
    });
  }
  const series = new Map<string, WatchedSeries>();
  spec.series.forEach((s, i) => {
    series.set(s.topic, {
      kind: 'series',
      topic: s.topic,
      key: [...s.key],
      time: s.time,
      resolveAfter: s.resolveAfter,
      path: `anomaly.series[${i}]`,
      metrics: s.metrics.map((m) => {
        // The schema cannot tie options to kinds: the loader checked them and built this detector already.
        const detector = withRules(m.detector as DetectorSpec | undefined, m.rules as RuleSpec[]);
        return { field: m.field, detector, severity: m.severity ?? s.severity, absence: hasAbsence(detector) };
      }),
    });
  });
  const patterns = new Map<string, WatchedPattern>();
  spec.patterns.forEach((p, i) => {
    patterns.set(p.topic, {
      kind: 'pattern',
      topic: p.topic,
      key: [...p.key],
      time: p.time,
      severity: p.severity,
      resolveAfterMs: p.resolveAfterSeconds * 1000,
      ...(p.summary !== undefined ? { summary: p.summary } : {}),
      path: `anomaly.patterns[${i}]`,
    });
  });
  return {
    principal: spec.principal,
    group: spec.group,
    transactionalId: spec.group,
    restoreGroup: `${spec.group}-restore`,
    alertsTopic: spec.alertsTopic,
    stateTopic: spec.stateTopic,
    startFrom: spec.startFrom,
    resendMs: spec.resendSeconds * 1000,
    tickMs: spec.tickSeconds * 1000,
    series,
    patterns,
  };
}

/** Every topic the service consumes (not the state topic, which it reads back only at start). */
export function watchedTopics(config: ServiceConfig): string[] {
  return [...config.series.keys(), ...config.patterns.keys()];
}
