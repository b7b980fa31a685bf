import { SeasonalDetector } from './seasonal';

const HOUR = 3_600_000;
/** Deterministic noise in [−1, 1). */
const noise = (t: number) => {
  const x = Math.sin(t * 12.9898e-5) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
};
/** 10 at night, 50 in the afternoon, smoothly, plus noise. */
const daily = (t: number) => 30 - 20 * Math.cos((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR)) + noise(t);

describe('seasonal', () => {
  test("compares a point with the same time of day: the afternoon's level is an anomaly at night", () => {
    const d = new SeasonalDetector({ warmup: 10, minBucketPoints: 6, calibrationWindow: 0, threshold: 6 });
    const step = 600_000;
    let t = 0;
    const flagged: number[] = [];
    for (; t < 5 * 24 * HOUR; t += step) if (d.observe({ timestamp: t, value: daily(t) }).anomalous) flagged.push(t);
    // Only the first day, while the time-of-day buckets are young, may see flags.
    expect(flagged.filter((x) => x >= 24 * HOUR)).toEqual([]);
    const night = 5 * 24 * HOUR + 1 * HOUR;
    const atNight = d.observe({ timestamp: night, value: 50 });
    expect(atNight.anomalous).toBe(true);
    expect(atNight.expected.high).toBeLessThan(20);
    const afternoon = d.observe({ timestamp: night + 12 * HOUR, value: 50 });
    expect(afternoon.anomalous).toBe(false);
  });

  test('a bucket that has fewer than minBucketPoints falls back to the global statistics', () => {
    const d = new SeasonalDetector({ warmup: 0, minBucketPoints: 5, calibrationWindow: 0 });
    for (let i = 0; i < 20; i++) d.observe({ timestamp: i * 60_000, value: 10 + (i % 3) });
    // Hour 5 has no point yet: the global median (11) is expected.
    const o = d.observe({ timestamp: 5 * HOUR, value: 11 });
    expect(o.expected.low).toBeLessThan(11);
    expect(o.expected.high).toBeGreaterThan(11);
    expect(d.bucketOf(5 * HOUR)).toBe(5);
    expect(d.bucketOf(-1)).toBe(23);
  });
});
