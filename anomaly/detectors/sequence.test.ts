/** The context, shape and likelihood detectors on series whose change they are built to see, with controls. */
import { ContextDetector } from './context';
import { createDetector } from './index';
import { LIKELIHOOD_DEFAULTS, LikelihoodDetector, logScore } from './likelihood';
import { ShapeDetector } from './shape';
import type { Detector } from './types';

const MINUTE = 60_000;
/** Feeds values one a minute; returns the indices flagged. */
function flagged(detector: Detector, values: number[]): number[] {
  return values.flatMap((value, i) => (detector.observe({ timestamp: i * MINUTE, value }).anomalous ? [i] : []));
}

describe('context', () => {
  // A saw-tooth 0,1,2,3,0,1,2,3…; from 600 on it runs backwards 3,2,1,0…: every value is usual, their order is not.
  const saw = Array.from({ length: 800 }, (_, i) => (i < 600 ? i % 4 : 3 - (i % 4)));
  test('flags values in an order never seen, though each value is usual', () => {
    const hits = flagged(new ContextDetector({ bins: 4, cooldown: 50 }), saw);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toBeGreaterThanOrEqual(600);
    expect(hits[0]).toBeLessThan(604);
  });
  test('control: the same saw-tooth without the change is never flagged after warm-up', () => {
    const same = Array.from({ length: 800 }, (_, i) => i % 4);
    expect(flagged(new ContextDetector({ bins: 4, cooldown: 50 }), same)).toEqual([]);
  });
  test('a value far outside the range seen is novel (raw score 1)', () => {
    const d = new ContextDetector({ bins: 4 });
    saw.slice(0, 100).forEach((v, i) => d.observe({ timestamp: i * MINUTE, value: v }));
    expect(d.observe({ timestamp: 100 * MINUTE, value: 50 })).toMatchObject({ score: 1, anomalous: true });
  });
});

describe('shape', () => {
  // A daily-like wave (period 48); from 1500 on its peaks are twice as high, its troughs as before.
  const wave = (i: number, high: number) => 10 + (i % 48 < 24 ? high * Math.sin((Math.PI * (i % 48)) / 24) : 0);
  test('flags a course not seen before', () => {
    const values = Array.from({ length: 1800 }, (_, i) => wave(i, i < 1500 ? 10 : 20));
    const hits = flagged(new ShapeDetector({ step: 2, window: 8, threshold: 1, cooldown: 100 }), values);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toBeGreaterThanOrEqual(1500);
    expect(hits[0]).toBeLessThan(1548);
  });
  test('control: the same wave all along is not flagged after warm-up', () => {
    const values = Array.from({ length: 1800 }, (_, i) => wave(i, 10));
    expect(flagged(new ShapeDetector({ step: 2, window: 8, threshold: 1, cooldown: 100 }), values)).toEqual([]);
  });
});

