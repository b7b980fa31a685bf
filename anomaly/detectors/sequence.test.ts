/** The context, shape and likelihood detectors on series whose change they are built to see, with controls. */
import { ContextDetector } from './context';
import { createDetector } from './index';
import { LikelihoodDetector, logScore } from './likelihood';
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
  // Noise of a fixed pseudo-random sequence; from 900 on its spread triples.
  const noise = (i: number) => ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 2;
  test('flags a sustained rise of the raw score, once', () => {
    const values = Array.from({ length: 1200 }, (_, i) => 50 + noise(i) * (i < 900 ? 1 : 3));
    const hits = flagged(new LikelihoodDetector({ raw: { kind: 'robust-z', window: 300 }, cooldown: 1000 }), values);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toBeGreaterThanOrEqual(900);
    expect(hits[0]).toBeLessThan(960);
  });
  test('control: the same noise all along is never flagged', () => {
    const values = Array.from({ length: 1200 }, (_, i) => 50 + noise(i));
    expect(flagged(new LikelihoodDetector({ raw: { kind: 'robust-z', window: 300 } }), values)).toEqual([]);
  });
  test('a bad option is SLUICE_CONFIG_INVALID naming it', () => {
    expect(() => createDetector({ kind: 'likelihood', averagingWindow: 0 })).toThrow(/likelihood: averagingWindow/);
    expect(() => createDetector({ kind: 'likelihood', raw: [] })).toThrow(/raw is an empty list/);
    expect(() => createDetector({ kind: 'context', bins: 256, order: 3, slots: 100000 })).toThrow(/65536 counts/);
  });
});
