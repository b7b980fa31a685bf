/**
 * Incidents: what turns detector verdicts into alerts, one alert per incident. Pure and clock-free (the
 * caller passes the times), so it is unit-tested without Kafka.
 *
 * - **Dedup.** A series key (source topic + key) has at most one open anomaly incident: while it is
 *   open, further anomalous points of that key add evidence, they never fire again.
 * - **Grouping.** Several metrics of one key anomalous at once (in one record, or one absence check)
 *   open one incident carrying every metric's evidence; a metric that goes anomalous later joins it.
 * - **Resolution.** Each metric of the incident counts its normal points in a row; when every metric
 *   has `resolveAfter` of them the incident resolves, at the event time of the point that made it so.
 *   A metric flagged for absence is normal again at its first point that comes back (and is normal).
 * - **Patterns.** A record of a patterns.* topic is an incident of its own, deduplicated by key and
 *   time; it resolves `resolveAfterMs` after it fired, as a match has no "back to normal".
 * - **Eviction.** A metric whose series the service stops tracking (idle, or the series limit) leaves
 *   its key's incident; an incident left with no metric resolves, saying why (`resolution`).
 *
 * Whether an incident is alerted on its own or as one member of a storm is decided after the book, by
 * the Grouper (grouping.ts), which marks it (`alert`, `group`).
 *
 * Every change marks its key dirty; `takeDirty()` gives the state records to write (the open incident,
 * or a tombstone once resolved) in the same transaction as the alerts.
 */
import { createHash } from 'node:crypto';
import type { Json, Observation } from '../detectors';

export type IncidentKind = 'anomaly' | 'pattern';
export type Cause = 'point' | 'absence';

/** An expected range; null on a side that is unbounded or unknown. */
export interface Expected {
  low: number | null;
  high: number | null;
}

export interface Evidence {
  metric: string;
  /** The metric's value when it was last flagged; null for an absence or a pattern. */
  value: number | null;
  expected: Expected | null;
  score: number;
  reasons: string[];
  /** Event time of the flagged point (or of the absence check), ms. */
  ts: number;
  cause: Cause;
  severity: string;
  /** Normal points in a row since the metric was last anomalous. */
  normal: number;
}

export interface Incident {
  id: string;
  kind: IncidentKind;
  source: string;
  key: string;
  keyFields: Record<string, string>;
  /** Fixed when the incident fires: the highest of the metrics flagged then. */
  severity: string;
  /** Event time of the first anomalous point. */
  startedAt: number;
  /** Wall clock when it fired. */
  firedAt: number;
  resolvedAt?: number;
  /** Strongest first. */
  evidence: Evidence[];
  /** Patterns: the match record, and the alert text. */
  match?: { [key: string]: Json };
  summary?: string;
  /** Patterns: wall clock at which the incident resolves. */
  expiresAt?: number;
  /** How it ended, for people: back to normal (with the values), data came back, no longer tracked… */
  resolution?: string;
  /**
   * How it is alerted (grouping.ts): held back for a moment to see whether it is part of a storm, alone
   * (its own alert), or as a member of the group incident `group`. Absent (state from before grouping): alone.
   */
  alert?: 'held' | 'alone' | 'member';
  /** Held: the wall clock when it was held back. */
  heldAt?: number;
  /** Member: the id of its group incident. */
  group?: string;
  /** A group incident (key `*`): the members of one source and metric that went anomalous together. */
  members?: GroupMembers;
}

/** One member of a group incident, as its alert names it. */
export interface MemberSummary {
  key: string;
  evidence: Evidence;
}

export interface GroupMembers {
  /** The metric (or pattern) they share. */
  metric: string;
  /** Members open now. */
  open: number;
  /** Members that ever joined. */
  total: number;
  /** The worst that joined (by score, then by how far outside their range), worst first: a bounded list. */
  worst: MemberSummary[];
  /** Event time of the latest member's start: a new anomaly starting within the window of it joins. */
  lastStart: number;
}

export interface IncidentEvent {
  /** fired and resolved become alerts; updated (evidence of a new metric joined) refreshes Alertmanager. */
  type: 'fired' | 'resolved' | 'updated';
  incident: Incident;
}

