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

/**
 * Context (sequence) detector: the value is quantised into `bins` levels between the series' recent
 * extremes, and the detector counts which level followed each context of the last 1..`order` levels.
 * Its raw score is how surprising the new level is after its context (1 − the share of times that
 * level followed it), and 1 for a value well outside the range seen. A raw score: wrap it in
 * `likelihood` for an alert line that means the same on every series.
 */
export interface ContextSpec {
  kind: 'context';
  /** Levels the value is quantised into. */
  bins?: number;
  /** Longest context, in previous levels. */
  order?: number;
  /** Contexts remembered per order, hashed (bins^k when that is smaller): memory is bounded by it. */
  slots?: number;
  /** Times a context must have been seen before it predicts. */
  minSupport?: number;
  /** A context's counts halve when they reach this: it forgets old sequences. */
  maxCount?: number;
  /** Points over which the range's extremes shrink back towards the recent values (0: never). */
  rangeMemory?: number;
  /** Share of the range beyond it at which a value is novel (raw score 1). */
  noveltyMargin?: number;
  warmup?: number;
  /** After a flag, this many points score 0. */
  cooldown?: number;
}

/**
 * Shape detector: the recent course of the series, as a short vector (the last `window` block means,
 * `step` points a block, scaled into the series' range, and the same vector scaled to its own range),
 * compared with a bounded set of prototypes it has seen (the nearest one, mean absolute difference).
 * A shape far from every prototype is new: the idea of ARTime's adaptive-resonance categories. Scores
 * once per block (0 between blocks).
 */
export interface ShapeSpec {
  kind: 'shape';
  /** Points per block. */
  step?: number;
  /** Blocks in a shape. */
  window?: number;
  /** Prototypes kept (memory bound: prototypes × 2·window numbers). */
  prototypes?: number;
  /** Distance (share of the range) within which a shape updates its prototype rather than adding one. */
  radius?: number;
  /** A shape this many times the usual nearest distance scores 0.5. */
  threshold?: number;
  /** Points over which the range's extremes shrink back towards the recent values (0: never). */
  rangeMemory?: number;
  /** Points before anything is flagged. */
  warmup?: number;
  /** After a flag, this many points score 0. */
  cooldown?: number;
}

/**
 * Resonance detector (ARTime's approach, for a stream): the recent course of the series, as block
 * levels and their Haar-transformed form, learned as fuzzy ART categories with two vigilance levels
 * that adapt to the series; a course below the lower level is new behaviour. Its score is sparse: non-zero
 * only at the block that shows a new behaviour (resonance.ts).
 */
export interface ResonanceSpec {
  kind: 'resonance';
  /** Points per block. */
  step?: number;
  /** Blocks in a course (a power of 2). */
  window?: number;
  /** Categories kept (memory bound: categories × 4·window numbers). */
  categories?: number;
  /** Levels a block's value is quantised into, between the lowest and highest value seen. */
  levels?: number;
  /** A level this close (share of the range) to the median level counts as the median. */
  snap?: number;
  /** Points before anything is flagged: the categories and the vigilance are learned. */
  learningPeriod?: number;
  /** Vigilance the categories of the learning period are built with. */
  initialVigilance?: number;
  /** Blocks of matches the lower vigilance follows. */
  trend?: number;
  /** Blocks after a new category or an anomaly during which a new behaviour is not flagged again. */
  mask?: number;
  /** After a flag, this many points score 0. */
  cooldown?: number;
}

/**
 * HTM's anomaly likelihood, as a post-processing step on any raw score: the mean of the last
 * `averagingWindow` raw scores, compared with the long-run distribution of that mean (a normal
 * distribution with exponentially weighted mean and variance over about `historyWindow` points), gives
 * the tail probability of what is happening now. The score is log(tail) / log(1e-10), so 0.5 is a tail
 * probability of 1e-5: an alert line with the same meaning on every series, however noisy its raw score.
 */
export interface LikelihoodSpec {
  kind: 'likelihood';
  /** The raw score: one detector, or several whose scores are averaged. Default: seasonal. */
  raw?: RawSpec | RawSpec[];
  averagingWindow?: number;
  historyWindow?: number;
  /** Points whose raw scores are not yet used for the distribution (the raw detector still learning). */
  learningPeriod?: number;
  /** Points (after learningPeriod) before anything is flagged. */
  warmup?: number;
  /** Smallest standard deviation of the averaged raw score. */
  minSpread?: number;
  /** Also flag an average far below the usual (a noisy series gone flat). Default false. */
  bothTails?: boolean;
  /**
   * Spatial novelty (HTM's NAB detector): after learningPeriod, a value beyond the lowest or highest value learned
   * by more than this share of that range scores 1. Default 0.05 (measured: docs/benchmarks.md); 0
   * turns it off.
   */
  spatialTolerance?: number;
  /** After a flag, this many points score 0. */
  cooldown?: number;
}

export type RawSpec = StatisticalSpec | ContextSpec | ShapeSpec | ResonanceSpec;

export type RuleSpec = ThresholdSpec | RateOfChangeSpec | AbsenceSpec;
export type StatisticalSpec = RobustZSpec | EwmaSpec | SeasonalSpec;

export interface EnsembleSpec {
  kind: 'ensemble';
  /** Detectors combined (statistical, context, shape or likelihood). Default: robust-z, ewma and seasonal. */
  members?: Array<RawSpec | LikelihoodSpec>;
  /**
   * How the members' scores make the ensemble's: 'mean' (default; a vote: each member scores 0.5 at its
   * line, so the ensemble flags when they are on average at their lines) or 'max' (any member at its
   * line flags: for members that see different things, such as a spike and a change of shape).
   */
  combine?: 'mean' | 'max';
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

export type DetectorSpec =
  StatisticalSpec | ContextSpec | ShapeSpec | ResonanceSpec | LikelihoodSpec | RuleSpec | EnsembleSpec;
export type DetectorKind = DetectorSpec['kind'];
