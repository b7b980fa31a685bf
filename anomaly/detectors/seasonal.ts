/**
 * Seasonal baseline for daily cycles: robust statistics (median, MAD) per time-of-day bucket, so 3 a.m.
 * is compared with earlier 3 a.m.s and not with the afternoon peak. A bucket with fewer than
 * `minBucketPoints` points (the first days) falls back to the statistics of the last `globalWindow`
 * points of every bucket. Memory: buckets × bucketWindow + globalWindow numbers.
 */
import {
  StatisticalDetector,
  checkStatisticalOptions,
  resolveStatistical,
  type Expectation,
  type StateReader,
} from './base';
import { checkNumber } from './score';
import { RollingWindow, robustStats } from './stats';
import type { Json, Point, SeasonalSpec } from './types';

export const SEASONAL_DEFAULTS = {
  periodMs: 86_400_000,
  buckets: 24,
  bucketWindow: 60,
  minBucketPoints: 12,
  globalWindow: 500,
} as const;

export function checkSeasonal(spec: SeasonalSpec): void {
  checkStatisticalOptions('seasonal', spec);
  checkNumber('seasonal', 'periodMs', spec.periodMs, { min: 1, integer: true });
  checkNumber('seasonal', 'buckets', spec.buckets, { min: 1, integer: true });
  checkNumber('seasonal', 'bucketWindow', spec.bucketWindow, { min: 3, integer: true });
  checkNumber('seasonal', 'minBucketPoints', spec.minBucketPoints, { min: 1, integer: true });
  checkNumber('seasonal', 'globalWindow', spec.globalWindow, { min: 3, integer: true });
}

export class SeasonalDetector extends StatisticalDetector {
  readonly kind = 'seasonal' as const;
  private readonly periodMs: number;
  private readonly minBucketPoints: number;
  private readonly buckets: RollingWindow[];
  private readonly global: RollingWindow;

  constructor(spec: Omit<SeasonalSpec, 'kind'> = {}) {
    checkSeasonal({ kind: 'seasonal', ...spec });
    super(resolveStatistical(spec));
    const d = { ...SEASONAL_DEFAULTS, ...spec };
    this.periodMs = d.periodMs;
    this.minBucketPoints = Math.min(d.minBucketPoints, d.bucketWindow);
    this.buckets = Array.from({ length: d.buckets }, () => new RollingWindow(d.bucketWindow));
    this.global = new RollingWindow(d.globalWindow);
  }

  /** The time-of-day bucket of a timestamp (UTC; a cycle that starts elsewhere is only shifted). */
  bucketOf(timestamp: number): number {
    const phase = ((timestamp % this.periodMs) + this.periodMs) % this.periodMs;
    return Math.min(this.buckets.length - 1, Math.floor((phase / this.periodMs) * this.buckets.length));
  }

  protected expect(timestamp: number): Expectation | undefined {
    const bucket = this.buckets[this.bucketOf(timestamp)] as RollingWindow;
    const source = bucket.size >= this.minBucketPoints ? bucket : this.global;
    if (source.size === 0) return undefined;
    return robustStats(source, this.options.minScale, this.options.relativeMinScale);
  }

  protected learn(point: Point): void {
    (this.buckets[this.bucketOf(point.timestamp)] as RollingWindow).add(point.value);
    this.global.add(point.value);
  }

  protected saveState(): { [key: string]: Json } {
    return { buckets: this.buckets.map((b) => b.values()), global: this.global.values() };
  }

  protected loadState(state: { [key: string]: Json }, reader: StateReader): void {
    const buckets = reader.list('buckets');
    if (buckets.length !== this.buckets.length)
      reader.fail('buckets', `has ${buckets.length} buckets; this detector has ${this.buckets.length}`);
    const values = buckets.map((b, i) => reader.numbers(String(i), { [String(i)]: b }));
    const global = reader.numbers('global', state);
    values.forEach((v, i) => (this.buckets[i] as RollingWindow).load(v));
    this.global.load(global);
  }
}
