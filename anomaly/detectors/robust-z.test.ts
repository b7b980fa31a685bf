import { isSluiceError } from '../../lib/errors';
import { RobustZDetector } from './robust-z';

const MINUTE = 60_000;
/** A noisy level: 100 ± a deterministic wiggle of about 1. */
const level = (i: number) => 100 + Math.sin(i * 1.7) + 0.5 * Math.sin(i * 0.31);

function feed(d: RobustZDetector, n: number, value: (i: number) => number = level, from = 0) {
  return Array.from({ length: n }, (_, k) => d.observe({ timestamp: (from + k + 1) * MINUTE, value: value(from + k) }));
}

describe('robust-z', () => {
  test('flags nothing while warming up, then a spike, with the median ± threshold·scale as the band', () => {
    const d = new RobustZDetector({ warmup: 30, calibrationWindow: 0 });
    const first = feed(d, 30);
    expect(first.every((o) => !o.warm && !o.anomalous && o.score === 0)).toBe(true);
    const normal = feed(d, 100, level, 30);
    expect(normal.filter((o) => o.anomalous)).toEqual([]);
    const [spike] = feed(d, 1, () => 130, 130);
    expect(spike).toMatchObject({ anomalous: true, warm: true });
    expect(spike!.score).toBeGreaterThan(0.8);
    expect(spike!.expected.low).toBeLessThan(100);
    expect(spike!.expected.high).toBeGreaterThan(100);
    expect(spike!.expected.high).toBeLessThan(110);
    expect(spike!.reasons[0]).toMatch(/^robust-z: \d+\.\dσ above 100/);
  });

  test('the score is 0.5 exactly at the threshold', () => {
    const d = new RobustZDetector({ warmup: 0, calibrationWindow: 0, threshold: 3 });
    feed(d, 200);
    const probe = d.observe({ timestamp: 1e9, value: 0 });
    const atLine = new RobustZDetector({ warmup: 0, calibrationWindow: 0, threshold: 3 });
    feed(atLine, 200);
    expect(atLine.observe({ timestamp: 1e9, value: probe.expected.high }).score).toBeCloseTo(0.5, 10);
  });

  test('a spike does not move the median: the next normal point is not flagged', () => {
    const d = new RobustZDetector({ warmup: 10 });
    feed(d, 100);
    feed(d, 5, () => 1000, 100);
    expect(feed(d, 20, level, 105).some((o) => o.anomalous)).toBe(false);
  });

  test("direction 'up' ignores drops", () => {
    const d = new RobustZDetector({ warmup: 10, direction: 'up', calibrationWindow: 0 });
    feed(d, 100);
    expect(d.observe({ timestamp: 101 * MINUTE, value: 0 }).anomalous).toBe(false);
    expect(d.observe({ timestamp: 102 * MINUTE, value: 200 }).anomalous).toBe(true);
  });

  test('after a flag the cooldown holds back the next points, then flags again', () => {
    const d = new RobustZDetector({ warmup: 10, cooldown: 3, calibrationWindow: 0 });
    feed(d, 50);
    const spikes = feed(d, 5, () => 500, 50);
    expect(spikes.map((o) => o.anomalous)).toEqual([true, false, false, false, true]);
    expect(spikes[1]!.score).toBe(0);
  });

  test('a redelivered (not later) point or a missing value is scored but neither learned nor flagged', () => {
    const d = new RobustZDetector({ warmup: 10 });
    feed(d, 50);
    const before = JSON.stringify(d.snapshot());
    expect(d.observe({ timestamp: 10 * MINUTE, value: 10_000 }).anomalous).toBe(false);
    expect(d.observe({ timestamp: 51 * MINUTE, value: NaN }).anomalous).toBe(false);
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  test('a bad option is a SLUICE_CONFIG_INVALID naming it', () => {
    try {
      new RobustZDetector({ window: 1 });
      throw new Error('no error');
    } catch (error) {
      expect(isSluiceError(error, 'SLUICE_CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('window must be an integer at least 3');
    }
    expect(() => new RobustZDetector({ direction: 'sideways' as never })).toThrow(/direction/);
  });
});
