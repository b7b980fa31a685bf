/**
 * Rolling robust statistics in bounded memory: the last `capacity` values, kept both in arrival order
 * (to know which one leaves) and sorted (for the median, and the MAD in O(log n) without sorting again).
 */

/** 1 / Φ⁻¹(3/4): makes the MAD of normal data an estimate of its standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

/** Φ⁻¹((1 + q) / 2): the q-quantile of |z| for normal data, for the calibration quantiles allowed. */
export function normalAbsQuantile(q: number): number {
  // Acklam's rational approximation of Φ⁻¹ (relative error below 1.2e-9), at p = (1 + q) / 2 ≥ 0.5.
  const p = (1 + q) / 2;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p > 0.97575) {
    const r = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) / ((((d0 * r + d1) * r + d2) * r + d3) * r + 1);
  }
  const r = p - 0.5;
  const t = r * r;
  return (
    ((((((a0 * t + a1) * t + a2) * t + a3) * t + a4) * t + a5) * r) /
    (((((b0 * t + b1) * t + b2) * t + b3) * t + b4) * t + 1)
  );
}

export class RollingWindow {
  private readonly ring: number[] = [];
  private head = 0;
  private readonly sorted: number[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`a rolling window needs a positive integer capacity, got ${capacity}`);
  }

  get size(): number {
    return this.sorted.length;
  }

  add(value: number): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(value);
    } else {
      const old = this.ring[this.head] as number;
      this.sorted.splice(lowerBound(this.sorted, old), 1);
      this.ring[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
    }
    this.sorted.splice(upperBound(this.sorted, value), 0, value);
  }

  median(): number {
    return medianOfSorted(this.sorted);
  }

  /** Median absolute deviation from the median (not scaled). */
  mad(): number {
    return this.deviationQuantile(0.5);
  }

  /** The q-quantile of the absolute deviations from the median (q = 0.5: the MAD). */
  deviationQuantile(q: number): number {
    const n = this.sorted.length;
    if (n === 0) return NaN;
    if (q !== 0.5) {
      const centre = this.median();
      const split = lowerBound(this.sorted, centre);
      const below = (i: number) => centre - (this.sorted[split - 1 - i] as number);
      const above = (i: number) => (this.sorted[split + i] as number) - centre;
      return kthOfTwo(below, split, above, n - split, Math.min(n - 1, Math.floor(q * (n - 1))));
    }
    const centre = this.median();
    const split = lowerBound(this.sorted, centre);
    // Deviations below the centre, nearest first, and above it, nearest first: two sorted runs.
    const below = (i: number) => centre - (this.sorted[split - 1 - i] as number);
    const above = (i: number) => (this.sorted[split + i] as number) - centre;
    const kth = (k: number) => kthOfTwo(below, split, above, n - split, k);
    return n % 2 === 1 ? kth((n - 1) / 2) : (kth(n / 2 - 1) + kth(n / 2)) / 2;
  }

  /** The q-quantile of the values (the nearest rank below, no interpolation). */
  quantile(q: number): number {
    const n = this.sorted.length;
    return n === 0 ? NaN : (this.sorted[Math.min(n - 1, Math.max(0, Math.floor(q * (n - 1))))] as number);
  }

  /** Mean absolute deviation from `centre`: the fallback scale when more than half the values are equal. */
  meanAbsoluteDeviation(centre: number): number {
    let sum = 0;
    for (const v of this.sorted) sum += Math.abs(v - centre);
    return this.sorted.length ? sum / this.sorted.length : NaN;
  }

  /** The values in arrival order, oldest first. */
  values(): number[] {
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
  }

  /** Refills from values in arrival order; keeps the newest `capacity` of them. */
  load(values: readonly number[]): void {
    this.ring.length = 0;
    this.sorted.length = 0;
    this.head = 0;
    for (const v of values.slice(-this.capacity)) this.add(v);
  }
}

