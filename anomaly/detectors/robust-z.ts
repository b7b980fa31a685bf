/**
 * Robust z-score: how far a point is from the median of the last `window` points, in MADs scaled to a
 * standard deviation. The median and MAD ignore the outliers they are meant to find (up to half the
 * window), where a mean and standard deviation would be dragged by them.
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
import type { Json, Point, RobustZSpec } from './types';

export const ROBUST_Z_DEFAULTS = { window: 2000 } as const;

export function checkRobustZ(spec: RobustZSpec): void {
  checkStatisticalOptions('robust-z', spec);
  checkNumber('robust-z', 'window', spec.window, { min: 3, integer: true });
}

export class RobustZDetector extends StatisticalDetector {
  readonly kind = 'robust-z' as const;
  private readonly window: RollingWindow;

  constructor(spec: Omit<RobustZSpec, 'kind'> = {}) {
    checkRobustZ({ kind: 'robust-z', ...spec });
    super(resolveStatistical(spec));
    this.window = new RollingWindow(spec.window ?? ROBUST_Z_DEFAULTS.window);
  }

  protected expect(): Expectation | undefined {
    if (this.window.size === 0) return undefined;
    return robustStats(this.window, this.options.minScale, this.options.relativeMinScale);
  }

  protected learn(point: Point): void {
    this.window.add(point.value);
  }

  protected saveState(): { [key: string]: Json } {
    return { window: this.window.values() };
  }

  protected loadState(_state: { [key: string]: Json }, reader: StateReader): void {
    this.window.load(reader.numbers('window'));
  }
}
