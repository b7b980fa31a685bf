/**
 * The rate ladder of `npm run bench -- pipeline`: which rate (events per second asked of the three
 * simulators together) to try next, given the steps so far. Pure: the benchmark runs a step at the rate
 * returned, judges it, and asks again until `undefined`.
 *
 * - With a list of rates (`--rates`): each in turn, until one is not sustained.
 * - Otherwise a geometric climb from `start` (× `factor`) while steps are sustained, up to `max`; after
 *   the first step that is not, up to `refinements` more steps at the geometric mean of the highest sustained
 *   rate and the lowest rate above it that was not (bisection on a log scale), while the two are more
 *   than 10% apart. If even the first step fails, the ladder steps down (÷ `factor`) until a step holds,
 *   never below `min`.
 */

export interface LadderStep {
  /** Events per second asked of the simulators. */
  rate: number;
  sustained: boolean;
}

export interface LadderOptions {
  /** Explicit rates, in order: no climb, no refinement. */
  rates?: readonly number[];
  start: number;
  factor: number;
  max: number;
  min: number;
  refinements: number;
}

export const LADDER_DEFAULTS: LadderOptions = { start: 250, factor: 2, max: 16_000, min: 10, refinements: 2 };

/** A rate rounded to two significant figures (1414 → 1400, 2828 → 2800, 35 → 35). */
export function roundRate(rate: number): number {
  if (rate <= 0) return 0;
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(rate)) - 1);
  return Math.round(rate / unit) * unit;
}

export function nextRate(history: readonly LadderStep[], o: LadderOptions): number | undefined {
  if (o.rates) {
    if (history.some((s) => !s.sustained)) return undefined;
    return o.rates[history.length];
  }
  if (history.length === 0) return o.start;
  const passed = history.filter((s) => s.sustained).map((s) => s.rate);
  const failed = history.filter((s) => !s.sustained).map((s) => s.rate);
  if (failed.length === 0) {
    const next = roundRate(Math.max(...passed) * o.factor);
    return next <= o.max ? next : undefined;
  }
  if (passed.length === 0) {
    const next = roundRate(Math.min(...failed) / o.factor);
    return next >= o.min && next < Math.min(...failed) ? next : undefined;
  }
  const lo = Math.max(...passed);
  const above = failed.filter((r) => r > lo);
  if (above.length === 0) {
    // Everything failed lies below a pass (a noisy machine): climb on from the highest pass.
    const next = roundRate(lo * o.factor);
    return next <= o.max && !history.some((s) => s.rate === next) ? next : undefined;
  }
  const hi = Math.min(...above);
  // Refinements so far: the steps taken once there was both a pass and a failure before them.
  const refined = history.filter(
    (_, i) => history.slice(0, i).some((s) => s.sustained) && history.slice(0, i).some((s) => !s.sustained),
  ).length;
  if (refined >= o.refinements || hi / lo <= 1.1) return undefined;
  const next = roundRate(Math.sqrt(lo * hi));
  return next > lo && next < hi ? next : undefined;
}
