/**
 * What the service watches, resolved once from the pipeline spec's `anomaly` section (already validated
 * by the loader): per topic, its key, time and metrics, each metric with the detector spec it is built
 * from (the spec's detector with its rules, anomaly/detectors `withRules`); and the service's bounds
 * (live series, idle time, transaction size), its grouping of storms and its Grafana links, each with
 * its default (docs/guides/alerting-and-dashboards.md#bounds).
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
  /** Fewest records a window must count (the series' countField) for this metric to be judged or learned; 1: no minimum. */
  minCount: number;
  /** Grafana link template of this metric's alerts (the metric's, else the series', else the section's). */
  link?: string;
}

export interface WatchedSeries {
  kind: 'series';
  topic: string;
  key: string[];
  time: string;
  resolveAfter: number;
  /** Field holding the number of records a window counts (e.g. `readings`): what a metric's minCount is checked against. */
  countField?: string;
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
  link?: string;
  path: string;
}

/** When many series of one source and metric go anomalous together, one incident says so (grouping.ts). */
export interface GroupingConfig {
  /** Series of one (source, metric) anomalous within windowMs of each other that make one group incident. */
  minSeries: number;
  /** How close (event time) their starts must be: one window of the watched topics. */
  windowMs: number;
  /** How long a new incident is held back (wall clock) to see whether it is part of a storm. */
  waitMs: number;
  /** Members a group incident names, worst first. */
  worst: number;
}

/** Defaults of the options the spec may leave out (documented in docs/guides/alerting-and-dashboards.md#bounds). */
export const SERVICE_DEFAULTS = {
  /** Live series (topic, metric, key) held in memory at most. */
  maxSeries: 10_000,
  /** A series without a point for this long (event time of its topic) is dropped: a whole day, a seasonal cycle. */
  idleSeconds: 86_400,
  /** Input records per Kafka transaction at most. */
  maxRecordsPerTransaction: 1000,
  /** Output (alerts and state, uncompressed) per Kafka transaction, about: the records are cut when it is reached. */
  maxBytesPerTransaction: 4_000_000,
  grouping: { minSeries: 3, windowSeconds: 60, waitSeconds: 2 },
} as const;

/**
 * The stated memory bound (docs/guides/alerting-and-dashboards.md#bounds): what Node, the Kafka clients
 * and a transaction in flight take (measured about 150 MB resident), and per live series what a warm
 * series of the demo's detectors holds at most (measured 67 KB of heap after 2,000 windows: robust-z
 * windows of 500, the seasonal buckets full, the calibration bins; a new, light series a few hundred bytes).
 */
export const MEMORY_BASE_BYTES = 200_000_000;
export const SERIES_MAX_BYTES = 80_000;

/** Resident memory the service stays under with `maxSeries` live series of the demo's detectors. */
export function statedMemoryBound(maxSeries: number): number {
  return MEMORY_BASE_BYTES + maxSeries * SERIES_MAX_BYTES;
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
  /** Live series held at most (the memory bound); the least recently used new ones go first. */
  maxSeries: number;
  /** A series without a point for this long (its topic's event time) is evicted. */
  idleMs: number;
  /** Input records per transaction at most. */
  maxRecordsPerTransaction: number;
  /** Output bytes (alerts and state, uncompressed) per transaction, about. */
  maxBytesPerTransaction: number;
  grouping: GroupingConfig;
  series: Map<string, WatchedSeries>;
  patterns: Map<string, WatchedPattern>;
}

/** A bound of the section: a number above 0 (the schema checks it too; this guards hand-made configs). */
function positive(path: string, value: number): number {
  if (!(typeof value === 'number' && value > 0))
    throw new SluiceError('SLUICE_CONFIG_INVALID', `anomaly.${path}: is ${String(value)}`, {
      path: `anomaly.${path}`,
      fix: 'use a number above 0, or leave it out for its default',
    });
  return value;
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
    const seriesLink = s.grafanaUrl ?? spec.grafanaUrl;
    const metrics = s.metrics.map((m, j): WatchedMetric => {
      // The schema cannot tie options to kinds: the loader checked them and built this detector already.
      const detector = withRules(m.detector as DetectorSpec | undefined, m.rules as RuleSpec[]);
      const minCount = m.minCount ?? 1;
      if (!(Number.isInteger(minCount) && minCount >= 1))
        throw new SluiceError('SLUICE_CONFIG_INVALID', `anomaly.series[${i}].metrics[${j}].minCount: is ${minCount}`, {
          path: `anomaly.series[${i}].metrics[${j}].minCount`,
          fix: 'use a whole number of at least 1 (records the window must count)',
        });
      if (minCount > 1 && !s.countField)
        throw new SluiceError(
          'SLUICE_CONFIG_INVALID',
          `anomaly.series[${i}].metrics[${j}].minCount: ${minCount} records, but the series names no countField to count them`,
          {
            path: `anomaly.series[${i}].countField`,
            fix: 'name the field holding the number of records of a window, e.g. countField: readings',
          },
        );
      const link = m.grafanaUrl ?? seriesLink;
      return {
        field: m.field,
        detector,
        severity: m.severity ?? s.severity,
        absence: hasAbsence(detector),
        minCount,
        ...(link !== undefined ? { link } : {}),
      };
    });
    series.set(s.topic, {
      kind: 'series',
      topic: s.topic,
      key: [...s.key],
      time: s.time,
      resolveAfter: s.resolveAfter,
      ...(s.countField !== undefined ? { countField: s.countField } : {}),
      path: `anomaly.series[${i}]`,
      metrics,
    });
  });
  const patterns = new Map<string, WatchedPattern>();
  spec.patterns.forEach((p, i) => {
    const link = p.grafanaUrl ?? spec.grafanaUrl;
    patterns.set(p.topic, {
      kind: 'pattern',
      topic: p.topic,
      key: [...p.key],
      time: p.time,
      severity: p.severity,
      resolveAfterMs: p.resolveAfterSeconds * 1000,
      ...(p.summary !== undefined ? { summary: p.summary } : {}),
      ...(link !== undefined ? { link } : {}),
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
    maxSeries: positive('maxSeries', spec.maxSeries ?? SERVICE_DEFAULTS.maxSeries),
    idleMs: positive('idleSeconds', spec.idleSeconds ?? SERVICE_DEFAULTS.idleSeconds) * 1000,
    maxRecordsPerTransaction: positive(
      'transactions.maxRecords',
      spec.transactions?.maxRecords ?? SERVICE_DEFAULTS.maxRecordsPerTransaction,
    ),
    maxBytesPerTransaction: positive(
      'transactions.maxBytes',
      spec.transactions?.maxBytes ?? SERVICE_DEFAULTS.maxBytesPerTransaction,
    ),
    grouping: {
      minSeries: positive('grouping.minSeries', spec.grouping?.minSeries ?? SERVICE_DEFAULTS.grouping.minSeries),
      windowMs:
        positive('grouping.windowSeconds', spec.grouping?.windowSeconds ?? SERVICE_DEFAULTS.grouping.windowSeconds) *
        1000,
      waitMs: (spec.grouping?.waitSeconds ?? SERVICE_DEFAULTS.grouping.waitSeconds) * 1000,
      worst: 5,
    },
    series,
    patterns,
  };
}

/** Every topic the service consumes (not the state topic, which it reads back only at start). */
export function watchedTopics(config: ServiceConfig): string[] {
  return [...config.series.keys(), ...config.patterns.keys()];
}
