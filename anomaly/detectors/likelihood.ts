/**
 * Anomaly likelihood: the post-processing step of Numenta's HTM detector (Ahmad et al., 2017), which
 * applies to any raw score. A raw score alone is hard to threshold: a noisy series has high raw scores
 * all the time, a calm one never. The likelihood asks instead how unusual the recent raw scores are
 * for this series:
 *
 * - a: the mean of the last `averagingWindow` raw scores (a sustained change outweighs one blip);
 * - the long-run distribution of a, as a normal distribution whose mean and variance are weighted
 *   exponentially over about `historyWindow` points (the HTM code keeps a window of 8 640 points and
 *   refits every 100; the weighted moments need O(1) memory and follow the series as well);
 * - tail = Q((a − mean) / sd), the chance of an average this high (or, with bothTails, this far from
 *   the mean either way: a noisy series gone flat is news too);
 * - score = log(tail) / log(1e−10), clamped to 0..1: 0.5 is a tail of 1e−5, HTM's "red" level.
 *
 * The raw detectors run without their own cooldown; the likelihood's own cooldown holds back the
 * points after a flag. Nothing is flagged before learningPeriod + warmup points: the raw detectors
 * learn during learningPeriod (their early scores would teach the distribution that everything is
 * surprising), then the distribution learns for warmup points.
 *
 * Spatial novelty (`spatialTolerance`, HTM's NAB detector does the same): after learningPeriod (the
 * range is learned with the raw detectors; the distribution need not be warm), a value beyond the
 * lowest or highest value learned so far by more than spatialTolerance × that range scores 1, whatever
 * the raw scores say. A new extreme is what a raw detector that has just widened its own spread misses.
 *
 * State: the raw detectors' state, the last averagingWindow raw scores, and six numbers.
 */
import { SluiceError } from '../../lib/errors';
import { StateReader } from './base';
import { createRaw } from './factory';
import { erfcApprox } from './stats';
import { checkNumber } from './score';
import {
  ALERT_SCORE,
  type Band,
  type Detector,
  type DetectorSnapshot,
  type Json,
  type LikelihoodSpec,
  type Observation,
  type Point,
  type RawSpec,
} from './types';

/**
 * The defaults are the setting NAB's cross-validation picks on every file for the family
 * `likelihood+spatial` (anomaly/eval/nab/families.ts; docs/decisions/0020-likelihood-defaults.md).
 */
export const LIKELIHOOD_DEFAULTS = {
  raw: { kind: 'seasonal' } as RawSpec,
  averagingWindow: 20,
  historyWindow: 2000,
  learningPeriod: 300,
  warmup: 100,
  minSpread: 0.01,
  bothTails: false,
  cooldown: 200,
  spatialTolerance: 0.05,
} as const;

/** A number for an alert's text: four significant digits. */
const short = (x: number): number => Number(x.toPrecision(4));

/** log(tail) / log(1e-10): 0 for an ordinary tail, 0.5 at 1e-5, 1 at 1e-10 and below. */
export function logScore(tail: number): number {
  return Math.min(1, Math.max(0, Math.log(tail + 1e-10) / Math.log(1e-10)));
}

export class LikelihoodDetector implements Detector {
  readonly kind = 'likelihood' as const;
  private readonly raw: Detector[];
  private readonly averagingWindow: number;
  private readonly alpha: number;
  private readonly learningPeriod: number;
  private readonly warmup: number;
  private readonly minSpread: number;
  private readonly bothTails: boolean;
  private readonly cooldown: number;
  private readonly spatialTolerance: number;
  /** Lowest and highest value learned (NaN before the first). */
  private low = NaN;
  private high = NaN;
  /** The last raw scores (learned points only), oldest first. */
  private recent: number[] = [];
  private mean = 0;
  private variance = 0;
  /** Averages the distribution has learned. */
  private learned = 0;
  private seen = 0;
  private last = -Infinity;
  private quiet = 0;
  private stale = 0;

