/**
 * The contract every detector keeps, so the anomaly service can hold one detector per (source, key,
 * metric) series, feed it the series' points as they come, and persist its state between runs.
 *
 * The score is on one scale for every detector: 0 to 1, and 0.5 is the detector's own alert line
 * (`anomalous` is `score >= 0.5` once the detector is warm). A statistical detector measures the
 * deviation z of a point from what it expected (|value − centre| / scale, the scale a robust standard
 * deviation), calibrates it against the series' own usual extremes (base.ts), and scores
 * z / (z + threshold): 0.5 means "exactly at the threshold" whatever the threshold is, so scores of
 * different detectors can be compared and averaged. A rule scores 1 when it is broken and 0 otherwise.
 */

/** One value of a series: event time in ms since the epoch (a window's end for `agg.*` records). */
export interface Point {
  timestamp: number;
  value: number;
}

/** The values a detector would not flag at this time. A one-sided rule leaves the other side infinite. */
export interface Band {
  low: number;
  high: number;
}

export interface Observation {
  /** 0..1; 0.5 is the alert line. Always 0 while the detector is not warm. */
  score: number;
  expected: Band;
  /** score >= 0.5 and warm, and the point was learned (not stale or missing). */
  anomalous: boolean;
  /** Enough points seen to judge; before that nothing is flagged. */
  warm: boolean;
  /** What flagged the point, for the alert text (e.g. `robust-z: 6.1σ above`); empty when nothing did. */
  reasons: string[];
}

/** The score every detector uses as its alert line. */
export const ALERT_SCORE = 0.5;

/** Plain JSON: what `snapshot()` returns can go through JSON.stringify/parse and back to `restore()`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface DetectorSnapshot {
  kind: DetectorKind;
  /** Format version of `state` for this kind; restore() refuses others. */
  version: number;
  state: Json;
}

export interface Detector {
  readonly kind: DetectorKind;
  /**
   * Scores `point` against what the detector has learned so far, then learns it. A point whose
   * timestamp is not later than the last one learned (a redelivery after a restart) and a point with a
   * non-finite value (a window whose metric is null) are scored but neither learned nor flagged.
   */
  observe(point: Point): Observation;
  /**
   * Points with a finite value that came with a timestamp not later than the last one learned (late,
   * out of order or repeated): scored, neither learned nor flagged. Counted since the detector was built
   * or restored (not in the snapshot), so the service can export it as a counter per series.
   */
  readonly stalePoints: number;
  /**
   * Checks for silence at `now` (ms): detectors that watch for missing data (the absence rule, or an
   * ensemble holding one) return an anomalous observation once per silence; the others return undefined.
   * Call it on a timer, e.g. every window length.
   */
  tick(now: number): Observation | undefined;
  /** The learned state, as plain JSON. The configuration is not in it: it comes from the spec. */
  snapshot(): DetectorSnapshot;
  /** Replaces the learned state with a snapshot of a detector of the same kind (SLUICE_DATA_INVALID if not). */
  restore(snapshot: DetectorSnapshot): void;
}

/** Which way a deviation counts: both, only above what is expected, or only below. */
export type Direction = 'both' | 'up' | 'down';

/** Settings the statistical detectors share. */
export interface StatisticalOptions {
  /** Deviation (in robust standard deviations) at which a point is anomalous: the score is 0.5 there. */
  threshold?: number;
  /** Points to learn before flagging anything. */
  warmup?: number;
  /** Which deviations count. Default 'both'. */
  direction?: Direction;
  /**
   * Smallest scale (standard deviation) used, in the series' unit, so that a series that has been flat
   * does not flag the first tiny change. Default 0: only the relative floor applies.
   */
  minScale?: number;
  /** Smallest scale as a share of the typical level |centre|. Default 0.01 (1%). */
  relativeMinScale?: number;
  /**
   * Points of the detector's own deviation history used to calibrate it: when the series' deviations
   * are heavier-tailed than a normal distribution's (tweet counts, CPU spikes), a deviation is
   * measured against the series' usual extremes rather than against its typical spread. 0 turns it off.
   */
  calibrationWindow?: number;
  /** Quantile of the deviation history taken as the series' usual extreme. Default 0.99. */
  calibrationQuantile?: number;
  /** After a flag, this many points score 0 and are not flagged: one alert per incident. 0 turns it off. */
  cooldown?: number;
}

export interface RobustZSpec extends StatisticalOptions {
  kind: 'robust-z';
  /** Points in the rolling window the median and MAD are taken over (memory is bounded by it). */
  window?: number;
}

export interface EwmaSpec extends StatisticalOptions {
  kind: 'ewma';
  /** Weight of the newest point in the mean and variance, 0 < alpha < 1. */
  alpha?: number;
  /**
   * A point further than this many standard deviations is learned as if it were at this distance, so
   * one outlier does not drag the mean and blow up the variance. 0 turns it off.
   */
  clampAt?: number;
}

export interface SeasonalSpec extends StatisticalOptions {
  kind: 'seasonal';
  /** Length of the cycle in ms. Default one day. */
  periodMs?: number;
  /** Buckets per cycle (time-of-day slots). Default 24 (hourly). */
  buckets?: number;
  /** Points kept per bucket. */
  bucketWindow?: number;
  /** Points a bucket needs before its own statistics are used instead of the global ones. */
  minBucketPoints?: number;
  /** Points in the global window used while a bucket is young. */
  globalWindow?: number;
}

export interface ThresholdSpec {
  kind: 'threshold';
  /** Anomalous when the value is above this. */
  above?: number;
  /** Anomalous when the value is below this. */
  below?: number;
}

export interface RateOfChangeSpec {
  kind: 'rate-of-change';
  /** Anomalous when the value changes faster than this many units per minute since the previous point. */
  maxPerMinute: number;
  /** Which changes count. Default 'both'. */
  direction?: Direction;
}

export interface AbsenceSpec {
  kind: 'absence';
  /** Anomalous when no point has come for this many seconds (checked by tick). */
  afterSeconds: number;
}

export type RuleSpec = ThresholdSpec | RateOfChangeSpec | AbsenceSpec;
export type StatisticalSpec = RobustZSpec | EwmaSpec | SeasonalSpec;

export interface EnsembleSpec {
  kind: 'ensemble';
  /** Statistical detectors combined. Default: robust-z, ewma and seasonal with their defaults. */
  members?: StatisticalSpec[];
  /** Rules from the pipeline spec: any broken rule flags the point, warm or not. */
  rules?: RuleSpec[];
  /** Points to learn before the statistical part flags anything (each member must be warm too). */
  warmup?: number;
  /**
   * After a statistical flag, the next this-many points score 0 on the statistical side: one alert per
   * incident rather than one per window. Rules are not held back. 0 turns it off. (The members' own
   * cooldowns are turned off inside an ensemble.)
   */
  cooldown?: number;
}

export type DetectorSpec = StatisticalSpec | RuleSpec | EnsembleSpec;
export type DetectorKind = DetectorSpec['kind'];
