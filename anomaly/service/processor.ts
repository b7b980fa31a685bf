/**
 * The service's core, without Kafka: decoded records in, incident events and state records out. One
 * series per (topic, metric, key); one IncidentBook; one Grouper. The service runs every record, tick
 * and restore through here, then writes what `drain()` returns (alerts and state) in one Kafka
 * transaction with the input offsets.
 *
 * Bounded (docs/guides/alerting-and-dashboards.md#bounds):
 * - At most `maxSeries` live series, in a SeriesStore (segmented LRU). A new series is light: only the
 *   metric's point rules (threshold, rate of change) judge it, and its points are kept (at most two).
 *   At its third learned point it is promoted: its detector is built, learns the kept points, and from
 *   then on is snapshotted to the state topic. A burst of one-off keys therefore costs a few hundred
 *   bytes a key and no state writes, and churns through probation without evicting established series.
 * - A series whose topic's event clock has moved `idleMs` past its last record is evicted; an evicted
 *   series' snapshot is tombstoned, and its metric leaves its key's incident (which resolves, saying why,
 *   when none is left).
 * - Restore applies the same limit: the state topic is read record by record (`restoreRecord`), the
 *   most recent series kept, the rest tombstoned.
 *
 * A window whose count field (series `countField`) is below a metric's `minCount` is missing for that
 * metric: neither judged nor learned (a standard deviation of one reading is 0, not a stuck sensor). A
 * point not later than its series' last learned one (out of order, repeated) is scored, not learned,
 * and counted.
 *
 * State records (the compacted state topic), keyed by a JSON array:
 *   ["detector", topic, metric, key] → { v: 1, keyFields, lastTs, seenTs, points, snapshot }   (promoted series)
 *   ["incident", topic, key]         → the open anomaly incident of a key, or a tombstone
 *   ["pattern", topic, key]          → { open: [incidents], seen: [match times] } of a pattern key
 *   ["group", topic, id]             → an open group incident (grouping.ts), or a tombstone
 */
