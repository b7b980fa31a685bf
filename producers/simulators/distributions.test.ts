import { Weighted, Zipf, exponential, logNormal, normal, poisson, round } from './distributions';
import { Random } from './random';

const N = 50_000;
const sample = (draw: (rng: Random) => number, seed = 1) => {
  const rng = new Random(seed);
  return Array.from({ length: N }, () => draw(rng));
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

test('normal (Box-Muller) has the mean and standard deviation asked for', () => {
  const xs = sample((rng) => normal(rng, 10, 2));
  expect(mean(xs)).toBeCloseTo(10, 1);
  expect(Math.sqrt(variance(xs))).toBeCloseTo(2, 1);
  // About 68% within one standard deviation.
  expect(xs.filter((x) => Math.abs(x - 10) < 2).length / N).toBeCloseTo(0.683, 1);
});

test('log-normal has the median asked for, and a long right tail', () => {
  const xs = sample((rng) => logNormal(rng, 35, 0.8));
  expect(median(xs) / 35).toBeCloseTo(1, 1);
  expect(mean(xs)).toBeGreaterThan(35 * 1.3); // mean = median * e^(sigma^2 / 2) = 1.38 x median
  expect(Math.min(...xs)).toBeGreaterThan(0);
});

test('exponential gaps have mean 1 / rate', () => {
  expect(mean(sample((rng) => exponential(rng, 4)))).toBeCloseTo(0.25, 2);
});

test('Poisson counts have mean and variance lambda, small and large', () => {
  for (const lambda of [3, 120]) {
    const xs = sample((rng) => poisson(rng, lambda));
    expect(mean(xs) / lambda).toBeCloseTo(1, 1);
    expect(variance(xs) / lambda).toBeCloseTo(1, 1);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
  }
  expect(poisson(new Random(1), 0)).toBe(0);
});

test('Zipf: rank shares follow 1/k^s, so the head takes most of the draws', () => {
  const zipf = new Zipf(60, 1.1);
  const xs = sample((rng) => zipf.sample(rng));
  const share = (k: number) => xs.filter((x) => x === k).length / N;
  expect(share(0)).toBeCloseTo(zipf.probability(0), 2);
  expect(share(0) / share(1)).toBeCloseTo(2 ** 1.1, 0);
  const head = xs.filter((x) => x < 6).length / N; // top 10% of the items
  expect(head).toBeGreaterThan(0.5);
  expect(Math.max(...xs)).toBeLessThan(60);
  expect(
    zipf.probability(0) + Array.from({ length: 59 }, (_, k) => zipf.probability(k + 1)).reduce((a, b) => a + b, 0),
  ).toBeCloseTo(1, 9);
});

test('Weighted picks in proportion to the weights', () => {
  const choice = new Weighted([
    ['a', 1],
    ['b', 3],
    ['c', 0],
  ] as const);
  const rng = new Random(2);
  const xs = Array.from({ length: N }, () => choice.sample(rng));
  expect(xs.filter((x) => x === 'b').length / N).toBeCloseTo(0.75, 1);
  expect(xs).not.toContain('c');
  expect(() => new Weighted<string>([])).toThrow(RangeError);
  expect(() => new Weighted([['a', -1]] as const)).toThrow(RangeError);
});

test('round() keeps the digits asked for', () => {
  expect(round(1.23456, 2)).toBe(1.23);
  expect(round(1234.5, 0)).toBe(1235);
});
