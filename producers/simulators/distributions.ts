/**
 * The distributions the simulators draw from, all on a seeded `Random`: normal (Box-Muller), log-normal,
 * exponential inter-arrival times, Poisson counts, Zipf ranks and weighted choices.
 */
import type { Random } from './random';

/** Normal (Gaussian) by the Box-Muller transform. */
export function normal(rng: Random, mean = 0, sd = 1): number {
  const u1 = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  const u2 = rng.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Log-normal given the median (e^mu) and sigma of the underlying normal: half the draws are below `median`. */
export function logNormal(rng: Random, median: number, sigma: number): number {
  return median * Math.exp(normal(rng, 0, sigma));
}

/** Exponential with `rate` events per unit: the gap until the next event of a Poisson process. */
export function exponential(rng: Random, rate: number): number {
  return -Math.log(1 - rng.next()) / rate;
}

/** Poisson count with mean `lambda` (Knuth's method; a rounded normal above 50, where it is close enough). */
export function poisson(rng: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) return Math.max(0, Math.round(normal(rng, lambda, Math.sqrt(lambda))));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Index of the first cumulative weight above u (binary search). */
function search(cumulative: readonly number[], u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulativeOf(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0)))
    throw new RangeError('weights must be non-negative with a positive sum');
  let running = 0;
  return weights.map((w) => (running += w / total));
}

/** Zipf over n ranks: rank k (0-based) has probability proportional to 1 / (k + 1)^s. */
export class Zipf {
  private readonly cumulative: number[];

  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(n >= 1)) throw new RangeError('Zipf needs at least one item');
    this.cumulative = cumulativeOf(Array.from({ length: n }, (_, k) => 1 / Math.pow(k + 1, s)));
  }

  /** A rank in [0, n). */
  sample(rng: Random): number {
    return search(this.cumulative, rng.next());
  }

  /** The probability of rank k. */
  probability(k: number): number {
    return (this.cumulative[k] ?? 0) - (k > 0 ? (this.cumulative[k - 1] ?? 0) : 0);
  }
}

/** A choice among items with fixed weights (need not sum to 1). */
export class Weighted<T> {
  private readonly items: readonly T[];
  private readonly cumulative: number[];

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) throw new RangeError('Weighted needs at least one item');
    this.items = entries.map(([item]) => item);
    this.cumulative = cumulativeOf(entries.map(([, weight]) => weight));
  }

  sample(rng: Random): T {
    return this.items[search(this.cumulative, rng.next())] as T;
  }
}

/** Rounds to `digits` decimals (for values a device or a bank would report with limited precision). */
export function round(value: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(value * f) / f;
}