import {
  createDetector,
  type Detector,
  type DetectorSnapshot,
  type Json,
  type Observation,
  type Point,
  type RuleSpec,
} from '../detectors';
import { messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { ServiceConfig, WatchedMetric, WatchedPattern, WatchedSeries } from './config';
import { Grouper } from './grouping';
import {
  IncidentBook,
  keyString,
  type AbsentMetric,
  type Incident,
  type IncidentEvent,
  type MetricPoint,
} from './incidents';

export const STATE_VERSION = 1;

export interface StateRecord {
  /** JSON array, as written to Kafka. */
  key: string;
  /** JSON, or null for a tombstone. */
  value: string | null;
}

export interface Drained {
  events: IncidentEvent[];
  state: StateRecord[];
}

import { SeriesStore } from './series-store';

/** Learned points at which a new (light) series is promoted: its detector is built and learns them. */
export const PROMOTE_AT = 3;
/** What a state write of a series not written yet is taken to cost, for the transaction budget. */
const NEW_SNAPSHOT_BYTES = 2500;
/** What an alert and its incident's state record are taken to cost. */
const EVENT_BYTES = 3000;
/** Restore keeps this many series beyond the limit before trimming back to it. */
const RESTORE_SLACK = 1000;

interface Series {
  id: string;
  topic: string;
  metric: WatchedMetric;
  key: string;
  keyFields: Record<string, string>;
  /** Promoted: the metric's detector (statistical part and rules). */
  detector?: Detector;
  /** Light: the metric's point rules (no absence: a series still in probation is not missed). */
  rules?: Detector[];
  /** Light: its learned points so far, replayed into the detector when it is promoted. */
  kept?: Point[];
  /** Event time of the last point learned (a number, later than the one before), or -Infinity. */
  lastTs: number;
  /** Event time of the newest record of the series (with a value or not): what idleness is measured from. */
  seenTs: number;
  /** Points learned. */
  points: number;
  /** Its snapshot is in the state topic (a tombstone is due when it is evicted). */
  persisted: boolean;
  /** Size of its last snapshot: what its next write is taken to cost. */
  bytes: number;
}

/** What the processor counts for the service's metrics. */
export interface ProcessorCounters {
  /** A point not later than its series' last learned point: scored, not learned. */
  outOfOrder(topic: string): void;
  /** A metric's value of a window counting fewer records than its minCount: treated as missing. */
  belowMinCount(topic: string, metric: string): void;
  /**
   * Series evicted: idle, or to make room under the series limit; `established` counts promoted ones
   * (a limit that evicts those is too small for the series that really report).
   */
  evicted(reason: 'idle' | 'limit', count: number, established: number): void;
}

const NO_COUNTERS: ProcessorCounters = {
  outOfOrder: () => undefined,
  belowMinCount: () => undefined,
  evicted: () => undefined,
};

/** Why a record was not used, for the records counter. */
export type SkipReason = 'not-watched' | 'no-key' | 'no-time';

export interface RestoreSummary {
  detectors: number;
  incidents: number;
  /** Series not restored: beyond the series limit (the least recent), or idle. */
  evicted: number;
  /** Snapshots that did not fit their detector any more (a changed spec): those series start afresh. */
  restarted: number;
  /** State of topics or metrics the spec no longer watches: removed (and their incidents resolved). */
  dropped: number;
}

export function stateKey(parts: string[]): string {
  return JSON.stringify(parts);
}

/** Field values of a record as plain JSON (avsc gives numbers, strings, null, arrays, objects). */
function plain(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
  return String(value);
}

function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** The rules of a metric's detector that judge single points (threshold, rate of change). */
function pointRules(spec: WatchedMetric['detector']): RuleSpec[] {
  const rules: RuleSpec[] =
    spec.kind === 'ensemble'
      ? [...(spec.rules ?? [])]
      : spec.kind === 'threshold' || spec.kind === 'rate-of-change' || spec.kind === 'absence'
        ? [spec]
        : [];
  return rules.filter((r) => r.kind !== 'absence');
}

/** Rules' verdicts as one observation: any broken rule flags, the band is the narrowest. */
function ruleObservation(verdicts: Observation[]): Observation {
  let low = -Infinity;
  let high = Infinity;
  const reasons: string[] = [];
  for (const v of verdicts) {
    low = Math.max(low, v.expected.low);
    high = Math.min(high, v.expected.high);
    if (v.anomalous) reasons.push(...v.reasons);
  }
  const anomalous = reasons.length > 0;
  return { score: anomalous ? 1 : 0, expected: { low, high }, anomalous, warm: false, reasons };
}

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number.NaN;
}

function formatValue(field: string, value: Json): string {
  if (typeof value === 'number') {
    if (field.endsWith('_ts') && value > 1e11) return new Date(value).toISOString();
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }
  return value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The pattern's text: `{field}` replaced by the record's values; by default the topic, key and fields. */
export function patternSummary(
  pattern: Pick<WatchedPattern, 'topic' | 'key' | 'summary'>,
  key: string,
  match: { [key: string]: Json },
): string {
  if (pattern.summary)
    return pattern.summary.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (all, name: string) =>
      name in match ? formatValue(name, match[name] ?? null) : all,
    );
  const fields = Object.entries(match)
    .filter(([k]) => !pattern.key.includes(k))
    .map(([k, v]) => `${k}=${formatValue(k, v)}`);
  return `${pattern.topic.replace(/^patterns\./, '')} on ${key}: ${fields.join(', ')}`;
}

export class Processor {
  readonly book = new IncidentBook();
  readonly grouper: Grouper;
  private readonly store: SeriesStore<Series>;
  private readonly dirtySeries = new Set<string>();
  private readonly pending: IncidentEvent[] = [];
  private readonly pendingState: StateRecord[] = [];
  /** Per topic: the newest event time seen and the wall clock when it was seen (the absence clock). */
  private readonly eventClock = new Map<string, { eventTs: number; wallTs: number }>();
  private readonly counters: ProcessorCounters;
  /** What the next drain is expected to write (bytes, uncompressed): the transaction budget. */
  private estimate = 0;
  private lastNow = 0;
  /** Live series with a detector (promoted, or restored). */
  private promoted = 0;
  /** Restore in progress: series read so far (trimmed to the limit now and then), and keys to tombstone. */
  private restoring:
    { series: Map<string, Series>; trimmed: Set<string>; summary: RestoreSummary; now: number } | undefined;