describe('likelihood', () => {
  test('logScore: 0.5 at a tail of 1e-5, 1 at 1e-10, about 0 for an ordinary tail', () => {
    expect(logScore(1e-5)).toBeCloseTo(0.5, 6);
    expect(logScore(0)).toBe(1);
    expect(logScore(0.5)).toBeCloseTo(0.03, 2);
  });
  /** The likelihood alone, with the defaults it had before spatialTolerance. */
  const before = { averagingWindow: 10, cooldown: 50, spatialTolerance: 0 };
  // Noise of a fixed pseudo-random sequence; from 900 on its spread triples.
  const noise = (i: number) => ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 2;
  test('flags a sustained rise of the raw score, once', () => {
    const values = Array.from({ length: 1200 }, (_, i) => 50 + noise(i) * (i < 900 ? 1 : 3));
    const hits = flagged(
      new LikelihoodDetector({ raw: { kind: 'robust-z', window: 300 }, ...before, cooldown: 1000 }),
      values,
    );
    expect(hits).toHaveLength(1);
    expect(hits[0]).toBeGreaterThanOrEqual(900);
    expect(hits[0]).toBeLessThan(960);
  });
  test('control: the same noise all along is never flagged', () => {
    const values = Array.from({ length: 1200 }, (_, i) => 50 + noise(i));
    expect(flagged(new LikelihoodDetector({ raw: { kind: 'robust-z', window: 300 }, ...before }), values)).toEqual([]);
  });
  // A slow wave between 40 and 60; at 700 one value of 62, 10% of the range above its top.
  const wave = Array.from({ length: 800 }, (_, i) => 50 + 10 * Math.sin(i / 20));
  const withPeak = wave.map((v, i) => (i === 700 ? 62 : v));
  const spatial = { raw: { kind: 'robust-z', window: 300 }, spatialTolerance: 0.05 } as const;
  test('the defaults are the NAB-chosen setting: seasonal raw scores, spatialTolerance 0.05', () => {
    expect(LIKELIHOOD_DEFAULTS).toMatchObject({
      raw: { kind: 'seasonal' },
      averagingWindow: 20,
      cooldown: 200,
      spatialTolerance: 0.05,
    });
    // From the end of the learning period (300 points), before the distribution is warm (400).
    const early = wave.map((v, i) => (i === 320 ? 62 : v));
    expect(flagged(createDetector({ kind: 'likelihood' }), early)).toEqual([320]);
    expect(flagged(createDetector({ kind: 'likelihood', spatialTolerance: 0 }), early)).toEqual([]);
  });
  test('spatialTolerance: a value beyond the range learned by more than the tolerance scores 1 and says so', () => {
    const d = new LikelihoodDetector(spatial);
    withPeak.slice(0, 700).forEach((value, i) => d.observe({ timestamp: i * MINUTE, value }));
    const o = d.observe({ timestamp: 700 * MINUTE, value: 62 });
    expect(o).toMatchObject({ score: 1, anomalous: true });
    expect(o.reasons[0]).toMatch(/^likelihood: 62 above the range learned so far \(40 to 60\)$/);
    // Positive control for the same point: without spatialTolerance, the likelihood alone does not flag it.
    expect(flagged(new LikelihoodDetector({ raw: spatial.raw, spatialTolerance: 0 }), withPeak)).toEqual([]);
    expect(flagged(new LikelihoodDetector(spatial), withPeak)).toEqual([700]);
  });
  test('spatialTolerance control: values inside the range (or within the tolerance) are not flagged', () => {
    const within = wave.map((v, i) => (i === 700 ? 60.5 : v));
    expect(flagged(new LikelihoodDetector(spatial), wave)).toEqual([]);
    expect(flagged(new LikelihoodDetector(spatial), within)).toEqual([]);
  });
  test('spatialTolerance: a late point beyond the range is scored but neither flagged nor learned', () => {
    const d = new LikelihoodDetector(spatial);
    wave.slice(0, 700).forEach((value, i) => d.observe({ timestamp: i * MINUTE, value }));
    expect(d.observe({ timestamp: 10 * MINUTE, value: 80 })).toMatchObject({ score: 1, anomalous: false });
    expect(d.stalePoints).toBe(1);
    // Not learned: the range is still 40..60, so 62 is still beyond it.
    expect(d.observe({ timestamp: 700 * MINUTE, value: 62 })).toMatchObject({ score: 1, anomalous: true });
  });
  test('a snapshot of version 1 (before spatialTolerance) restores; the range is learned again', () => {
    const d = new LikelihoodDetector(spatial);
    wave.slice(0, 700).forEach((value, i) => d.observe({ timestamp: i * MINUTE, value }));
    const { low, high, ...v1 } = d.snapshot().state as Record<string, unknown>;
    expect([low, high].map((x) => Math.round(x as number))).toEqual([40, 60]);
    const restored = new LikelihoodDetector(spatial);
    restored.restore({ kind: 'likelihood', version: 1, state: v1 as never });
    // The first point after the restore starts the range; the next value beyond it by 5% flags.
    expect(restored.observe({ timestamp: 700 * MINUTE, value: 62 }).anomalous).toBe(false);
    expect(restored.observe({ timestamp: 701 * MINUTE, value: 70 }).anomalous).toBe(true);
    expect(() =>
      restored.restore({ kind: 'likelihood', version: 2, state: { ...v1, low: 5, high: 1 } as never }),
    ).toThrow(/low and high are not a range/);
  });
  test('a bad option is SLUICE_CONFIG_INVALID naming it', () => {
    expect(() => createDetector({ kind: 'likelihood', spatialTolerance: -1 })).toThrow(/likelihood: spatialTolerance/);
    expect(() => createDetector({ kind: 'likelihood', averagingWindow: 0 })).toThrow(/likelihood: averagingWindow/);
    expect(() => createDetector({ kind: 'likelihood', raw: [] })).toThrow(/raw is an empty list/);
    expect(() => createDetector({ kind: 'context', bins: 256, order: 3, slots: 100000 })).toThrow(/65536 counts/);
  });
});