  constructor(spec: Omit<LikelihoodSpec, 'kind'> = {}) {
    const s = { ...LIKELIHOOD_DEFAULTS, ...spec };
    const raws = Array.isArray(s.raw) ? s.raw : [s.raw];
    if (raws.length === 0) {
      throw new SluiceError('SLUICE_CONFIG_INVALID', 'detector likelihood: raw is an empty list', {
        path: 'likelihood.raw',
        fix: "give one raw detector, e.g. raw: { kind: 'context' }, or leave raw out",
      });
    }
    this.raw = raws.map((r, i) => createRaw(r, Array.isArray(s.raw) ? `likelihood.raw[${i}]` : 'likelihood.raw'));
    checkNumber('likelihood', 'averagingWindow', spec.averagingWindow, { min: 1, integer: true });
    checkNumber('likelihood', 'historyWindow', spec.historyWindow, { min: 2 });
    checkNumber('likelihood', 'learningPeriod', spec.learningPeriod, { min: 0, integer: true });
    checkNumber('likelihood', 'warmup', spec.warmup, { min: 1, integer: true });
    checkNumber('likelihood', 'minSpread', spec.minSpread, { above: 0 });
    checkNumber('likelihood', 'cooldown', spec.cooldown, { min: 0, integer: true });
    checkNumber('likelihood', 'spatialTolerance', spec.spatialTolerance, { min: 0 });
    if (spec.bothTails !== undefined && typeof spec.bothTails !== 'boolean') {
      throw new SluiceError('SLUICE_CONFIG_INVALID', 'detector likelihood: bothTails must be true or false', {
        path: 'likelihood.bothTails',
        fix: 'leave it out (only unusually high raw scores count) or set true',
      });
    }
    this.averagingWindow = s.averagingWindow;
    this.alpha = 1 / s.historyWindow;
    this.learningPeriod = s.learningPeriod;
    this.warmup = s.warmup;
    this.minSpread = s.minSpread;
    this.bothTails = s.bothTails;
    this.cooldown = s.cooldown;
    this.spatialTolerance = s.spatialTolerance;
  }

  /** 'above' or 'below' when the value is beyond the learned range by more than the tolerance. */
  private beyondRange(value: number): 'above' | 'below' | undefined {
    if (this.spatialTolerance <= 0 || Number.isNaN(this.low)) return undefined;
    // A flat series (range 0) gets 1% of its level, so a flat line at 0 flags any change.
    const margin = this.spatialTolerance * Math.max(this.high - this.low, Math.abs(this.high) * 0.01);
    if (value > this.high + margin) return 'above';
    if (value < this.low - margin) return 'below';
    return undefined;
  }

  get stalePoints(): number {
    return this.stale;
  }

