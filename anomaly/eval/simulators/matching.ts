/**
 * Scores alerts against the simulators' labels.
 *
 * Alerts are grouped into incidents: alerts on the same source and key (any metric) whose spans lie
 * within `mergeGapMs` of each other are one incident, as an alert manager grouping by key would show
 * them. An alert's span is its window [start, end) for a windowed point, and [now − afterSeconds, now]
 * for an absence.
 *
 * Matching rule: an incident is a true positive when it overlaps the span [start_ts, end_ts] of a label
 * of the same source and key; otherwise it is a false positive. A label is detected when some incident
 * of its key overlaps it; its delay is the time from start_ts to the first alert of that key that
 * overlaps it (the alert's time: its window's end, when Flink can first emit the window, or the tick of
 * an absence). Precision = true-positive incidents / incidents; recall = detected labels / labels;
 * F1 their harmonic mean.
 */
import type { AnomalyLabel } from '../../../producers/simulators';

export interface Alert {
  source: string;
  key: string;
  metric: string;
  /** The span the alert is about, ms. */
  start: number;
  end: number;
  /** When the alert could be raised (window end, or the absence tick), ms. */
  at: number;
  score: number;
  reasons: string[];
}

export interface Incident {
  source: string;
  key: string;
  start: number;
  end: number;
  alerts: number;
  metrics: string[];
  /** The labels it overlaps (same key). */
  labels: string[];
}

export interface LabelOutcome {
  label: AnomalyLabel;
  observable: boolean;
  detected: boolean;
  delayMs?: number;
}

export interface MatchSummary {
  incidents: number;
  truePositives: number;
  falsePositives: number;
  labels: number;
  detected: number;
  precision: number;
  recall: number;
  f1: number;
  /** Recall and F1 counting only labels the windows can show (see series.ts `observable`). */
  observableLabels: number;
  observableDetected: number;
  observableRecall: number;
  observableF1: number;
  meanDelayMs: number | null;
  p50DelayMs: number | null;
}

export const MERGE_GAP_MS = 5 * 60_000;

const overlaps = (aStart: number, aEnd: number, bStart: number, bEnd: number) => aStart <= bEnd && bStart <= aEnd;

export function groupIncidents(alerts: readonly Alert[], mergeGapMs = MERGE_GAP_MS): Incident[] {
  const byKey = new Map<string, Alert[]>();
  for (const a of alerts) {
    const k = `${a.source}\u0000${a.key}`;
    const list = byKey.get(k) ?? [];
    list.push(a);
    byKey.set(k, list);
  }
  const incidents: Incident[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.start - b.start);
    let current: Incident | undefined;
    for (const a of list) {
      if (current && a.start <= current.end + mergeGapMs) {
        current.end = Math.max(current.end, a.end);
        current.alerts++;
        if (!current.metrics.includes(a.metric)) current.metrics.push(a.metric);
        continue;
      }
      current = {
        source: a.source,
        key: a.key,
        start: a.start,
        end: a.end,
        alerts: 1,
        metrics: [a.metric],
        labels: [],
      };
      incidents.push(current);
    }
  }
  return incidents.sort((a, b) => a.start - b.start);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

export function matchAlerts(
  alerts: readonly Alert[],
  labels: readonly AnomalyLabel[],
  isObservable: (label: AnomalyLabel) => boolean,
  mergeGapMs = MERGE_GAP_MS,
): { summary: MatchSummary; incidents: Incident[]; outcomes: LabelOutcome[] } {
  const incidents = groupIncidents(alerts, mergeGapMs);
  const labelsByKey = new Map<string, AnomalyLabel[]>();
  for (const l of labels) {
    const k = `${l.source}\u0000${l.key}`;
    labelsByKey.set(k, [...(labelsByKey.get(k) ?? []), l]);
  }
  for (const incident of incidents) {
    for (const l of labelsByKey.get(`${incident.source}\u0000${incident.key}`) ?? []) {
      if (overlaps(incident.start, incident.end, l.start_ts, l.end_ts)) incident.labels.push(l.label_id);
    }
  }
  const alertsByKey = new Map<string, Alert[]>();
  for (const a of alerts) {
    const k = `${a.source}\u0000${a.key}`;
    alertsByKey.set(k, [...(alertsByKey.get(k) ?? []), a]);
  }
  const outcomes = labels.map((label): LabelOutcome => {
    const matching = (alertsByKey.get(`${label.source}\u0000${label.key}`) ?? []).filter((a) =>
      overlaps(a.start, a.end, label.start_ts, label.end_ts),
    );
    const first = matching.length ? Math.min(...matching.map((a) => a.at)) : undefined;
    return {
      label,
      observable: isObservable(label),
      detected: first !== undefined,
      ...(first !== undefined ? { delayMs: Math.max(0, first - label.start_ts) } : {}),
    };
  });
  const truePositives = incidents.filter((i) => i.labels.length > 0).length;
  const detected = outcomes.filter((o) => o.detected).length;
  const observableOutcomes = outcomes.filter((o) => o.observable);
  const observableDetected = observableOutcomes.filter((o) => o.detected).length;
  const precision = incidents.length ? truePositives / incidents.length : 0;
  const recall = labels.length ? detected / labels.length : 0;
  const observableRecall = observableOutcomes.length ? observableDetected / observableOutcomes.length : 0;
  const delays = outcomes.flatMap((o) => (o.delayMs === undefined ? [] : [o.delayMs]));
  return {
    incidents,
    outcomes,
    summary: {
      incidents: incidents.length,
      truePositives,
      falsePositives: incidents.length - truePositives,
      labels: labels.length,
      detected,
      precision,
      recall,
      f1: f1(precision, recall),
      observableLabels: observableOutcomes.length,
      observableDetected,
      observableRecall,
      observableF1: f1(precision, observableRecall),
      meanDelayMs: delays.length ? delays.reduce((s, d) => s + d, 0) / delays.length : null,
      p50DelayMs: median(delays),
    },
  };
}