/** One metric of one record, as its detector judged it. */
export interface MetricPoint {
  metric: string;
  severity: string;
  /** NaN when the record's field is null. */
  value: number;
  observation: Observation;
  /** Later than the series' last point, and a number: it counts (a redelivered or missing point does not). */
  fresh: boolean;
}

export interface AbsentMetric {
  metric: string;
  severity: string;
  observation: Observation;
}

export interface StateChange {
  kind: 'incident' | 'pattern';
  source: string;
  key: string;
  /** Null: a tombstone (nothing open, nothing to remember). */
  value: Json | null;
}

const SEVERITY_ORDER = ['info', 'warning', 'error', 'critical'];
/** Unknown words rank with warning: they were chosen on purpose, and must not look harmless. */
export const severityRank = (s: string): number => {
  const i = SEVERITY_ORDER.indexOf(s);
  return i < 0 ? 1 : i;
};
export const highestSeverity = (severities: string[]): string =>
  severities.reduce((best, s) => (severityRank(s) > severityRank(best) ? s : best), severities[0] ?? 'warning');

/** `inc-` and 16 hex digits of a hash of (source, key, start): the same incident always has the same id. */
export function incidentId(source: string, key: string, startedAt: number): string {
  return `inc-${createHash('sha256')
    .update(JSON.stringify([source, key, startedAt]))
    .digest('hex')
    .slice(0, 16)}`;
}