  observe(point: Point): Observation {
    const finite = Number.isFinite(point.value);
    const learnable = finite && point.timestamp > this.last;
    if (finite && !learnable) this.stale++;
    const votes = this.raw.map((d) => d.observe(point));
    const rawScore = votes.reduce((s, v) => s + v.score, 0) / votes.length;
    const expected = this.band(votes);
    const window = learnable ? [...this.recent, rawScore].slice(-this.averagingWindow) : this.recent;
    const average = window.length > 0 ? window.reduce((s, x) => s + x, 0) / window.length : 0;
    const warm = this.learned >= this.warmup;
    let score = 0;
    let tail = 1;
    if (warm && finite) {
      const sd = Math.max(this.minSpread, Math.sqrt(this.variance));
      const z = (average - this.mean) / sd;
      tail = 0.5 * erfcApprox((this.bothTails ? Math.abs(z) : z) / Math.SQRT2);
      score = logScore(tail);
    }
    // The range is learned with the raw detectors: it judges from the end of learningPeriod on.
    const rangeReady = this.seen >= this.learningPeriod;
    const beyond = rangeReady && finite ? this.beyondRange(point.value) : undefined;
    const range = `${short(this.low)} to ${short(this.high)}`;
    if (beyond) score = 1;
    let anomalous = false;
    // With spatialTolerance the detector judges (and says it is warm) once the range is ready.
    const judging = warm || (this.spatialTolerance > 0 && rangeReady);
    if (learnable && judging) {
      if (this.quiet > 0) {
        this.quiet--;
        score = 0;
      } else if (score >= ALERT_SCORE) {
        anomalous = true;
        this.quiet = this.cooldown;
      }
    }
    if (learnable) {
      this.recent = window;
      if (this.seen >= this.learningPeriod) {
        if (this.learned === 0) {
          this.mean = average;
          this.variance = 0;
        } else {
          const a = Math.max(this.alpha, 1 / (this.learned + 1));
          const delta = average - this.mean;
          this.mean += a * delta;
          this.variance = (1 - a) * (this.variance + a * delta * delta);
        }
        this.learned++;
      }
      this.seen++;
      this.last = point.timestamp;
      this.low = Number.isNaN(this.low) ? point.value : Math.min(this.low, point.value);
      this.high = Number.isNaN(this.high) ? point.value : Math.max(this.high, point.value);
    }
    const reasons = anomalous
      ? [
          ...(beyond ? [`likelihood: ${short(point.value)} ${beyond} the range learned so far (${range})`] : []),
          `likelihood: recent surprise ${average.toFixed(2)} against a usual ${this.mean.toFixed(2)} (chance ${tail.toExponential(1)})`,
          ...votes.flatMap((v) => v.reasons),
        ]
      : [];
    return { score, expected, anomalous, warm: judging, reasons };
  }

  private band(votes: Observation[]): Band {
    const known = votes.filter((v) => !Number.isNaN(v.expected.low) && !Number.isNaN(v.expected.high));
    if (known.length === 0) return { low: NaN, high: NaN };
    return {
      low: known.reduce((s, v) => s + v.expected.low, 0) / known.length,
      high: known.reduce((s, v) => s + v.expected.high, 0) / known.length,
    };
  }

  tick(): undefined {
    return undefined;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: 2,
      state: {
        low: Number.isNaN(this.low) ? null : this.low,
        high: Number.isNaN(this.high) ? null : this.high,
        seen: this.seen,
        last: Number.isFinite(this.last) ? this.last : null,
        quiet: this.quiet,
        learned: this.learned,
        mean: this.mean,
        variance: this.variance,
        recent: [...this.recent],
        raw: this.raw.map((d) => d.snapshot() as unknown as Json),
      },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    // Version 1 had no range: it is learned again from the next point.
    const version = (snapshot as { version?: unknown } | null)?.version === 1 ? 1 : 2;
    const reader = new StateReader(snapshot, this.kind, version);
    const low = version === 1 ? null : reader.nullableNumber('low');
    const high = version === 1 ? null : reader.nullableNumber('high');
    if ((low === null) !== (high === null) || (low !== null && high !== null && low > high))
      reader.fail('low', 'and high are not a range');
    const seen = reader.integer('seen');
    const last = reader.nullableNumber('last');
    const quiet = reader.integer('quiet');
    const learned = reader.integer('learned');
    const mean = reader.number('mean');
    const variance = reader.number('variance');
    const recent = reader.numbers('recent');
    if (recent.length > this.averagingWindow) reader.fail('recent', `has more than ${this.averagingWindow} scores`);
    const raw = reader.list('raw');
    if (raw.length !== this.raw.length)
      reader.fail('raw', `has ${raw.length} detectors; this one has ${this.raw.length}`);
    const before = this.raw.map((d) => d.snapshot());
    try {
      this.raw.forEach((d, i) => d.restore(raw[i] as unknown as DetectorSnapshot));
    } catch (error) {
      this.raw.forEach((d, i) => d.restore(before[i] as DetectorSnapshot));
      throw error;
    }
    Object.assign(this, {
      seen,
      quiet,
      learned,
      mean,
      variance,
      recent,
      last: last ?? -Infinity,
      low: low ?? NaN,
      high: high ?? NaN,
    });
  }
}
