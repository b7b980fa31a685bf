import { EwmaDetector } from './ewma';

const MINUTE = 60_000;

describe('ewma', () => {
  test('the mean and variance start as plain running ones, then weigh recent points more', () => {
    const d = new EwmaDetector({ alpha: 0.1, warmup: 0, calibrationWindow: 0, clampAt: 0 });
    [1, 2, 3].forEach((value, i) => d.observe({ timestamp: (i + 1) * MINUTE, value }));
    const state = d.snapshot().state as { mean: number; variance: number };
    expect(state.mean).toBeCloseTo(2, 10);
    expect(state.variance).toBeCloseTo(2 / 3, 10); // population variance of 1, 2, 3
  });

  test('follows a level shift: flags it, then stops flagging the new level', () => {
    const d = new EwmaDetector({ alpha: 0.1, warmup: 20, cooldown: 0, calibrationWindow: 0, clampAt: 0 });
    const value = (i: number) => (i < 200 ? 10 : 20) + 0.3 * Math.sin(i * 1.3);
    const flags = Array.from(
      { length: 400 },
      (_, i) => d.observe({ timestamp: (i + 1) * MINUTE, value: value(i) }).anomalous,
    );
    expect(flags.slice(0, 200).some(Boolean)).toBe(false);
    expect(flags[200]).toBe(true);
    expect(flags.slice(300).some(Boolean)).toBe(false);
  });

  test('clamping keeps one outlier from blowing up the variance', () => {
    const run = (clampAt: number) => {
      const d = new EwmaDetector({ alpha: 0.05, warmup: 10, clampAt, calibrationWindow: 0 });
      for (let i = 0; i < 100; i++) d.observe({ timestamp: (i + 1) * MINUTE, value: 5 + 0.1 * Math.sin(i) });
      d.observe({ timestamp: 101 * MINUTE, value: 500 });
      return (d.snapshot().state as { variance: number }).variance;
    };
    expect(run(4)).toBeLessThan(run(0) / 100);
  });
});