/** Key values joined with '/' (a key of one field is its value). */
export function keyString(values: string[]): string {
  return values.join('/');
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function expectedOf(o: Observation): Expected | null {
  const e = { low: finite(o.expected.low), high: finite(o.expected.high) };
  return e.low === null && e.high === null ? null : e;
}

function byStrength(a: Evidence, b: Evidence): number {
  return b.score - a.score || severityRank(b.severity) - severityRank(a.severity) || a.metric.localeCompare(b.metric);
}

/**
 * How far a value is outside its expected range, in units of the range: its width when both ends are
 * known, else the magnitude of the end it crossed (or 1). 0 inside the range or when nothing is known;
 * Infinity for an absence (no value at all).
 */
export function deviation(e: Pick<Evidence, 'value' | 'expected' | 'cause'>): number {
  if (e.cause === 'absence') return Infinity;
  if (e.value === null || !e.expected) return 0;
  const { low, high } = e.expected;
  const width = low !== null && high !== null && high > low ? high - low : undefined;
  if (high !== null && e.value > high) return (e.value - high) / (width ?? (Math.abs(high) || 1));
  if (low !== null && e.value < low) return (low - e.value) / (width ?? (Math.abs(low) || 1));
  return 0;
}

/** Worse first: a higher score, then further outside the expected range. */
export function worseFirst(a: Evidence, b: Evidence): number {
  return b.score - a.score || deviation(b) - deviation(a) || severityRank(b.severity) - severityRank(a.severity);
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** The resolution text of points that made an incident normal again: each metric with its last value. */
function backToNormal(evidence: Evidence[], points: MetricPoint[], resolveAfter: number): string {
  const parts = evidence.map((e) => {
    const p = points.find((x) => x.metric === e.metric && x.fresh);
    if (e.cause === 'absence') return `${e.metric}: data came back`;
    if (!p || !Number.isFinite(p.value)) return `${e.metric}: normal`;
    const low = Number.isFinite(p.observation.expected.low) ? num(p.observation.expected.low) : undefined;
    const high = Number.isFinite(p.observation.expected.high) ? num(p.observation.expected.high) : undefined;
    const range =
      low !== undefined && high !== undefined
        ? ` (expected ${low} – ${high})`
        : high !== undefined
          ? ` (expected ≤ ${high})`
          : low !== undefined
            ? ` (expected ≥ ${low})`
            : '';
    return `${e.metric} ${num(p.value)}${range}`;
  });
  return `back to normal for ${resolveAfter} point${resolveAfter === 1 ? '' : 's'} in a row: ${parts.join(', ')}`;
}

/** Most recent match times remembered per pattern key, to drop a match seen twice. */
const PATTERN_SEEN = 64;

interface PatternEntry {
  open: Incident[];
  seen: number[];
}

export class IncidentBook {
  private readonly anomalies = new Map<string, Incident>();
  private readonly patterns = new Map<string, PatternEntry>();
  private readonly dirty = new Map<string, { kind: 'incident' | 'pattern'; source: string; key: string }>();

  private static group(source: string, key: string): string {
    return JSON.stringify([source, key]);
  }

  private touch(kind: 'incident' | 'pattern', source: string, key: string): void {
    this.dirty.set(`${kind}\u0000${IncidentBook.group(source, key)}`, { kind, source, key });
  }

  /** The metrics of one record of a series topic. */
  onPoints(
    source: string,
    key: string,
    keyFields: Record<string, string>,
    ts: number,
    points: MetricPoint[],
    resolveAfter: number,
    now: number,
  ): IncidentEvent[] {
    const group = IncidentBook.group(source, key);
    const open = this.anomalies.get(group);
    const flagged = points.filter((p) => p.fresh && p.observation.anomalous);
    if (!open) {
      if (flagged.length === 0) return [];
      const evidence = flagged.map((p) => this.pointEvidence(p, ts)).sort(byStrength);
      const incident: Incident = {
        id: incidentId(source, key, ts),
        kind: 'anomaly',
        source,
        key,
        keyFields,
        severity: highestSeverity(flagged.map((p) => p.severity)),
        startedAt: ts,
        firedAt: now,
        evidence,
      };
      this.anomalies.set(group, incident);
      this.touch('incident', source, key);
      return [{ type: 'fired', incident }];
    }
    let joined = false;
    let changed = false;
    for (const p of points) {
      const known = open.evidence.find((e) => e.metric === p.metric);
      if (p.fresh && p.observation.anomalous) {
        const evidence = this.pointEvidence(p, ts);
        if (known) Object.assign(known, evidence);
        else {
          open.evidence.push(evidence);
          joined = true;
        }
        changed = true;
      } else if (known && p.fresh) {
        // Data came back after an absence: that is what the absence rule waited for.
        known.normal = known.cause === 'absence' ? Math.max(resolveAfter, known.normal + 1) : known.normal + 1;
        changed = true;
      }
    }
    if (!changed) return [];
    open.evidence.sort(byStrength);
    this.touch('incident', source, key);
    if (open.evidence.every((e) => e.normal >= resolveAfter)) {
      this.anomalies.delete(group);
      open.resolvedAt = Math.max(ts, open.startedAt);
      open.resolution = backToNormal(open.evidence, points, resolveAfter);
      return [{ type: 'resolved', incident: open }];
    }
    return joined ? [{ type: 'updated', incident: open }] : [];
  }

  /** Metrics of one key that an absence check found silent at `ts` (event time). */
  onAbsence(
    source: string,
    key: string,
    keyFields: Record<string, string>,
    ts: number,
    absent: AbsentMetric[],
    now: number,
  ): IncidentEvent[] {
    if (absent.length === 0) return [];
    const group = IncidentBook.group(source, key);
    const evidence = absent.map((a): Evidence => ({
      metric: a.metric,
      value: null,
      expected: null,
      score: a.observation.score,
      reasons: [...a.observation.reasons],
      ts,
      cause: 'absence',
      severity: a.severity,
      normal: 0,
    }));
    const open = this.anomalies.get(group);
    this.touch('incident', source, key);
    if (!open) {
      const incident: Incident = {
        id: incidentId(source, key, ts),
        kind: 'anomaly',
        source,
        key,
        keyFields,
        severity: highestSeverity(absent.map((a) => a.severity)),
        startedAt: ts,
        firedAt: now,
        evidence: evidence.sort(byStrength),
      };
      this.anomalies.set(group, incident);
      return [{ type: 'fired', incident }];
    }
    let joined = false;
    for (const e of evidence) {
      const known = open.evidence.find((k) => k.metric === e.metric);
      if (known) Object.assign(known, e);
      else {
        open.evidence.push(e);
        joined = true;
      }
    }
    open.evidence.sort(byStrength);
    return joined ? [{ type: 'updated', incident: open }] : [];
  }

  /** A record of a patterns.* topic: one incident per match, a match seen twice (same key and time) dropped. */
  onMatch(
    source: string,
    key: string,
    keyFields: Record<string, string>,
    ts: number,
    match: { [key: string]: Json },
    options: { name: string; severity: string; summary: string; resolveAfterMs: number },
    now: number,
  ): IncidentEvent[] {
    const group = IncidentBook.group(source, key);
    const entry = this.patterns.get(group) ?? { open: [], seen: [] };
    if (entry.seen.includes(ts)) return [];
    entry.seen.push(ts);
    if (entry.seen.length > PATTERN_SEEN) entry.seen.splice(0, entry.seen.length - PATTERN_SEEN);
    const incident: Incident = {
      id: incidentId(source, key, ts),
      kind: 'pattern',
      source,
      key,
      keyFields,
      severity: options.severity,
      startedAt: ts,
      firedAt: now,
      evidence: [
        {
          metric: options.name,
          value: null,
          expected: null,
          score: 1,
          reasons: [options.summary],
          ts,
          cause: 'point',
          severity: options.severity,
          normal: 0,
        },
      ],
      match,
      summary: options.summary,
      expiresAt: now + options.resolveAfterMs,
    };
    entry.open.push(incident);
    this.patterns.set(group, entry);
    this.touch('pattern', source, key);
    return [{ type: 'fired', incident }];
  }

  /** Pattern incidents whose time is up (wall clock). */
  expire(now: number): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const entry of this.patterns.values()) {
      const due = entry.open.filter((i) => (i.expiresAt ?? Infinity) <= now);
      if (due.length === 0) continue;
      entry.open = entry.open.filter((i) => !due.includes(i));
      for (const incident of due) {
        incident.resolvedAt = now;
        incident.resolution ??= 'a match has no end: resolved resolveAfterSeconds after it fired';
        this.touch('pattern', incident.source, incident.key);
        events.push({ type: 'resolved', incident });
      }
    }
    return events;
  }

  /** Resolves, at `now`, the open incidents `orphaned` picks (a topic the spec no longer watches). */
  resolveWhere(
    orphaned: (incident: Incident) => boolean,
    now: number,
    resolution = 'no longer watched (the spec changed)',
  ): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const [group, incident] of this.anomalies) {
      if (!orphaned(incident)) continue;
      this.anomalies.delete(group);
      incident.resolvedAt = now;
      incident.resolution = resolution;
      this.touch('incident', incident.source, incident.key);
      events.push({ type: 'resolved', incident });
    }
    for (const entry of this.patterns.values()) {
      for (const incident of entry.open.filter(orphaned)) {
        entry.open.splice(entry.open.indexOf(incident), 1);
        incident.resolvedAt = now;
        incident.resolution = resolution;
        this.touch('pattern', incident.source, incident.key);
        events.push({ type: 'resolved', incident });
      }
    }
    return events;
  }

  /** Drops metrics an incident holds that the spec no longer watches; an incident left with none resolves. */
  pruneMetrics(watched: (source: string, metric: string) => boolean, now: number): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const [group, incident] of this.anomalies) {
      const kept = incident.evidence.filter((e) => watched(incident.source, e.metric));
      if (kept.length === incident.evidence.length) continue;
      incident.evidence = kept;
      this.touch('incident', incident.source, incident.key);
      if (kept.length === 0) {
        this.anomalies.delete(group);
        incident.resolvedAt = now;
        incident.resolution = 'no longer watched (the spec changed)';
        events.push({ type: 'resolved', incident });
      }
    }
    return events;
  }

  /** Marks an open incident's key for the state topic (how it is alerted changed: grouping.ts). */
  touchIncident(incident: Incident): void {
    this.touch(incident.kind === 'pattern' ? 'pattern' : 'incident', incident.source, incident.key);
  }

  /** The open anomaly incident of a key, if any. */
  incidentOf(source: string, key: string): Incident | undefined {
    return this.anomalies.get(IncidentBook.group(source, key));
  }

  /**
   * A metric's series is no longer tracked (evicted): its evidence leaves the key's incident, which
   * resolves at `ts` with `why` when no metric is left (nothing could ever make it normal again).
   */
  dropMetric(source: string, key: string, metric: string, ts: number, why: string): IncidentEvent[] {
    const group = IncidentBook.group(source, key);
    const incident = this.anomalies.get(group);
    if (!incident) return [];
    const kept = incident.evidence.filter((e) => e.metric !== metric);
    if (kept.length === incident.evidence.length) return [];
    incident.evidence = kept;
    this.touch('incident', source, key);
    if (kept.length > 0) return [];
    this.anomalies.delete(group);
    incident.resolvedAt = Math.max(ts, incident.startedAt);
    incident.resolution = why;
    return [{ type: 'resolved', incident }];
  }

  /**
   * Anomaly incidents `stale` picks (a key with no tracked series whose last evidence is older than the
   * idle time): resolved at `ts(incident)` with `why`.
   */
  resolveStale(
    stale: (incident: Incident) => number | undefined,
    why: (incident: Incident) => string,
  ): IncidentEvent[] {
    const events: IncidentEvent[] = [];
    for (const [group, incident] of this.anomalies) {
      const at = stale(incident);
      if (at === undefined) continue;
      this.anomalies.delete(group);
      incident.resolvedAt = Math.max(at, incident.startedAt);
      incident.resolution = why(incident);
      this.touch('incident', incident.source, incident.key);
      events.push({ type: 'resolved', incident });
    }
    return events;
  }

  /**
   * Forgets pattern keys with nothing open whose last match is before `before(source)` (event time), and
   * beyond `max` such keys the oldest: what bounds the match times kept for deduplication.
   */
  prunePatterns(before: (source: string) => number | undefined, max: number): number {
    const closed: Array<[string, PatternEntry]> = [];
    for (const [group, entry] of this.patterns) if (entry.open.length === 0) closed.push([group, entry]);
    const last = (e: PatternEntry) => e.seen.reduce((a, b) => Math.max(a, b), -Infinity);
    let pruned = 0;
    const drop = (group: string): void => {
      const [source, key] = JSON.parse(group) as [string, string];
      this.patterns.delete(group);
      this.touch('pattern', source, key);
      pruned++;
    };
    const kept: Array<[string, PatternEntry]> = [];
    for (const [group, entry] of closed) {
      const [source] = JSON.parse(group) as [string];
      const limit = before(source);
      if (limit !== undefined && last(entry) < limit) drop(group);
      else kept.push([group, entry]);
    }
    const over = this.patterns.size - max;
    if (over > 0) {
      kept.sort((a, b) => last(a[1]) - last(b[1]));
      for (const [group] of kept.slice(0, over)) drop(group);
    }
    return pruned;
  }

  /** Open anomaly incidents and pattern keys remembered: what the state holds beside the series. */
  get size(): { incidents: number; patternKeys: number } {
    return { incidents: this.anomalies.size, patternKeys: this.patterns.size };
  }

  open(): Incident[] {
    return [...this.anomalies.values(), ...[...this.patterns.values()].flatMap((e) => e.open)];
  }

  find(id: string): Incident | undefined {
    return this.open().find((i) => i.id === id);
  }

  /** The state records of every key changed since the last call. */
  takeDirty(): StateChange[] {
    const out: StateChange[] = [];
    for (const { kind, source, key } of this.dirty.values()) {
      const group = IncidentBook.group(source, key);
      if (kind === 'incident') {
        const incident = this.anomalies.get(group);
        out.push({ kind, source, key, value: incident ? (incident as unknown as Json) : null });
      } else {
        const entry = this.patterns.get(group);
        out.push({ kind, source, key, value: entry ? (entry as unknown as Json) : null });
      }
    }
    this.dirty.clear();
    return out;
  }

  /** A tombstone read at restore: forgets what an earlier record of the key said. */
  unload(kind: 'incident' | 'pattern', source: string, key: string): void {
    const group = IncidentBook.group(source, key);
    if (kind === 'incident') this.anomalies.delete(group);
    else this.patterns.delete(group);
  }

  /** Takes a state record back (restore at start). */
  load(kind: 'incident' | 'pattern', source: string, key: string, value: Json): void {
    const group = IncidentBook.group(source, key);
    if (kind === 'incident') this.anomalies.set(group, value as unknown as Incident);
    else this.patterns.set(group, value as unknown as PatternEntry);
  }

  private pointEvidence(p: MetricPoint, ts: number): Evidence {
    return {
      metric: p.metric,
      value: finite(p.value),
      expected: expectedOf(p.observation),
      score: p.observation.score,
      reasons: [...p.observation.reasons],
      ts,
      cause: 'point',
      severity: p.severity,
      normal: 0,
    };
  }
}
