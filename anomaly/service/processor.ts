/**
 * The service's core, without Kafka: decoded records in, incident events and state records out. One
 * detector per (topic, metric, key) series, built from the spec and restored from its snapshot; one
 * IncidentBook. The service runs every record, tick and restore through here, then writes what
 * `drain()` returns (alerts and state) in one Kafka transaction with the input offsets.
 *
 * State records (the compacted state topic), keyed by a JSON array:
 *   ["detector", topic, metric, key] → { v: 1, keyFields, lastTs, snapshot }   (one per series)
 *   ["incident", topic, key]         → the open anomaly incident of a key, or a tombstone
 *   ["pattern", topic, key]          → { open: [incidents], seen: [match times] } of a pattern key
 */
import { createDetector, type Detector, type DetectorSnapshot, type Json } from '../detectors';
import { messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { ServiceConfig, WatchedMetric, WatchedPattern, WatchedSeries } from './config';
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

interface Series {
  topic: string;
  metric: WatchedMetric;
  key: string;
  keyFields: Record<string, string>;
  detector: Detector;
  /** Event time of the last point with a value, or -Infinity. */
  lastTs: number;
}

/** Why a record was not used, for the records counter. */
export type SkipReason = 'not-watched' | 'no-key' | 'no-time';

export interface RestoreSummary {
  detectors: number;
  incidents: number;
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
  private readonly series = new Map<string, Series>();
  private readonly dirtySeries = new Set<string>();
  private readonly pending: IncidentEvent[] = [];
  private readonly pendingState: StateRecord[] = [];
  /** Per topic: the newest event time seen and the wall clock when it was seen (the absence clock). */
  private readonly eventClock = new Map<string, { eventTs: number; wallTs: number }>();

  constructor(
    readonly config: ServiceConfig,
    private readonly log: Logger,
  ) {}

  get seriesCount(): number {
    return this.series.size;
  }

  private seriesId(topic: string, metric: string, key: string): string {
    return stateKey(['detector', topic, metric, key]);
  }

  private newSeries(topic: string, metric: WatchedMetric, key: string, keyFields: Record<string, string>): Series {
    return { topic, metric, key, keyFields, detector: createDetector(metric.detector), lastTs: -Infinity };
  }

  private advanceClock(topic: string, eventTs: number, now: number): void {
    const clock = this.eventClock.get(topic);
    if (!clock || eventTs > clock.eventTs) this.eventClock.set(topic, { eventTs, wallTs: now });
  }

  /**
   * Event time now, for the absence rules of a topic: its newest window's time plus the wall time since
   * it came, never beyond the wall clock. While a backlog is replayed the clock follows the records
   * (no false silences); when nothing comes at all it runs on with the wall clock.
   */
  absenceClock(topic: string, now: number): number | undefined {
    const clock = this.eventClock.get(topic);
    return clock ? Math.min(now, clock.eventTs + (now - clock.wallTs)) : undefined;
  }

  /** Takes back the state topic's records (the last value per key); returns what was found. */
  restore(records: Iterable<StateRecord>, now: number): RestoreSummary {
    const summary: RestoreSummary = { detectors: 0, incidents: 0, restarted: 0, dropped: 0 };
    const drop = (key: string): void => {
      summary.dropped++;
      this.pendingState.push({ key, value: null });
    };
    for (const record of records) {
      if (record.value === null) continue;
      let parts: unknown;
      let value: { [key: string]: Json };
      try {
        parts = JSON.parse(record.key);
        value = JSON.parse(record.value) as { [key: string]: Json };
      } catch (error) {
        this.log.warn(`state record is not JSON, dropped: ${messageOf(error)}`, { key: record.key });
        drop(record.key);
        continue;
      }
      if (!Array.isArray(parts) || parts.some((p) => typeof p !== 'string')) {
        drop(record.key);
        continue;
      }
      const [kind, topic, ...rest] = parts as string[];
      if (kind === 'detector' && rest.length === 2) {
        const [metricName, key] = rest as [string, string];
        const metric = this.config.series.get(topic!)?.metrics.find((m) => m.field === metricName);
        if (!metric) {
          drop(record.key);
          continue;
        }
        const series = this.newSeries(topic!, metric, key, (value.keyFields ?? {}) as Record<string, string>);
        try {
          series.detector.restore(value.snapshot as unknown as DetectorSnapshot);
          series.lastTs = typeof value.lastTs === 'number' ? value.lastTs : -Infinity;
        } catch (error) {
          summary.restarted++;
          this.log.debug(`series starts afresh: ${messageOf(error)}`, {
            resource: `series/${topic}/${metricName}/${key}`,
          });
          this.dirtySeries.add(record.key);
        }
        if (Number.isFinite(series.lastTs)) this.advanceClock(topic!, series.lastTs, now);
        this.series.set(record.key, series);
        summary.detectors++;
      } else if ((kind === 'incident' || kind === 'pattern') && rest.length === 1) {
        const watched = kind === 'incident' ? this.config.series.has(topic!) : this.config.patterns.has(topic!);
        const shaped =
          kind === 'incident'
            ? typeof value.id === 'string' && Array.isArray(value.evidence)
            : Array.isArray(value.open) && Array.isArray(value.seen);
        if (!shaped) {
          this.log.warn('state record of an unknown shape, dropped', { key: record.key });
          drop(record.key);
          continue;
        }
        this.book.load(kind, topic!, rest[0]!, value);
        if (watched) summary.incidents += kind === 'incident' ? 1 : (value.open as Json[]).length;
        else summary.dropped++;
      } else {
        drop(record.key);
      }
    }
    // Incidents of topics or metrics no longer watched would never resolve: resolve them now.
    const watchedMetric = (source: string, metric: string): boolean =>
      this.config.series.get(source)?.metrics.some((m) => m.field === metric) ?? false;
    this.pending.push(
      ...this.book.resolveWhere(
        (i) => (i.kind === 'anomaly' ? !this.config.series.has(i.source) : !this.config.patterns.has(i.source)),
        now,
      ),
      ...this.book.pruneMetrics(watchedMetric, now),
    );
    return summary;
  }

  /** One decoded record of a watched topic. */
  handle(topic: string, record: Record<string, unknown>, now: number): SkipReason | undefined {
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

  private handleSeries(watched: WatchedSeries, record: Record<string, unknown>, now: number): SkipReason | undefined {
    const key = this.keyOf(watched.key, record);
    if (!key) return 'no-key';
    const ts = timeOf(record[watched.time]);
    if (ts === undefined) return 'no-time';
    this.advanceClock(watched.topic, ts, now);
    const points: MetricPoint[] = watched.metrics.map((metric) => {
      const id = this.seriesId(watched.topic, metric.field, key.key);
      let series = this.series.get(id);
      if (!series) {
        series = this.newSeries(watched.topic, metric, key.key, key.keyFields);
        this.series.set(id, series);
      }
      const value = numberOf(record[metric.field]);
      const fresh = Number.isFinite(value) && ts > series.lastTs;
      const observation = series.detector.observe({ timestamp: ts, value });
      if (fresh) series.lastTs = ts;
      this.dirtySeries.add(id);
      return { metric: metric.field, severity: metric.severity, value, observation, fresh };
    });
    this.pending.push(
      ...this.book.onPoints(watched.topic, key.key, key.keyFields, ts, points, watched.resolveAfter, now),
    );
    return undefined;
  }

  private handlePattern(watched: WatchedPattern, record: Record<string, unknown>, now: number): SkipReason | undefined {
    const key = this.keyOf(watched.key, record);
    if (!key) return 'no-key';
    const ts = timeOf(record[watched.time]);
    if (ts === undefined) return 'no-time';
    const match = plain(record) as { [key: string]: Json };
    const name = watched.topic.replace(/^patterns\./, '');
    this.pending.push(
      ...this.book.onMatch(
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
    return undefined;
  }

  /** Absence checks (on the event-time clock of each topic) and pattern expiry (wall clock). */
  tick(now: number): void {
    const silent = new Map<string, { series: Series; absent: AbsentMetric[]; at: number }>();
    for (const [id, series] of this.series) {
      if (!series.metric.absence) continue;
      const at = this.absenceClock(series.topic, now);
      if (at === undefined) continue;
      const observation = series.detector.tick(at);
      if (!observation) continue;
      this.dirtySeries.add(id);
      if (!observation.anomalous) continue;
      const group = JSON.stringify([series.topic, series.key]);
      const entry = silent.get(group) ?? { series, absent: [], at };
      entry.absent.push({ metric: series.metric.field, severity: series.metric.severity, observation });
      silent.set(group, entry);
    }
    for (const { series, absent, at } of silent.values()) {
      this.pending.push(...this.book.onAbsence(series.topic, series.key, series.keyFields, at, absent, now));
    }
    this.pending.push(...this.book.expire(now));
  }

  /** What happened since the last drain: incident events, and the state records to write (one per key). */
  drain(): Drained {
    const state = new Map<string, string | null>();
    for (const record of this.pendingState.splice(0)) state.set(record.key, record.value);
    for (const id of this.dirtySeries) {
      const series = this.series.get(id);
      if (!series) continue;
      state.set(
        id,
        JSON.stringify({
          v: STATE_VERSION,
          keyFields: series.keyFields,
          lastTs: Number.isFinite(series.lastTs) ? series.lastTs : null,
          snapshot: series.detector.snapshot(),
        }),
      );
    }
    this.dirtySeries.clear();
    for (const change of this.book.takeDirty()) {
      state.set(
        stateKey([change.kind, change.source, change.key]),
        change.value === null ? null : JSON.stringify(change.value),
      );
    }
    return { events: this.pending.splice(0), state: [...state].map(([key, value]) => ({ key, value })) };
  }

  openIncidents(): Incident[] {
    return this.book.open();
  }
}
