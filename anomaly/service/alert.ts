/**
 * An incident as the records of the alerts topic (schemas/alert.avsc): one when it fires, one when it
 * resolves. The same text (summary, description) goes to Alertmanager and InfluxDB.
 */
import type { Evidence, Incident } from './incidents';

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

function evidenceText(e: Evidence): string {
  if (e.cause === 'absence') return `${e.metric}: no data (${e.reasons.join('; ')})`;
  const range = rangeText(e.expected);
  return `${e.metric} ${e.value === null ? 'null' : num(e.value)}${range ? ` (expected ${range})` : ''}, score ${e.score.toFixed(2)}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`;
}

function shortText(e: Evidence): string {
  if (e.cause === 'absence') return `${e.metric}: no data`;
  const range = rangeText(e.expected);
  return `${e.metric} ${e.value === null ? 'null' : num(e.value)}${range ? ` (expected ${range})` : ''}`;
}

/** One line: source, key and the strongest metric (or the pattern's text), and how many more. */
export function summaryOf(incident: Incident): string {
  if (incident.kind === 'pattern') return incident.summary ?? `${incident.source} on ${incident.key}`;
  const [first, ...others] = incident.evidence;
  const what = first ? shortText(first) : 'no evidence';
  return `${incident.source} ${incident.key}: ${what}${others.length ? ` and ${others.length} more metric${others.length === 1 ? '' : 's'} (${others.map((e) => e.metric).join(', ')})` : ''}`;
}

/** Every metric's evidence, one per line. */
export function descriptionOf(incident: Incident): string {
  if (incident.kind === 'pattern') return `${incident.summary ?? ''}\nmatch: ${JSON.stringify(incident.match ?? {})}`;
  return incident.evidence.map(evidenceText).join('\n');
}

export function evidenceJson(incident: Incident): string {
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
    metrics: incident.evidence.map((e) => e.metric),
    severity: incident.severity,
    value: strongest?.value ?? null,
    expected_low: strongest?.expected?.low ?? null,
    expected_high: strongest?.expected?.high ?? null,
    score: strongest?.score ?? 0,
    summary: summaryOf(incident),
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