  constructor(
    readonly config: ServiceConfig,
    private readonly log: Logger,
    counters?: ProcessorCounters,
  ) {
    this.counters = counters ?? NO_COUNTERS;
    this.store = new SeriesStore<Series>(config.maxSeries);
    this.grouper = new Grouper(config.grouping, (incident) => this.book.touchIncident(incident));
  }

  /** Live series, light and promoted. */
  get seriesCount(): number {
    return this.store.size;
  }

  /** Series promoted (with a detector and a snapshot in the state topic). */
  get promotedCount(): number {
    return this.promoted;
  }

  /** Bytes (uncompressed) the next drain is expected to write: alerts, incidents and snapshots. */
  get pendingBytes(): number {
    return this.estimate;
  }

  private seriesId(topic: string, metric: string, key: string): string {
    return stateKey(['detector', topic, metric, key]);
  }

  private newSeries(
    id: string,
    topic: string,
    metric: WatchedMetric,
    key: string,
    keyFields: Record<string, string>,
  ): Series {
    return {
      id,
      topic,
      metric,
      key,
      keyFields,
      rules: pointRules(metric.detector).map((r) => createDetector(r)),
      kept: [],
      lastTs: -Infinity,
      seenTs: -Infinity,
      points: 0,
      persisted: false,
      bytes: NEW_SNAPSHOT_BYTES,
    };
  }

  private markDirty(series: Series): void {
    if (this.dirtySeries.has(series.id)) return;
    this.dirtySeries.add(series.id);
    this.estimate += series.bytes + series.id.length;
  }

  private queueEvents(events: IncidentEvent[]): void {
    if (events.length === 0) return;
    this.pending.push(...events);
    this.estimate += EVENT_BYTES * events.length;
  }

  private advanceClock(topic: string, eventTs: number, now: number): void {
    const clock = this.eventClock.get(topic);
    if (!clock || eventTs > clock.eventTs) this.eventClock.set(topic, { eventTs, wallTs: now });
  }

  /**
   * Event time now, for the absence rules and idleness of a topic: its newest record's time plus the
   * wall time since it came, never beyond the wall clock. While a backlog is replayed the clock follows
   * the records (no false silences); when nothing comes at all it runs on with the wall clock.
   */
  absenceClock(topic: string, now: number): number | undefined {
    const clock = this.eventClock.get(topic);
    return clock ? Math.min(now, clock.eventTs + (now - clock.wallTs)) : undefined;
  }

  /** A series leaves memory: its snapshot is tombstoned, its metric leaves its key's incident. */
  private evict(series: Series, reason: 'idle' | 'limit', at: number): void {
    this.store.delete(series.id);
    if (series.detector) this.promoted--;
    this.dirtySeries.delete(series.id);
    if (series.persisted) {
      this.pendingState.push({ key: series.id, value: null });
      this.estimate += series.id.length;
    }
    const why =
      reason === 'idle'
        ? `no longer tracked: no data for ${Math.round(this.config.idleMs / 1000)} s (anomaly.idleSeconds)`
        : `no longer tracked: the service holds at most ${this.config.maxSeries} series (anomaly.maxSeries) and this one was the least recently used`;
    this.queueEvents(this.book.dropMetric(series.topic, series.key, series.metric.field, at, why));
  }

  // --- restore -------------------------------------------------------------------------------------

  /** Takes back the state topic's records (in topic order: the last value per key wins); returns what was found. */
  restore(records: Iterable<StateRecord>, now: number): RestoreSummary {
    this.beginRestore(now);
    for (const record of records) this.restoreRecord(record);
    return this.endRestore(now);
  }

  beginRestore(now: number): void {
    this.restoring = {
      series: new Map(),
      trimmed: new Set(),
      summary: { detectors: 0, incidents: 0, evicted: 0, restarted: 0, dropped: 0 },
      now,
    };
  }

