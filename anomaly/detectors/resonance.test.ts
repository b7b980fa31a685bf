/** The resonance detector (ARTime's approach for a stream): a course never seen is flagged once; controls. */
import { SluiceError } from '../../lib/errors';
import { createDetector } from './index';
import { RESONANCE_DEFAULTS, ResonanceDetector } from './resonance';
import type { Detector, DetectorSnapshot } from './types';

const MINUTE = 60_000;
/** A wave of period 100 with a little fixed jitter. */
const jitter = (i: number) => ((i * 7919) % 13) / 13;
const wave = (i: number) => 10 + 5 * Math.sin((2 * Math.PI * i) / 100) + jitter(i);
/** From 3000 to 3200 the wave becomes a square of period 20 around the same level. */
const changed = (i: number) => (i >= 3000 && i < 3200 ? 10 + jitter(i) + (i % 20 < 10 ? 4 : -4) : wave(i));

function run(detector: Detector, value: (i: number) => number, n = 4000): { flags: number[]; nonZero: number[] } {
  const flags: number[] = [];
  const nonZero: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = detector.observe({ timestamp: i * MINUTE, value: value(i) });
    if (o.anomalous) flags.push(i);
    if (o.score > 0) nonZero.push(i);
  }
  return { flags, nonZero };
}

describe('resonance', () => {
  test('flags a course never seen, once, within a few blocks of its start', () => {
    const { flags, nonZero } = run(new ResonanceDetector(), changed);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toBeGreaterThanOrEqual(3000);
    expect(flags[0]).toBeLessThan(3000 + 4 * RESONANCE_DEFAULTS.step);
    // The score is sparse: non-zero only where a new behaviour is flagged.
    expect(nonZero).toEqual(flags);
  });

  test('control: the same wave all along is never scored', () => {
    expect(run(new ResonanceDetector(), wave).nonZero).toEqual([]);
  });

  test('nothing is flagged during the learning period, and it says it is not warm', () => {
    const d = new ResonanceDetector({ learningPeriod: 1000 });
    const early = Array.from({ length: 999 }, (_, i) =>
      d.observe({ timestamp: i * MINUTE, value: i % 7 === 0 ? 100 : 1 }),
    );
    expect(early.every((o) => o.score === 0 && !o.warm)).toBe(true);
  });

  test('a snapshot taken mid-way, through JSON, restores a detector that scores the rest the same', () => {
    const a = new ResonanceDetector();
    const b = new ResonanceDetector();
    for (let i = 0; i < 2503; i++) a.observe({ timestamp: i * MINUTE, value: changed(i) });
    b.restore(JSON.parse(JSON.stringify(a.snapshot())) as DetectorSnapshot);
    expect(b.snapshot()).toEqual(a.snapshot());
    for (let i = 2503; i < 4000; i++) {
      const p = { timestamp: i * MINUTE, value: changed(i) };
      expect(b.observe(p)).toEqual(a.observe(p));
    }
    // Bounded: at most `categories` categories of 4·window numbers.
    const state = a.snapshot().state as { categories: number[][] };
    expect(state.categories.length).toBeLessThanOrEqual(RESONANCE_DEFAULTS.categories);
    expect(JSON.stringify(a.snapshot()).length).toBeLessThan(12_000);
  });

  test('a repeated or late point is scored, not learned, and counted', () => {
    const d = new ResonanceDetector();
    for (let i = 0; i < 700; i++) d.observe({ timestamp: i * MINUTE, value: wave(i) });
    const before = JSON.stringify(d.snapshot());
    d.observe({ timestamp: 699 * MINUTE, value: 500 });
    d.observe({ timestamp: 100 * MINUTE, value: 500 });
    d.observe({ timestamp: 700 * MINUTE, value: Number.NaN });
    expect(JSON.stringify(d.snapshot())).toBe(before);
    expect(d.stalePoints).toBe(2);
  });

  test('refuses a snapshot of another shape, and options out of range, naming the option', () => {
    const d = new ResonanceDetector({ window: 8 });
    const other = new ResonanceDetector({ window: 4 });
    for (let i = 0; i < 600; i++) other.observe({ timestamp: i * MINUTE, value: wave(i) });
    expect(() => d.restore(other.snapshot())).toThrow(SluiceError);
    expect(() => createDetector({ kind: 'resonance', window: 6 })).toThrow(/window/);
    expect(() => createDetector({ kind: 'resonance', step: 0 })).toThrow(/step/);
  });
});
