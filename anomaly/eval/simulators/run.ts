/**
 * Detectors against the simulators' labelled anomalies, in process: the three simulators run from a
 * seed over simulated time (no Kafka), their events are aggregated into the windows the Flink jobs
 * compute (../aggregate.ts), each window's metrics feed one detector per (source, key, metric) series,
 * and the alerts are matched with the labels (./matching.ts). Every candidate sees the same rows in the
 * same pass, so they are compared on identical data.
 */
import { EnsembleDetector, type Detector, type RuleSpec, type StatisticalSpec } from '../../detectors';
import { createSimulator, type AnomalyLabel, type SimulatorSource } from '../../../producers/simulators';
import { LATENESS_MS, WindowAggregator } from '../aggregate';
import { matchAlerts, type Alert, type Incident, type LabelOutcome, type MatchSummary } from './matching';
import { SIMULATOR_SERIES, observable, type SeriesSpec, type SourceSeries } from './series';

export interface SimulatorCandidate {
  name: string;
  /** The statistical part; the series' rules and the ensemble's warm-up and cooldown are added. */
  members: StatisticalSpec[];
}

export interface SimulatorEvalOptions {
  seed?: number;
  /** Simulated hours. Default 24. */
  hours?: number;
  /** Start of simulated time, ms. Default Monday 2025-01-06 00:00 UTC. */
  start?: number;
  /** Anomalies per simulated hour per source (the simulators' default is 6). */
  anomalyRate?: number;
  /** Labels starting this long after the start are scored, and alerts too: the detectors learn first. Default 1 h. */
  learningMs?: number;
  onProgress?: (line: string) => void;
}

export interface KindOutcome {
  source: string;
  kind: string;
  labels: number;
  observable: number;
  detected: number;
  meanDelayMs: number | null;
}

export interface SimulatorResult {
  detector: string;
  summary: MatchSummary;
  perSource: Record<string, MatchSummary>;
  perKind: KindOutcome[];
  /**
   * False-positive incidents during an anomaly the windows cannot attribute to a key (a bot flood is
   * keyed by client IP and hits every path): real effects, counted as false positives by the rule.
   */
  falsePositivesDuringOtherAnomalies: number;
  alerts: number;
  /** Every incident, with the labels it matched (for the incidents file). */
  incidents: Incident[];
}

export interface SimulatorRun {
  results: SimulatorResult[];
  labels: number;
  rows: number;
  series: number;
  elapsedMs: number;
  /** The simulators' settings, for the report. */
  setup: { seed: number; hours: number; start: string; anomalyRate: number; web: string; iot: string; finance: string };
}

export const DEFAULT_START = Date.UTC(2025, 0, 6);
const STEP_MS = 10_000;

/**
 * The simulators as `npm start` runs them (web 10 events/s, IoT 50 devices every 10 s, finance 5/s),
 * except finance has 500 accounts instead of 5000: ten times the payments per account, so a day is
 * enough for an account's series to warm up, and a tenth of the series to hold in memory.
 */
const SIMULATOR_SETTINGS = {
  web: { eventsPerSecond: 10 },
  iot: { devices: 50, intervalMs: 10_000 },
  finance: { eventsPerSecond: 5, accounts: 500 },
} as const;

interface SeriesState {
  spec: SeriesSpec;
  source: SourceSeries;
  key: string;
  detectors: Detector[];
  /** The absence rule's limit, for the span of an absence alert. */
  absenceMs: number;
}

function detectorFor(
  candidate: SimulatorCandidate,
  spec: SeriesSpec,
  reference: Record<string, unknown> | undefined,
): Detector {
  const rules: RuleSpec[] = [...(spec.rules ?? []), ...(spec.perKey ? spec.perKey(reference) : [])];
  return new EnsembleDetector({
    members: candidate.members.map((m) => ({ ...m, ...spec.options }) as StatisticalSpec),
    rules,
  });
}