  /** One record of the state topic, in topic order; memory stays within the series limit (plus a slack). */
  restoreRecord(record: StateRecord): void {
    const r = this.restoring;
    if (!r) throw new Error('restoreRecord outside beginRestore/endRestore');
    const drop = (key: string): void => {
      r.summary.dropped++;
      this.pendingState.push({ key, value: null });
    };
    let parts: unknown;
    try {
      parts = JSON.parse(record.key);
    } catch (error) {
      this.log.warn(`state record key is not JSON, dropped: ${messageOf(error)}`, { key: record.key });
      drop(record.key);
      return;
    }
    if (!Array.isArray(parts) || parts.some((p) => typeof p !== 'string')) {
      drop(record.key);
      return;
    }
    const [kind, topic, ...rest] = parts as string[];
    if (record.value === null) {
      // A tombstone: whatever came before for this key is gone.
      if (kind === 'detector') {
        r.series.delete(record.key);
        r.trimmed.delete(record.key);
      } else if ((kind === 'incident' || kind === 'pattern') && rest.length === 1)
        this.book.unload(kind, topic!, rest[0]!);
      else if (kind === 'group' && rest.length === 1) this.grouper.unload(rest[0]!);
      return;
    }
    let value: { [key: string]: Json };
    try {
      value = JSON.parse(record.value) as { [key: string]: Json };
    } catch (error) {
      this.log.warn(`state record is not JSON, dropped: ${messageOf(error)}`, { key: record.key });
      drop(record.key);
      return;
    }
    if (kind === 'detector' && rest.length === 2) {
      const [metricName, key] = rest as [string, string];
      const metric = this.config.series.get(topic!)?.metrics.find((m) => m.field === metricName);
      if (!metric) {
        drop(record.key);
        return;
      }
      const series = this.newSeries(record.key, topic!, metric, key, (value.keyFields ?? {}) as Record<string, string>);
      const detector = createDetector(metric.detector);
      series.detector = detector;
      delete series.rules;
      delete series.kept;
      series.persisted = true;
      series.bytes = record.value.length;
      try {
        detector.restore(value.snapshot as unknown as DetectorSnapshot);
        series.lastTs = typeof value.lastTs === 'number' ? value.lastTs : -Infinity;
        series.points = typeof value.points === 'number' ? value.points : PROMOTE_AT;
      } catch (error) {
        r.summary.restarted++;
        this.log.debug(`series starts afresh: ${messageOf(error)}`, {
          resource: `series/${topic}/${metricName}/${key}`,
        });
        series.detector = createDetector(metric.detector);
        series.points = 0;
        this.dirtySeries.add(record.key);
      }
      series.seenTs = typeof value.seenTs === 'number' ? value.seenTs : series.lastTs;
      r.series.delete(record.key);
      r.series.set(record.key, series);
      r.trimmed.delete(record.key);
      if (r.series.size > this.config.maxSeries + RESTORE_SLACK) this.trimRestoring(r, this.config.maxSeries);
    } else if ((kind === 'incident' || kind === 'pattern') && rest.length === 1) {
      const shaped =
        kind === 'incident'
          ? typeof value.id === 'string' && Array.isArray(value.evidence)
          : Array.isArray(value.open) && Array.isArray(value.seen);
      if (!shaped) {
        this.log.warn('state record of an unknown shape, dropped', { key: record.key });
        drop(record.key);
        return;
      }
      this.book.load(kind, topic!, rest[0]!, value);
    } else if (kind === 'group' && rest.length === 1) {
      if (typeof value.id !== 'string' || typeof value.members !== 'object' || value.members === null) {
        drop(record.key);
        return;
      }
      this.grouper.load(value as unknown as Incident);
    } else {
      drop(record.key);
    }
  }

  /** Keeps the `max` series of latest records; the others are to be tombstoned. */
  private trimRestoring(r: NonNullable<Processor['restoring']>, max: number): void {
    if (r.series.size <= max) return;
    const bySeen = [...r.series.values()].sort((a, b) => a.seenTs - b.seenTs);
    for (const s of bySeen.slice(0, r.series.size - max)) {
      r.series.delete(s.id);
      r.trimmed.add(s.id);
    }
  }

