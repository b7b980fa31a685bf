import { EnsembleDetector } from './ensemble';
import type { Observation } from './types';

const MINUTE = 60_000;
const level = (i: number) => 50 + 2 * Math.sin(i * 1.7) + Math.sin(i * 0.37);

function feed(d: EnsembleDetector, from: number, n: number, value: (i: number) => number = level): Observation[] {
  return Array.from({ length: n }, (_, k) => d.observe({ timestamp: (from + k + 1) * MINUTE, value: value(from + k) }));
}

describe('ensemble', () => {
  test('its score is the mean of its members’ scores, and it flags when that reaches 0.5', () => {
    const d = new EnsembleDetector({ warmup: 30, cooldown: 0 });
    const warmup = feed(d, 0, 30);
    expect(warmup.every((o) => !o.warm && !o.anomalous)).toBe(true);
    expect(feed(d, 30, 200).filter((o) => o.anomalous)).toEqual([]);
    const [spike] = feed(d, 230, 1, () => 200);
    expect(spike!.anomalous).toBe(true);
    expect(spike!.reasons.join(' ')).toMatch(/robust-z: .*σ above/);
    expect(spike!.expected.high).toBeLessThan(200);
  });

  test('rules flag at once, even while the members warm up, and are not held back by the cooldown', () => {
    const d = new EnsembleDetector({ rules: [{ kind: 'threshold', above: 100 }], cooldown: 10 });
    const [first] = feed(d, 0, 1, () => 150);
    expect(first).toMatchObject({ anomalous: true, warm: false, score: 1, reasons: ['threshold: 150 above 100'] });
    expect(feed(d, 1, 3, () => 150).every((o) => o.anomalous)).toBe(true);
    expect(first!.expected.high).toBe(100);
  });

  test('after a statistical flag the cooldown holds back the next points', () => {
    const d = new EnsembleDetector({ cooldown: 5 });
    feed(d, 0, 200);
    const flags = feed(d, 200, 8, () => 500).map((o) => o.anomalous);
    expect(flags).toEqual([true, false, false, false, false, false, true, false]);
  });

  test('tick() reports what an absence rule finds', () => {
    const d = new EnsembleDetector({ rules: [{ kind: 'absence', afterSeconds: 120 }] });
    feed(d, 0, 5);
    expect(d.tick(6 * MINUTE)).toBeUndefined();
    expect(d.tick(8 * MINUTE)?.reasons).toEqual(['absence: no point for 180s (limit 120s)']);
  });

  test('restore is all or nothing: a bad member state leaves every part as it was', () => {
    const d = new EnsembleDetector({ rules: [{ kind: 'absence', afterSeconds: 60 }] });
    feed(d, 0, 40);
    const before = JSON.stringify(d.snapshot());
    const broken = JSON.parse(before) as { state: { members: Array<{ state: { global?: unknown } }> } };
    broken.state.members[2]!.state.global = 'nope';
    expect(() => d.restore(broken as never)).toThrow(expect.objectContaining({ code: 'SLUICE_DATA_INVALID' }));
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  test('members and rules must be detector specs', () => {
    expect(() => new EnsembleDetector({ members: [{ kind: 'absence' } as never] })).toThrow(
      /no detector kind "absence" here/,
    );
    expect(() => new EnsembleDetector({ members: [], rules: [] })).toThrow(/neither members nor rules/);
  });
});
