import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from './random';

const draws = (rng: Random, n: number) => Array.from({ length: n }, () => rng.next());

describe('Random (sfc32)', () => {
  test('the same seed gives the same sequence; another seed another one', () => {
    expect(draws(new Random(42), 100)).toEqual(draws(new Random(42), 100));
    expect(draws(new Random(42), 100)).not.toEqual(draws(new Random(43), 100));
    expect(draws(new Random('demo'), 10)).not.toEqual(draws(new Random('demo2'), 10));
  });

  test('numbers are uniform in [0, 1)', () => {
    const values = draws(new Random(1), 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 2);
    // Ten equal bins hold about a tenth each.
    const bins = new Array<number>(10).fill(0);
    for (const v of values) bins[Math.floor(v * 10)]! += 1;
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  test('int() covers both bounds and nothing outside them', () => {
    const rng = new Random(3);
    const seen = new Set(Array.from({ length: 2000 }, () => rng.int(-2, 2)));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
  });

  test('derive() gives a stream that does not depend on what the parent drew', () => {
    const a = new Random(9);
    const b = new Random(9);
    draws(b, 57);
    expect(draws(a.derive('device/1'), 20)).toEqual(draws(b.derive('device/1'), 20));
    expect(draws(a.derive('device/1'), 20)).not.toEqual(draws(a.derive('device/2'), 20));
  });

  test('uuid() has the layout of a version 4 UUID and does not repeat', () => {
    const rng = new Random(5);
    const ids = Array.from({ length: 5000 }, () => rng.uuid());
    for (const id of ids.slice(0, 100))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('shuffle() keeps every element', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Random(1).shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });

  test('no simulator source uses Math.random', () => {
    const dirs = [__dirname, join(__dirname, 'testing')];
    const offenders = dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .filter((f) => /Math\.random/.test(readFileSync(join(dir, f), 'utf8')))
        .map((f) => join(dir, f)),
    );
    expect(offenders).toEqual([]);
  });
});