  endRestore(now: number): RestoreSummary {
    const r = this.restoring;
    if (!r) throw new Error('endRestore without beginRestore');
    this.restoring = undefined;
    this.trimRestoring(r, this.config.maxSeries);
    // The event clock of each topic from what was restored, then idle series out.
    for (const s of r.series.values()) if (Number.isFinite(s.seenTs)) this.advanceClock(s.topic, s.seenTs, now);
    for (const s of [...r.series.values()]) {
      const clock = this.absenceClock(s.topic, now);
      if (clock !== undefined && clock - s.seenTs > this.config.idleMs) {
        r.series.delete(s.id);
        r.trimmed.add(s.id);
      }
    }
    // Least recent first, so that the store's order is right; the most recent end up protected.
    const ordered = [...r.series.values()].sort((a, b) => a.seenTs - b.seenTs);
    this.store.clear();
    this.promoted = ordered.length;
    for (const s of ordered) {
      this.store.add(s.id, s);
      this.store.protect(s.id);
    }
    for (const id of r.trimmed) this.pendingState.push({ key: id, value: null });
    r.summary.detectors = ordered.length;
    r.summary.evicted = r.trimmed.size;
    if (r.trimmed.size > 0) this.counters.evicted('limit', r.trimmed.size, r.trimmed.size);
    // Incidents of topics or metrics no longer watched would never resolve: resolve them now.
    const watched = (i: Incident): boolean =>
      i.kind === 'anomaly' ? this.config.series.has(i.source) : this.config.patterns.has(i.source);
    const watchedMetric = (source: string, metric: string): boolean =>
      this.config.series.get(source)?.metrics.some((m) => m.field === metric) ?? false;
    const orphans = this.book.open().filter((i) => !watched(i)).length;
    r.summary.dropped += orphans;
    this.pending.push(
      ...this.book.resolveWhere((i) => !watched(i), now),
      ...this.book.pruneMetrics(watchedMetric, now),
      ...this.grouper.resolveWhere((g) => !watched(g), now),
    );
    const open = this.book.open();
    r.summary.incidents = open.length + this.grouper.openGroups().length;
    // Group membership and held incidents from the members' own records.
    this.pending.push(...this.grouper.reconcile(open, now));
    return r.summary;
  }

  // --- records -------------------------------------------------------------------------------------

  /** One decoded record of a watched topic. */
  handle(topic: string, record: Record<string, unknown>, now: number): SkipReason | undefined {
    this.lastNow = now;
    const series = this.config.series.get(topic);
    if (series) return this.handleSeries(series, record, now);
    const pattern = this.config.patterns.get(topic);
    if (pattern) return this.handlePattern(pattern, record, now);
    return 'not-watched';
  }

  private keyOf(
    fields: string[],
    record: Record<string, unknown>,
  ): { key: string; keyFields: Record<string, string> } | undefined {
    const keyFields: Record<string, string> = {};
    for (const f of fields) {
      const v = record[f];
      if (v === null || v === undefined) return undefined;
      keyFields[f] = typeof v === 'string' ? v : String(plain(v));
    }
    return { key: keyString(fields.map((f) => keyFields[f]!)), keyFields };
  }

  /** The series of a (topic, metric, key), made (light) if new: making room may evict others. */
  private seriesFor(
    watched: WatchedSeries,
    metric: WatchedMetric,
    key: string,
    keyFields: Record<string, string>,
    ts: number,
  ): Series {
    const id = this.seriesId(watched.topic, metric.field, key);
    const known = this.store.get(id);
    if (known) {
      this.store.touch(id);
      return known;
    }
    const series = this.newSeries(id, watched.topic, metric, key, keyFields);
    const evicted = this.store.add(id, series);
    if (evicted.length > 0) {
      for (const [, victim] of evicted) this.evict(victim, 'limit', this.eventClock.get(victim.topic)?.eventTs ?? ts);
      this.counters.evicted('limit', evicted.length, evicted.filter(([, v]) => v.detector).length);
    }
    return series;
  }