export function runSimulatorEval(
  candidates: readonly SimulatorCandidate[],
  options: SimulatorEvalOptions = {},
): SimulatorRun {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const hours = options.hours ?? 24;
  const start = options.start ?? DEFAULT_START;
  const end = start + hours * 3_600_000;
  const learnedAt = start + (options.learningMs ?? 3_600_000);
  const anomalyRate = options.anomalyRate ?? 6;

  const sources = SIMULATOR_SERIES.map((s) => {
    const simulator = createSimulator(s.source, { seed, anomalyRate, ...SIMULATOR_SETTINGS[s.source] });
    const reference = new Map<string, Record<string, unknown>>();
    for (const r of simulator.referenceData(start)) reference.set(r.key, r.value);
    simulator.next(start);
    return { config: s, simulator, reference, aggregator: new WindowAggregator(s.window) };
  });

  const series = new Map<string, SeriesState>();
  const alerts: Alert[][] = candidates.map(() => []);
  const labels: AnomalyLabel[] = [];
  let rows = 0;

  const seriesOf = (src: (typeof sources)[number], key: string, spec: SeriesSpec): SeriesState => {
    const id = `${src.config.source}\u0000${key}\u0000${spec.metric}`;
    let state = series.get(id);
    if (!state) {
      const absence = (spec.rules ?? []).find((r) => r.kind === 'absence');
      state = {
        spec,
        source: src.config,
        key,
        detectors: candidates.map((c) => detectorFor(c, spec, src.reference.get(key))),
        absenceMs: absence && absence.kind === 'absence' ? absence.afterSeconds * 1000 : 0,
      };
      series.set(id, state);
    }
    return state;
  };

  const feed = (src: (typeof sources)[number], watermark: number) => {
    for (const row of src.aggregator.close(watermark)) {
      rows++;
      for (const spec of src.config.series) {
        const value = row.metrics[spec.metric];
        const state = seriesOf(src, row.key, spec);
        // A null metric (every reading of the minute without the sensor) is a missing point: not fed.
        if (value === null || value === undefined) continue;
        state.detectors.forEach((d, i) => {
          const o = d.observe({ timestamp: row.windowEnd, value });
          if (o.anomalous && row.windowEnd > learnedAt) {
            (alerts[i] as Alert[]).push({
              source: src.config.source,
              key: row.key,
              metric: spec.metric,
              start: row.windowStart,
              end: row.windowEnd - 1,
              at: row.windowEnd,
              score: o.score,
              reasons: o.reasons,
            });
          }
        });
      }
    }
  };

  let lastReport = start;
  for (let now = start + STEP_MS; now <= end + 2 * 60_000; now += STEP_MS) {
    const simulating = now <= end;
    for (const src of sources) {
      if (simulating) {
        for (const record of src.simulator.next(now)) {
          if (record.topic === src.config.window.input) src.aggregator.add(record.value, record.timestamp);
          else if (record.topic.startsWith('labels.')) labels.push(record.value as unknown as AnomalyLabel);
        }
      }
      // Events come in time order, so everything up to `now` has been seen: the watermark is now − 5 s.
      feed(src, (simulating ? now : end) - LATENESS_MS);
    }
    // After the end, silence is the end of the simulation, not an anomaly: no ticks.
    for (const state of simulating ? series.values() : []) {
      state.detectors.forEach((d, i) => {
        const o = d.tick(now);
        if (o?.anomalous && now > learnedAt) {
          (alerts[i] as Alert[]).push({
            source: state.source.source,
            key: state.key,
            metric: state.spec.metric,
            start: now - state.absenceMs,
            end: now,
            at: now,
            score: o.score,
            reasons: o.reasons,
          });
        }
      });
    }
    if (options.onProgress && now - lastReport >= 6 * 3_600_000) {
      lastReport = now;
      options.onProgress(
        `simulators: ${((now - start) / 3_600_000).toFixed(0)} of ${hours} simulated hours, ${rows} window rows, ${series.size} series`,
      );
    }
  }

  const scored = labels.filter((l) => l.start_ts > learnedAt && l.start_ts <= end);
  const isObservable = (l: AnomalyLabel) =>
    observable(l.source, l.kind, JSON.parse(l.detail) as Record<string, unknown>);
  const results = candidates.map((candidate, i): SimulatorResult => {
    const list = alerts[i] as Alert[];
    const { summary, incidents, outcomes } = matchAlerts(list, scored, isObservable);
    const perSource: Record<string, MatchSummary> = {};
    for (const s of SIMULATOR_SERIES) {
      perSource[s.source] = matchAlerts(
        list.filter((a) => a.source === s.source),
        scored.filter((l) => l.source === s.source),
        isObservable,
      ).summary;
    }
    const kinds = new Map<string, LabelOutcome[]>();
    for (const o of outcomes)
      kinds.set(`${o.label.source}/${o.label.kind}`, [...(kinds.get(`${o.label.source}/${o.label.kind}`) ?? []), o]);
    const perKind = [...kinds.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, list]): KindOutcome => {
        const delays = list.flatMap((o) => (o.delayMs === undefined ? [] : [o.delayMs]));
        const [source, kind] = k.split('/') as [SimulatorSource, string];
        return {
          source,
          kind,
          labels: list.length,
          observable: list.filter((o) => o.observable).length,
          detected: list.filter((o) => o.detected).length,
          meanDelayMs: delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : null,
        };
      });
    const unattributable = scored.filter(
      (l) =>
        (JSON.parse(l.detail) as { key_field?: string }).key_field !==
        SIMULATOR_SERIES.find((s) => s.source === l.source)?.window.keyField,
    );
    const falsePositivesDuringOtherAnomalies = incidents.filter(
      (inc) =>
        inc.labels.length === 0 &&
        unattributable.some((l) => l.source === inc.source && inc.start <= l.end_ts && l.start_ts <= inc.end),
    ).length;
    return {
      detector: candidate.name,
      summary,
      perSource,
      perKind,
      falsePositivesDuringOtherAnomalies,
      alerts: list.length,
      incidents,
    };
  });

  const describe = (o: object) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
  return {
    results,
    labels: scored.length,
    rows,
    series: series.size,
    elapsedMs: performance.now() - started,
    setup: {
      seed,
      hours,
      start: new Date(start).toISOString(),
      anomalyRate,
      web: describe(SIMULATOR_SETTINGS.web),
      iot: describe(SIMULATOR_SETTINGS.iot),
      finance: describe(SIMULATOR_SETTINGS.finance),
    },
  };
}
