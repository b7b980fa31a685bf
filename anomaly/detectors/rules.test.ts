import { isSluiceError } from '../../lib/errors';
import { AbsenceRule, RateOfChangeRule, ThresholdRule } from './rules';

const MINUTE = 60_000;

describe('threshold rule', () => {
  test('flags values above or below, warm from the first point, with a one-sided band', () => {
    const rule = new ThresholdRule({ above: 30 });
    expect(rule.observe({ timestamp: 1, value: 30 })).toMatchObject({
      anomalous: false,
      warm: true,
      score: 0,
      expected: { low: -Infinity, high: 30 },
    });
    expect(rule.observe({ timestamp: 2, value: 30.5 })).toMatchObject({
      anomalous: true,
      score: 1,
      reasons: ['threshold: 30.5 above 30'],
    });
    const both = new ThresholdRule({ above: 10, below: 2 });
    expect(both.observe({ timestamp: 1, value: 1 }).reasons).toEqual(['threshold: 1 below 2']);
    expect(both.observe({ timestamp: 2, value: NaN }).anomalous).toBe(false);
  });

  test('needs above or below', () => {
    expect(() => new ThresholdRule({})).toThrow(expect.objectContaining({ code: 'SLUICE_CONFIG_INVALID' }));
  });
});

describe('rate-of-change rule', () => {
  test('flags a change faster than maxPerMinute, per minute of event time', () => {
    const rule = new RateOfChangeRule({ maxPerMinute: 2 });
    expect(rule.observe({ timestamp: 0, value: 10 }).warm).toBe(false);
    // +5 in 5 minutes is 1/min; then +5 in 1 minute is 5/min.
    expect(rule.observe({ timestamp: 5 * MINUTE, value: 15 })).toMatchObject({
      anomalous: false,
      expected: { low: 0, high: 20 },
    }); // 10 ± 2/min · 5 min
    expect(rule.observe({ timestamp: 6 * MINUTE, value: 20 })).toMatchObject({
      anomalous: true,
      reasons: ['rate-of-change: 5/min (limit 2/min)'],
    });
  });

  test("direction 'down' flags only falls", () => {
    const rule = new RateOfChangeRule({ maxPerMinute: 1, direction: 'down' });
    rule.observe({ timestamp: 0, value: 10 });
    expect(rule.observe({ timestamp: MINUTE, value: 20 }).anomalous).toBe(false);
    expect(rule.observe({ timestamp: 2 * MINUTE, value: 5 }).anomalous).toBe(true);
  });
});

describe('absence rule', () => {
  test('tick(now) reports one silence once, and watches again after a point comes', () => {
    const rule = new AbsenceRule({ afterSeconds: 150 });
    expect(rule.tick(10 * MINUTE)).toBeUndefined(); // never had a point: not watched
    rule.observe({ timestamp: MINUTE, value: 1 });
    expect(rule.tick(MINUTE + 149_000)).toBeUndefined();
    expect(rule.tick(MINUTE + 150_000)).toMatchObject({
      anomalous: true,
      score: 1,
      reasons: ['absence: no point for 150s (limit 150s)'],
    });
    expect(rule.tick(MINUTE + 300_000)).toBeUndefined();
    rule.observe({ timestamp: 10 * MINUTE, value: 1 });
    expect(rule.tick(13 * MINUTE)?.anomalous).toBe(true);
  });

  test('a missing value is not a point; its state survives a snapshot', () => {
    const rule = new AbsenceRule({ afterSeconds: 60 });
    rule.observe({ timestamp: 0, value: 1 });
    rule.observe({ timestamp: 30_000, value: NaN });
    const copy = new AbsenceRule({ afterSeconds: 60 });
    copy.restore(JSON.parse(JSON.stringify(rule.snapshot())));
    expect(copy.tick(60_000)?.anomalous).toBe(true);
    expect(copy.lastPoint).toBe(0);
  });

  test('needs a positive afterSeconds; restoring another kind is SLUICE_DATA_INVALID', () => {
    expect(() => new AbsenceRule({ afterSeconds: 0 })).toThrow(/afterSeconds must be a number greater than 0/);
    try {
      new AbsenceRule({ afterSeconds: 5 }).restore(new ThresholdRule({ above: 1 }).snapshot());
      throw new Error('no error');
    } catch (error) {
      expect(isSluiceError(error, 'SLUICE_DATA_INVALID')).toBe(true);
      expect((error as Error).message).toBe(
        'the saved state of a absence detector is unusable: kind is "threshold", not \'absence\'',
      );
    }
  });
});
