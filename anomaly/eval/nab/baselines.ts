/**
 * Reference detectors for reading NAB numbers, not for production: NAB's null detector (the 0 of the
 * scale), its random detector, and its windowed Gaussian (window 6400, step 100, score 1 − Q(|z|)),
 * re-implemented from NAB's code. Scoring them on the same corpus shows how this subset compares with
 * the full corpus NAB's published scores come from.
 */
import type { Point } from '../../detectors';

export interface ScoringDetector {
  observe(point: Point): { score: number };
  /** Points scored but not learned (timestamp not later than the last learned), where the detector counts them. */
  readonly stalePoints?: number;
}

export class NullBaseline implements ScoringDetector {
  observe(): { score: number } {
    return { score: 0.5 };
  }
}

/** Uniform scores from a seeded generator (mulberry32), the same for the same file and seed. */
export class RandomBaseline implements ScoringDetector {
  private state: number;

  constructor(seed: string) {
    let h = 2166136261;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
    this.state = h >>> 0;
  }

  observe(): { score: number } {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return { score: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
  }
}

/** erfc with a fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes' erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export class WindowedGaussianBaseline implements ScoringDetector {
  private window: number[] = [];
  private step: number[] = [];
  private mean = 0;
  private std = 1;
  /** Welford's running mean and sum of squares while the window fills (NAB recomputes them each time). */
  private m2 = 0;

  constructor(
    private readonly windowSize = 6400,
    private readonly stepSize = 100,
  ) {}

  observe(point: Point): { score: number } {
    let score = 0;
    if (this.window.length > 0) {
      const z = Math.abs(point.value - this.mean) / this.std;
      score = 1 - 0.5 * erfc(z / Math.SQRT2);
    }
    if (this.window.length < this.windowSize) {
      this.window.push(point.value);
      const n = this.window.length;
      const delta = point.value - (n === 1 ? 0 : this.mean);
      this.mean = n === 1 ? point.value : this.mean + delta / n;
      this.m2 += delta * (point.value - this.mean);
      this.std = Math.sqrt(this.m2 / n) || 0.000001;
    } else {
      this.step.push(point.value);
      if (this.step.length === this.stepSize) {
        this.window = [...this.window.slice(this.stepSize), ...this.step];
        this.step = [];
        this.recompute();
      }
    }
    return { score };
  }

  private recompute(): void {
    const n = this.window.length;
    this.mean = this.window.reduce((s, v) => s + v, 0) / n;
    this.m2 = this.window.reduce((s, v) => s + (v - this.mean) ** 2, 0);
    this.std = Math.sqrt(this.m2 / n) || 0.000001;
  }
}