  /** Scores a point; learns it when fresh; promotes a light series at its PROMOTE_AT-th learned point. */
  private observe(series: Series, point: Point, fresh: boolean): Observation {
    if (series.detector) return series.detector.observe(point);
    if (fresh && series.points + 1 >= PROMOTE_AT) {
      const detector = createDetector(series.metric.detector);
      for (const p of series.kept ?? []) detector.observe(p);
      series.detector = detector;
      delete series.rules;
      delete series.kept;
      this.store.protect(series.id);
      this.promoted++;
      return detector.observe(point);
    }
    const observation = ruleObservation((series.rules ?? []).map((r) => r.observe(point)));
    if (fresh) series.kept?.push(point);
    return observation;
  }

  private handleSeries(watched: WatchedSeries, record: Record<string, unknown>, now: number): SkipReason | undefined {
    const key = this.keyOf(watched.key, record);
    if (!key) return 'no-key';
    const ts = timeOf(record[watched.time]);
    if (ts === undefined) return 'no-time';
    this.advanceClock(watched.topic, ts, now);
    const count = watched.countField === undefined ? undefined : numberOf(record[watched.countField]);
    const points: MetricPoint[] = watched.metrics.map((metric) => {
      const series = this.seriesFor(watched, metric, key.key, key.keyFields, ts);
      const raw = numberOf(record[metric.field]);
      const supported = metric.minCount <= 1 || (count !== undefined && count >= metric.minCount);
      if (!supported && Number.isFinite(raw)) this.counters.belowMinCount(watched.topic, metric.field);
      const value = supported ? raw : Number.NaN;
      if (ts <= series.lastTs) this.counters.outOfOrder(watched.topic);
      const fresh = Number.isFinite(value) && ts > series.lastTs;
      const observation = this.observe(series, { timestamp: ts, value }, fresh);
      series.seenTs = Math.max(series.seenTs, ts);
      if (fresh) {
        series.lastTs = ts;
        series.points++;
        if (series.detector) this.markDirty(series);
      }
      return { metric: metric.field, severity: metric.severity, value, observation, fresh };
    });
    this.queueEvents(this.book.onPoints(watched.topic, key.key, key.keyFields, ts, points, watched.resolveAfter, now));
    return undefined;
  }

  private handlePattern(watched: WatchedPattern, record: Record<string, unknown>, now: number): SkipReason | undefined {
    const key = this.keyOf(watched.key, record);
    if (!key) return 'no-key';
    const ts = timeOf(record[watched.time]);
    if (ts === undefined) return 'no-time';
    this.advanceClock(watched.topic, ts, now);
    const match = plain(record) as { [key: string]: Json };
    const name = watched.topic.replace(/^patterns\./, '');
    this.queueEvents(
      this.book.onMatch(
        watched.topic,
        key.key,
        key.keyFields,
        ts,
        match,
        {
          name,
          severity: watched.severity,
          summary: patternSummary(watched, key.key, match),
          resolveAfterMs: watched.resolveAfterMs,
        },
        now,
      ),
    );
    this.estimate += 200; // the pattern key's state record
    return undefined;
  }

  // --- timer ---------------------------------------------------------------------------------------

