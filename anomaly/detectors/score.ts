/** From a deviation to the common 0..1 score, the expected band and the reason of an alert. */
import { SluiceError } from '../../lib/errors';
import { ALERT_SCORE, type Band, type Direction, type Observation, type StatisticalOptions } from './types';

/** The signed deviation that counts in `direction` (0 when it goes the other way). */
export function directed(z: number, direction: Direction): number {
  if (direction === 'up') return Math.max(0, z);
  if (direction === 'down') return Math.max(0, -z);
  return Math.abs(z);
}

/** z / (z + threshold): 0 at no deviation, 0.5 at the threshold, towards 1 beyond. */
export function zScore(z: number, threshold: number): number {
  return z > 0 ? z / (z + threshold) : 0;
}

export function band(centre: number, scale: number, threshold: number, direction: Direction): Band {
  return {
    low: direction === 'up' ? -Infinity : centre - threshold * scale,
    high: direction === 'down' ? Infinity : centre + threshold * scale,
  };
}

/**
 * The observation of `value` against (centre, scale). `judged` is false while the detector warms up or
 * when the point is not learned: the score is still computed for the caller, but nothing is flagged.
 */
export function statisticalObservation(
  name: string,
  value: number,
  centre: number,
  scale: number,
  options: Required<Pick<StatisticalOptions, 'threshold' | 'direction'>>,
  warm: boolean,
  judged: boolean,
): Observation {
  const expected = band(centre, scale, options.threshold, options.direction);
  if (!warm || !Number.isFinite(value)) return { score: 0, expected, anomalous: false, warm, reasons: [] };
  const signed = (value - centre) / scale;
  const z = directed(signed, options.direction);
  const score = zScore(z, options.threshold);
  const anomalous = judged && score >= ALERT_SCORE;
  return {
    score,
    expected,
    anomalous,
    warm,
    reasons: anomalous
      ? [`${name}: ${Math.abs(signed).toFixed(1)}σ ${signed > 0 ? 'above' : 'below'} ${round(centre)}`]
      : [],
  };
}

export function round(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** Checks one numeric option of a detector spec; the path names the detector kind and the option. */
export function checkNumber(
  kind: string,
  name: string,
  value: unknown,
  rule: { min?: number; above?: number; below?: number; integer?: boolean },
): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below);
  if (ok) return;
  const wanted = [
    rule.integer ? 'an integer' : 'a number',
    rule.min !== undefined ? `at least ${rule.min}` : '',
    rule.above !== undefined ? `greater than ${rule.above}` : '',
    rule.below !== undefined ? `less than ${rule.below}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  throw new SluiceError(
    'SLUICE_CONFIG_INVALID',
    `detector ${kind}: ${name} must be ${wanted}, got ${JSON.stringify(value) ?? String(value)}`,
    {
      path: `${kind}.${name}`,
      fix: `set ${name} to ${wanted}, or leave it out for the default`,
    },
  );
}

export function checkDirection(kind: string, value: unknown): void {
  if (value === undefined || value === 'both' || value === 'up' || value === 'down') return;
  throw new SluiceError(
    'SLUICE_CONFIG_INVALID',
    `detector ${kind}: direction must be 'both', 'up' or 'down', got ${JSON.stringify(value)}`,
    {
      path: `${kind}.direction`,
      fix: "use 'up' for a metric that is only bad when high (errors, latency), 'down' for one only bad when low, or leave it out",
    },
  );
}
