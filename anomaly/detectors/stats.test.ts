import { DecayingQuantile, RollingWindow, kthOfTwo, normalAbsQuantile, robustStats } from './stats';

/** A small deterministic generator (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe('RollingWindow', () => {
  test('median and MAD equal a brute-force computation over the last `capacity` values, as values leave', () => {
    const rnd = lcg(7);
    const w = new RollingWindow(25);
    const all: number[] = [];
    for (let i = 0; i < 300; i++) {
      const v = Math.round(rnd() * 20) + (i % 50 === 0 ? 100 : 0); // ties and outliers
      w.add(v);
      all.push(v);
      const last = all.slice(-25);
      const m = median(last);
      expect(w.median()).toBe(m);
      expect(w.mad()).toBe(median(last.map((x) => Math.abs(x - m))));
    }
    expect(w.size).toBe(25);
    expect(w.values()).toEqual(all.slice(-25));
  });

  test('the q-quantile of deviations, and load() keeps the newest values', () => {
    const w = new RollingWindow(5);
    w.load([1, 2, 3, 4, 5, 6, 7, 10]);
    expect(w.values()).toEqual([4, 5, 6, 7, 10]);
    // median 6; deviations 2, 1, 0, 1, 4 → sorted 0, 1, 1, 2, 4.
    expect(w.deviationQuantile(0.5)).toBe(1);
    expect(w.deviationQuantile(1)).toBe(4);
    expect(w.quantile(0)).toBe(4);
  });

  test('kthOfTwo finds the k-th of two sorted runs', () => {
    const a = [1, 4, 9];
    const b = [2, 3, 10, 11];
    const merged = [...a, ...b].sort((x, y) => x - y);
    merged.forEach((v, k) =>
      expect(
        kthOfTwo(
          (i) => a[i]!,
          3,
          (i) => b[i]!,
          4,
          k,
        ),
      ).toBe(v),
    );
  });

  test('robust scale: the MAD as a standard deviation, the mean absolute deviation when the MAD is 0, and floors', () => {
    const w = new RollingWindow(10);
    w.load([10, 10, 10, 10, 10, 10, 10, 12, 8, 10]);
    // MAD 0 (most values equal): 1.2533 · mean |x − 10| = 1.2533 · 0.4.
    expect(robustStats(w, 0, 0).scale).toBeCloseTo(0.50132, 5);
    expect(robustStats(w, 2, 0).scale).toBe(2);
    expect(robustStats(w, 0, 0.1).scale).toBe(1);
  });
});

describe('normal quantiles', () => {
  test('Φ⁻¹((1 + q)/2) for the quantiles of |z|', () => {
    expect(normalAbsQuantile(0.5)).toBeCloseTo(0.67449, 4);
    expect(normalAbsQuantile(0.95)).toBeCloseTo(1.95996, 4);
    expect(normalAbsQuantile(0.99)).toBeCloseTo(2.57583, 4);
  });
});

describe('DecayingQuantile', () => {
  test('estimates a high quantile of a stream within its 10% bins, in constant memory', () => {
    const rnd = lcg(3);
    const q = new DecayingQuantile(100_000);
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = -Math.log(1 - rnd()); // exponential, mean 1
      values.push(v);
      q.add(v);
    }
    const exact = [...values].sort((a, b) => a - b)[Math.floor(0.99 * 4999)]!;
    expect(Math.abs(q.quantile(0.99) / exact - 1)).toBeLessThan(0.1);
    expect(q.save().counts).toHaveLength(DecayingQuantile.BINS);
  });

  test('forgets: after a regime change the quantile follows the new values', () => {
    const q = new DecayingQuantile(100);
    for (let i = 0; i < 1000; i++) q.add(10);
    for (let i = 0; i < 1000; i++) q.add(1);
    expect(q.quantile(0.99)).toBeLessThan(1.2);
    expect(q.size).toBeLessThan(110);
  });

  test('save and load keep the estimate', () => {
    const q = new DecayingQuantile(500);
    for (let i = 1; i <= 400; i++) q.add(i / 10);
    const copy = new DecayingQuantile(500);
    copy.load(JSON.parse(JSON.stringify(q.save())) as ReturnType<DecayingQuantile['save']>);
    expect(copy.quantile(0.9)).toBe(q.quantile(0.9));
    q.add(5);
    copy.add(5);
    expect(copy.quantile(0.5)).toBe(q.quantile(0.5));
  });
});