  /** Absence checks (on the event-time clock of each topic), idle eviction, and pattern expiry (wall clock). */
  tick(now: number): void {
    this.lastNow = now;
    const silent = new Map<string, { series: Series; absent: AbsentMetric[]; at: number }>();
    const idle: Array<{ series: Series; at: number }> = [];
    for (const [, series] of this.store.entries()) {
      const at = this.absenceClock(series.topic, now);
      if (at === undefined) continue;
      if (at - series.seenTs > this.config.idleMs) {
        idle.push({ series, at });
        continue;
      }
      if (!series.metric.absence || !series.detector) continue;
      const observation = series.detector.tick(at);
      if (!observation) continue;
      this.markDirty(series);
      if (!observation.anomalous) continue;
      const group = JSON.stringify([series.topic, series.key]);
      const entry = silent.get(group) ?? { series, absent: [], at };
      entry.absent.push({ metric: series.metric.field, severity: series.metric.severity, observation });
      silent.set(group, entry);
    }
    for (const { series, absent, at } of silent.values()) {
      this.queueEvents(this.book.onAbsence(series.topic, series.key, series.keyFields, at, absent, now));
    }
    for (const { series, at } of idle) this.evict(series, 'idle', at);
    if (idle.length > 0)
      this.counters.evicted('idle', idle.length, idle.filter(({ series }) => series.detector).length);
    // Incidents whose key has no series any more (not restored, or evicted with others) and nothing new for the idle time.
    this.queueEvents(
      this.book.resolveStale(
        (incident) => {
          if (incident.kind !== 'anomaly') return undefined;
          const watched = this.config.series.get(incident.source);
          if (watched?.metrics.some((m) => this.store.has(this.seriesId(incident.source, m.field, incident.key))))
            return undefined;
          const at = this.absenceClock(incident.source, now);
          const last = incident.evidence.reduce((a, e) => Math.max(a, e.ts), incident.startedAt);
          return at !== undefined && at - last > this.config.idleMs ? at : undefined;
        },
        () => `no longer tracked: no data for ${Math.round(this.config.idleMs / 1000)} s (anomaly.idleSeconds)`,
      ),
    );
    const pruned = this.book.prunePatterns((source) => {
      const at = this.absenceClock(source, now);
      return at === undefined ? undefined : at - this.config.idleMs;
    }, this.config.maxSeries);
    this.estimate += pruned * 100;
    this.queueEvents(this.book.expire(now));
  }

  // --- output --------------------------------------------------------------------------------------

  /**
   * What happened since the last drain: the alert events (held incidents whose wait is over grouped or
   * alone; all of them with `flush`), and the state records to write (one per key).
   */
  drain(now = this.lastNow, flush = false): Drained {
    const events = this.grouper.accept(this.pending.splice(0), now);
    events.push(...this.grouper.release(now, flush));
    const state = new Map<string, string | null>();
    for (const record of this.pendingState.splice(0)) state.set(record.key, record.value);
    for (const id of this.dirtySeries) {
      const series = this.store.get(id);
      if (!series?.detector) continue;
      const value = JSON.stringify({
        v: STATE_VERSION,
        keyFields: series.keyFields,
        lastTs: Number.isFinite(series.lastTs) ? series.lastTs : null,
        seenTs: Number.isFinite(series.seenTs) ? series.seenTs : null,
        points: series.points,
        snapshot: series.detector.snapshot(),
      });
      series.persisted = true;
      series.bytes = value.length;
      state.set(id, value);
    }
    this.dirtySeries.clear();
    for (const change of this.book.takeDirty()) {
      state.set(
        stateKey([change.kind, change.source, change.key]),
        change.value === null ? null : JSON.stringify(change.value),
      );
    }
    for (const change of this.grouper.takeDirty()) {
      state.set(
        stateKey(['group', change.source, change.id]),
        change.value === null ? null : JSON.stringify(change.value),
      );
    }
    this.estimate = 0;
    return { events, state: [...state].map(([key, value]) => ({ key, value })) };
  }

  /** Event time of the newest record of a topic processed so far. */
  newestEventTs(topic: string): number | undefined {
    return this.eventClock.get(topic)?.eventTs;
  }

  /** When held incidents are next due for release (wall clock), or undefined when none are held. */
  nextRelease(): number | undefined {
    return this.grouper.nextRelease();
  }

  /** Open incidents as alerted: key incidents alerted alone, and group incidents (not the held ones, nor members). */
  openIncidents(): Incident[] {
    return [
      ...this.book.open().filter((i) => i.alert === undefined || i.alert === 'alone'),
      ...this.grouper.openGroups(),
    ];
  }

  /** Every open incident: held ones and members of groups included. */
  allOpenIncidents(): Incident[] {
    return [...this.book.open(), ...this.grouper.openGroups()];
  }
}
