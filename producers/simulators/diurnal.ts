/**
 * Daily rhythms. A curve gives a rate multiplier for each hour of the simulated day (UTC), normalised to
 * a mean of 1, and is interpolated linearly between the middles of the hours so the rate has no steps.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export class DiurnalCurve {
  private readonly hours: readonly number[];
  /** The highest multiplier of the day (for thinning a Poisson process). */
  readonly max: number;

  constructor(relative: readonly number[]) {
    if (relative.length !== 24 || relative.some((v) => !(v > 0)))
      throw new RangeError('a diurnal curve needs 24 positive values');
    const mean = relative.reduce((sum, v) => sum + v, 0) / 24;
    this.hours = relative.map((v) => v / mean);
    this.max = Math.max(...this.hours);
  }

  /** The multiplier at time `ts` (ms since the epoch). */
  at(ts: number): number {
    const h = (((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS - 0.5; // hours since the middle of hour 0
    const i = Math.floor(h);
    const f = h - i;
    const a = this.hours[(i + 24) % 24] as number;
    const b = this.hours[(i + 25) % 24] as number;
    return a + (b - a) * f;
  }
}

/** Web shop traffic: quiet at night, a plateau through the working day, a peak in the evening. */
export const WEB_TRAFFIC = new DiurnalCurve([
  0.35, 0.25, 0.2, 0.18, 0.2, 0.3, 0.5, 0.8, 1.1, 1.3, 1.4, 1.45, 1.5, 1.45, 1.4, 1.35, 1.3, 1.3, 1.4, 1.55, 1.6, 1.35,
  0.95, 0.55,
]);

/** Card payments: almost none at night, a lunch peak and a late-afternoon peak. */
export const PAYMENTS = new DiurnalCurve([
  0.15, 0.1, 0.08, 0.07, 0.08, 0.15, 0.35, 0.7, 1.0, 1.2, 1.35, 1.6, 1.75, 1.55, 1.35, 1.4, 1.6, 1.75, 1.6, 1.35, 1.1,
  0.8, 0.5, 0.25,
]);

/**
 * A daily cycle between -1 and 1 with its maximum at `peakHour` of local solar time; `lon` (degrees east)
 * shifts UTC to local solar time, 15 degrees per hour.
 */
export function dailyCycle(ts: number, lon: number, peakHour: number): number {
  const localHours = (((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS + lon / 15;
  return Math.cos((2 * Math.PI * (localHours - peakHour)) / 24);
}

export const TIME = { HOUR_MS, DAY_MS, MINUTE_MS: 60_000, SECOND_MS: 1000 } as const;