export function medianOfSorted(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** First index whose value is >= x. */
export function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x. */
export function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The k-th smallest (0-based) of the union of two ascending sequences given by accessors: a binary
 * search on how many elements come from the first one.
 */
export function kthOfTwo(
  a: (i: number) => number,
  na: number,
  b: (i: number) => number,
  nb: number,
  k: number,
): number {
  let lo = Math.max(0, k + 1 - nb);
  let hi = Math.min(k + 1, na);
  while (lo <= hi) {
    const takeA = (lo + hi) >> 1;
    const takeB = k + 1 - takeA;
    const aLeft = takeA > 0 ? a(takeA - 1) : -Infinity;
    const aRight = takeA < na ? a(takeA) : Infinity;
    const bLeft = takeB > 0 ? b(takeB - 1) : -Infinity;
    const bRight = takeB < nb ? b(takeB) : Infinity;
    if (aLeft > bRight) hi = takeA - 1;
    else if (bLeft > aRight) lo = takeA + 1;
    else return Math.max(aLeft, bLeft);
  }
  throw new RangeError(`k=${k} is outside two sequences of ${na} and ${nb}`);
}

/**
 * Robust centre and scale of a window: the median, and the MAD scaled to a standard deviation. When
 * more than half the values are equal the MAD is 0 (counts, quantised CPU readings); the mean absolute
 * deviation (scaled the same way for normal data) takes over so the scale still says how spread the
 * rest is. The floors keep a flat series from flagging its first tiny change.
 */
export function robustStats(
  window: RollingWindow,
  minScale: number,
  relativeMinScale: number,
): { centre: number; scale: number } {
  const centre = window.median();
  let scale = MAD_TO_SIGMA * window.mad();
  if (scale === 0) scale = 1.2533 * window.meanAbsoluteDeviation(centre);
  return { centre, scale: floorScale(scale, centre, minScale, relativeMinScale) };
}

export function floorScale(scale: number, centre: number, minScale: number, relativeMinScale: number): number {
  return Math.max(scale, minScale, relativeMinScale * Math.abs(centre), Number.EPSILON * Math.max(1, Math.abs(centre)));
}

/**
 * A quantile of a stream that forgets, in constant memory: counts in logarithmic bins (10% wide, from
 * 0.01 up to 1e7, plus one bin for everything below), where each new value weighs 1/(1 − λ) times the
 * one before, λ = 1/(memory + 1). That is the same as decaying every count by (1 − λ) per value, without
 * touching them: a value `memory` points old weighs about 1/e of the newest. The counts are rescaled
 * before they overflow.
 */
export class DecayingQuantile {
  static readonly LOW = 0.01;
  static readonly RATIO = 1.1;
  static readonly BINS = 1 + Math.ceil(Math.log(1e7 / DecayingQuantile.LOW) / Math.log(DecayingQuantile.RATIO));
  private counts: number[] = new Array<number>(DecayingQuantile.BINS).fill(0);
  private total = 0;
  private weight = 1;
  /** The highest bin with a count. */
  private top = 0;
  private readonly grow: number;

  constructor(readonly memory: number) {
    if (!(memory >= 1)) throw new RangeError(`a decaying quantile needs a memory of at least 1 point, got ${memory}`);
    this.grow = 1 / (1 - 1 / (memory + 1));
  }

  get size(): number {
    return this.total / this.weight;
  }

  private static bin(x: number): number {
    if (!(x >= DecayingQuantile.LOW)) return 0;
    return Math.min(
      DecayingQuantile.BINS - 1,
      1 + Math.floor(Math.log(x / DecayingQuantile.LOW) / Math.log(DecayingQuantile.RATIO)),
    );
  }

  /** Adds a non-negative value. */
  add(x: number): void {
    const b = DecayingQuantile.bin(x);
    this.counts[b] = (this.counts[b] as number) + this.weight;
    this.top = Math.max(this.top, b);
    this.total += this.weight;
    this.weight *= this.grow;
    if (this.weight > 1e200) this.rescale(1 / this.weight);
  }

  private rescale(factor: number): void {
    this.counts = this.counts.map((c) => c * factor);
    this.total *= factor;
    this.weight *= factor;
  }

  /** The q-quantile, interpolated inside its bin (values below 0.01 count as 0). */
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    // Walk down from the highest bin in use: a high quantile is found within a few bins.
    const target = (1 - q) * this.total;
    let above = 0;
    for (let b = this.top; b >= 0; b--) {
      const c = this.counts[b] as number;
      if (c > 0 && above + c >= target) {
        if (b === 0) return 0;
        const low = DecayingQuantile.LOW * DecayingQuantile.RATIO ** (b - 1);
        return low * (1 + (DecayingQuantile.RATIO - 1) * ((above + c - target) / c));
      }
      above += c;
    }
    return 0;
  }

  /** The counts as they are (plain JSON: doubles survive JSON exactly, so a restored copy agrees to the bit). */
  save(): { weight: number; total: number; counts: number[] } {
    return { weight: this.weight, total: this.total, counts: [...this.counts] };
  }

  load(saved: { weight: number; total: number; counts: readonly number[] }): void {
    const { weight, total, counts } = saved;
    if (counts.length !== DecayingQuantile.BINS || counts.some((c) => !(c >= 0)) || !(weight > 0) || !(total >= 0)) {
      throw new RangeError(`expected a positive weight, a total and ${DecayingQuantile.BINS} non-negative counts`);
    }
    this.counts = [...counts];
    this.total = total;
    this.weight = weight;
    this.top = this.counts.reduce((top, c, b) => (c > 0 ? b : top), 0);
  }
}

/** erfc(x) with a fractional error below 1.2e-7 (the Chebyshev fit of Numerical Recipes' erfcc). */
export function erfcApprox(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
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
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}
