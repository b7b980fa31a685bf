/**
 * An incident as the records of the alerts topic (schemas/alert.avsc): one when it fires, one when it
 * resolves. The same text (summary, description) goes to Alertmanager and InfluxDB.
 *
 * The text says what a person needs to act: what (the metric, its value), where (the topic and the
 * key), how far from normal (the distance outside the expected range, and in units of it), since when
 * (the event time of the first anomalous point); a group incident says how many series and which are
 * worst; a resolved one says how it ended.
 */
import { deviation, type Evidence, type Incident } from './incidents';

export type AlertStatus = 'firing' | 'resolved';

/** The value of an alerts record, field for field as schemas/alert.avsc declares it. */
export interface AlertRecord {
  incident_id: string;
  status: AlertStatus;
  kind: string;
  source: string;
  key: string;
  key_fields: Record<string, string>;
  metrics: string[];
  severity: string;
  value: number | null;
  expected_low: number | null;
  expected_high: number | null;
  score: number;
  summary: string;
  evidence: string;
  started_ts: number;
  fired_ts: number;
  resolved_ts: number | null;
  emitted_ts: number;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** `19.1 – 23.4`, `≤ 30`, `≥ 5`; empty when nothing is known. */
export function rangeText(e: Evidence['expected']): string {
  if (!e) return '';
  if (e.low !== null && e.high !== null) return `${num(e.low)} – ${num(e.high)}`;
  if (e.high !== null) return `≤ ${num(e.high)}`;
  return e.low !== null ? `≥ ${num(e.low)}` : '';
}

/** `2025-01-06T10:41:00Z`: event times to the second. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * How far a value is from its expected range: `24.6 above, 5.7× its width` (both ends known), `0.0005
 * below, −100%` (one end: relative to it); empty inside the range or when nothing is known.
 */
export function distanceText(e: Pick<Evidence, 'value' | 'expected' | 'cause'>): string {
  if (e.cause === 'absence' || e.value === null || !e.expected) return '';
  const { low, high } = e.expected;
  let by: number;
  let side: string;
  let bound: number;
  if (high !== null && e.value > high) [by, side, bound] = [e.value - high, 'above', high];
  else if (low !== null && e.value < low) [by, side, bound] = [low - e.value, 'below', low];
  else return '';
  const units = deviation(e);
  const relative =
    low !== null && high !== null && high > low
      ? `${units >= 10 ? Math.round(units) : units.toFixed(1)}× its width`
      : bound !== 0
        ? `${side === 'above' ? '+' : '−'}${Math.round((100 * by) / Math.abs(bound))}%`
        : '';
  return `${num(by)} ${side}${relative ? `, ${relative}` : ''}`;
}

function evidenceText(e: Evidence): string {
  if (e.cause === 'absence') return `${e.metric}: no data (${e.reasons.join('; ')})`;
  return `${shortText(e)}, score ${e.score.toFixed(2)}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`;
}

/** `temperature_avg 48 (expected 19.1 – 23.4: 24.6 above, 5.7× its width)`. */
function shortText(e: Evidence): string {
  if (e.cause === 'absence') return `${e.metric}: no data`;
  const range = rangeText(e.expected);
  const far = distanceText(e);
  return `${e.metric} ${e.value === null ? 'null' : num(e.value)}${range ? ` (expected ${range}${far ? `: ${far}` : ''})` : ''}`;
}

/** A group incident's line: how many series of its source and metric, since when, and the worst. */
function groupSummary(incident: Incident): string {
  const m = incident.members!;
  const worst = m.worst.map((w) =>
    w.evidence.cause === 'absence'
      ? `${w.key} (no data)`
      : `${w.key} ${shortText(w.evidence).slice(w.evidence.metric.length + 1)}`,
  );
  const count = m.total === m.open ? `${m.total}` : `${m.total} (${m.open} still open)`;
  const what = incident.kind === 'pattern' ? `${m.metric} matches` : `series with ${m.metric} anomalous`;
  return `${incident.source}: ${count} ${what} together since ${isoSeconds(incident.startedAt)}; worst: ${worst.join(', ')}${m.total > m.worst.length ? `, and ${m.total - m.worst.length} more` : ''}`;
}

/** One line: what, where, how far from normal and since when (or the pattern's text, or the group's count and worst). */
export function summaryOf(incident: Incident): string {
  if (incident.members) return groupSummary(incident);
  if (incident.kind === 'pattern') return incident.summary ?? `${incident.source} on ${incident.key}`;
  const [first, ...others] = incident.evidence;
  const what = first ? shortText(first) : 'no evidence';
  return `${incident.source} ${incident.key}: ${what} since ${isoSeconds(incident.startedAt)}${others.length ? `; and ${others.length} more metric${others.length === 1 ? '' : 's'} (${others.map((e) => e.metric).join(', ')})` : ''}`;
}

/** Every metric's evidence, one per line (a group: its worst members; a resolution: how it ended). */
export function descriptionOf(incident: Incident): string {
  const ended = incident.resolution ? `\nresolved: ${incident.resolution}` : '';
  if (incident.members)
    return `${incident.members.worst.map((w) => `${w.key}: ${evidenceText(w.evidence)}`).join('\n')}${ended}`;
  if (incident.kind === 'pattern')
    return `${incident.summary ?? ''}\nmatch: ${JSON.stringify(incident.match ?? {})}${ended}`;
  return `${incident.evidence.map(evidenceText).join('\n')}${ended}`;
}

export function evidenceJson(incident: Incident): string {
  if (incident.members)
    return JSON.stringify(
      incident.members.worst.map((w) => ({
        key: w.key,
        metric: w.evidence.metric,
        value: w.evidence.value,
        expected: w.evidence.expected,
        score: w.evidence.score,
        reasons: w.evidence.reasons,
        ts: w.evidence.ts,
        cause: w.evidence.cause,
      })),
    );
  if (incident.kind === 'pattern')
    return JSON.stringify([
      { pattern: incident.evidence[0]?.metric ?? incident.source, ts: incident.startedAt, match: incident.match ?? {} },
    ]);
  return JSON.stringify(
    incident.evidence.map((e) => ({
      metric: e.metric,
      value: e.value,
      expected: e.expected,
      score: e.score,
      reasons: e.reasons,
      ts: e.ts,
      cause: e.cause,
    })),
  );
}

export function alertRecord(incident: Incident, status: AlertStatus, now: number): AlertRecord {
  const strongest = incident.evidence[0];
  return {
    incident_id: incident.id,
    status,
    kind: incident.kind,
    source: incident.source,
    key: incident.key,
    key_fields: { ...incident.keyFields },
    metrics: incident.members ? [incident.members.metric] : incident.evidence.map((e) => e.metric),
    severity: incident.severity,
    value: strongest?.value ?? null,
    expected_low: strongest?.expected?.low ?? null,
    expected_high: strongest?.expected?.high ?? null,
    score: strongest?.score ?? 0,
    summary:
      status === 'resolved' && incident.resolution
        ? `${summaryOf(incident)}. Resolved: ${incident.resolution}`
        : summaryOf(incident),
    evidence: evidenceJson(incident),
    started_ts: incident.startedAt,
    fired_ts: incident.firedAt,
    resolved_ts: status === 'resolved' ? (incident.resolvedAt ?? now) : null,
    emitted_ts: now,
  };
}

/** One readable line per alert, for `sluice alerts`. */
export function alertLine(a: AlertRecord): string {
  const when = new Date(a.status === 'resolved' ? (a.resolved_ts ?? a.emitted_ts) : a.started_ts)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const value = a.value === null ? '' : ` value ${num(a.value)}`;
  const range = rangeText({ low: a.expected_low, high: a.expected_high });
  const detail = a.kind === 'pattern' ? '' : `${value}${range ? ` expected ${range}` : ''} score ${a.score.toFixed(2)}`;
  return `${when} ${a.status.toUpperCase().padEnd(8)} ${a.severity.padEnd(8)} ${a.source} ${a.key} [${a.metrics.join(',')}]${detail} ${a.incident_id}  ${a.summary}`;
}
