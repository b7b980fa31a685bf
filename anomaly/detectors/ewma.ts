/**
 * EWMA: an exponentially weighted mean and variance, updated in O(1) per point. It follows a level
 * that moves (which the rolling median only does once half its window has moved) and forgets at a
 * rate set by alpha: a point's weight halves every ln 2 / alpha points.
 */
import {
  StatisticalDetector,
  checkStatisticalOptions,
  resolveStatistical,
  type Expectation,
  type StateReader,
} from './base';
import { checkNumber } from './score';
import { floorScale } from './stats';
import type { EwmaSpec, Json, Point } from './types';

export const EWMA_DEFAULTS = { alpha: 0.02, clampAt: 4 } as const;

export function checkEwma(spec: EwmaSpec): void {
  checkStatisticalOptions('ewma', spec);
  checkNumber('ewma', 'alpha', spec.alpha, { above: 0, below: 1 });
  checkNumber('ewma', 'clampAt', spec.clampAt, { min: 0 });
}

export class EwmaDetector extends StatisticalDetector {
  readonly kind = 'ewma' as const;
  private readonly alpha: number;
  private readonly clampAt: number;
  private mean = 0;
  private variance = 0;

  constructor(spec: Omit<EwmaSpec, 'kind'> = {}) {
    checkEwma({ kind: 'ewma', ...spec });
    super(resolveStatistical(spec));
    this.alpha = spec.alpha ?? EWMA_DEFAULTS.alpha;
    this.clampAt = spec.clampAt ?? EWMA_DEFAULTS.clampAt;
  }

  protected expect(): Expectation | undefined {
    if (this.seen === 0) return undefined;
    return {
      centre: this.mean,
      scale: floorScale(Math.sqrt(this.variance), this.mean, this.options.minScale, this.options.relativeMinScale),
    };
  }

  protected learn(point: Point, expected: Expectation | undefined): void {
    if (!expected) {
      this.mean = point.value;
      this.variance = 0;
      return;
    }
    let x = point.value;
    if (this.clampAt > 0 && this.seen >= this.options.warmup) {
      const limit = this.clampAt * expected.scale;
      x = Math.min(expected.centre + limit, Math.max(expected.centre - limit, x));
    }
    // Plain running mean and variance at first (weight 1/n), so the start does not weigh on them for
    // 1/alpha points; then the exponential weight.
    const a = Math.max(this.alpha, 1 / (this.seen + 1));
    const diff = x - this.mean;
    const increment = a * diff;
    this.mean += increment;
    this.variance = (1 - a) * (this.variance + diff * increment);
  }

  protected saveState(): { [key: string]: Json } {
    return { mean: this.mean, variance: this.variance };
  }

  protected loadState(_state: { [key: string]: Json }, reader: StateReader): void {
    const mean = reader.number('mean');
    const variance = reader.number('variance');
    if (variance < 0) reader.fail('variance', 'is negative');
    this.mean = mean;
    this.variance = variance;
  }
}
