/**
 * Resonance detector: adaptive resonance (fuzzy ART with two vigilance levels) over the recent course of
 * the series, the approach of ARTime (the detector at the top of NAB's results file), written here from
 * its description for a stream: no look-ahead (ARTime reads each file's minimum, maximum and length
 * before the first row) and a bounded number of categories.
 *
 * - **Blocks.** Points are summarised in blocks of `step`: a block is its mean, unless its maximum (or
 *   minimum) is further from a running average of block means by more than 10% of the mean, then that
 *   extreme (a spike survives the downsampling). The value is placed in the range learned so far
 *   (lowest to highest value seen), quantised to `levels` levels, and snapped to the running median
 *   level when within `snap` of it (small wobbles around the usual level are not a course).
 * - **Features.** The last `window` block levels, and their form: the same window scaled to its own
 *   min..max and Haar-transformed (averages and differences at each scale), scaled to 0..1. Complement
 *   coded (x, 1 − x), a feature vector is a point, and a category a box that holds the vectors it learned.
 * - **Resonance.** A vector's match with a category is |x ∧ w| / |w| (1 inside its box, less the
 *   further outside). The best match at or above the upper vigilance learns the vector (its box grows to
 *   hold it); between the two vigilance levels the vector becomes a category of its own (a variant of a
 *   known course); below the lower vigilance it is a new category and the block is a candidate anomaly.
 * - **Vigilance.** Learned, not set: during `learningPeriod` the categories are built at
 *   `initialVigilance`, and both levels are then the mean best match of the second half of that period.
 *   The upper level follows the mean best match of all blocks (at most 0.97); the lower one moves every
 *   half `trend` blocks: up by a fifth of the way to the lowest match of the last `trend` blocks when it
 *   is below it, else down by half the usual shortfall, and never below the mean match of past anomalies.
 * - **Score.** Only at a candidate block that is not masked: masked are the blocks shortly after a new
 *   category or after an anomaly, unless the match is much worse (70%, 90% shortly after an anomaly) than
 *   the last anomaly's. The score says how far below the vigilance levels the match is and how far the
 *   newest block's level is from the category's box (0 elsewhere: the output is sparse, as NAB rewards).
 * - **Bound.** At most `categories` categories: a new one replaces the least recently matched.
 *
 * State: categories × 2·2·window numbers (with the defaults 32 × 32), the window, the levels' histogram
 * (`levels` + 1 counts), the last `trend` matches and a dozen numbers: about 1 300 numbers.
 */
import { SluiceError } from '../../lib/errors';
import { StateReader } from './base';
import { checkNumber } from './score';
import type { Detector, DetectorSnapshot, Observation, Point, ResonanceSpec } from './types';
import { ALERT_SCORE } from './types';

export const RESONANCE_DEFAULTS = {
  step: 5,
  window: 8,
  categories: 32,
  levels: 80,
  snap: 0.075,
  learningPeriod: 500,
  initialVigilance: 0.8,
  trend: 100,
  mask: 12,
  cooldown: 0,
} as const;

type Options = Required<Omit<ResonanceSpec, 'kind'>>;

export function checkResonance(spec: ResonanceSpec): void {
  checkNumber('resonance', 'step', spec.step, { min: 1, integer: true });
  checkNumber('resonance', 'window', spec.window, { min: 2, integer: true });
  if (spec.window !== undefined && (spec.window & (spec.window - 1)) !== 0)
    throw new SluiceError(
      'SLUICE_CONFIG_INVALID',
      `detector resonance: window must be a power of 2, got ${spec.window}`,
      {
        path: 'resonance.window',
        fix: 'set window to 4, 8 or 16 (the Haar transform halves it), or leave it out for the default 8',
      },
    );
  checkNumber('resonance', 'categories', spec.categories, { min: 1, integer: true, below: 1025 });
  checkNumber('resonance', 'levels', spec.levels, { min: 2, integer: true, below: 10_001 });
  checkNumber('resonance', 'snap', spec.snap, { min: 0, below: 1 });
  checkNumber('resonance', 'learningPeriod', spec.learningPeriod, { min: 1, integer: true });
  checkNumber('resonance', 'initialVigilance', spec.initialVigilance, { above: 0, below: 1 });
  checkNumber('resonance', 'trend', spec.trend, { min: 2, integer: true, below: 10_001 });
  checkNumber('resonance', 'mask', spec.mask, { min: 0, integer: true });
  checkNumber('resonance', 'cooldown', spec.cooldown, { min: 0, integer: true });
}

/** In-place Haar transform of a power-of-2 vector: the overall average first, then the details, coarse to fine. */
function haar(v: number[]): number[] {
  const out = [...v];
  let n = out.length;
  const tmp = new Array<number>(out.length);
  while (n > 1) {
    const h = n / 2;
    for (let i = 0; i < h; i++) {
      tmp[i] = ((out[2 * i] as number) + (out[2 * i + 1] as number)) / Math.SQRT2;
      tmp[h + i] = ((out[2 * i] as number) - (out[2 * i + 1] as number)) / Math.SQRT2;
    }
    for (let i = 0; i < n; i++) out[i] = tmp[i] as number;
    n = h;
  }
  return out;
}

/** Scaled to 0..1 by its own min and max (all 0 when flat). */
function unit(v: readonly number[]): number[] {
  const min = Math.min(...v);
  const span = Math.max(...v) - min;
  return v.map((x) => (span > 0 ? (x - min) / span : 0));
}

interface Category {
  /** Complement-coded box: the first half the lows, the second 1 − the highs. */
  w: number[];
  /** Block number when last matched (or made). */
  used: number;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export class ResonanceDetector implements Detector {
  readonly kind = 'resonance' as const;
  private readonly o: Options;
  private cats: Category[] = [];
  private lo = NaN;
  private hi = NaN;
  /** The block being filled: sum, min, max, count. */
  private block = { sum: 0, min: Infinity, max: -Infinity, count: 0 };
  private average = NaN;
  /** The last `window` block values (0..1, quantised). */
  private levels: number[] = [];
  private histogram: number[];
  private blocks = 0;
  /** Vigilance: upper (learn), lower (new behaviour); NaN before the end of the learning period. */
  private upper = NaN;
  private lower = NaN;
  /** Mean best match of the blocks since the learning period, and how many. */
  private matchMean = 0;
  private matchCount = 0;
  /** Sum and count of the best matches in the second half of the learning period. */
  private learnSum = 0;
  private learnCount = 0;
  /** The last `trend` best matches, oldest first. */
  private recent: number[] = [];
  private lastUpdate = 0;
  private lastAnomaly = -Infinity;
  private lastAnomalyMatch = 0;
  /** Mean best match of past anomalies, and how many. */
  private anomalyMean = 0;
  private anomalies = 0;
  /** Blocks without a new category in a row, and whether new categories mask candidates now. */
  private calm = 0;
  private masking = false;
  private seen = 0;
  private last = -Infinity;
  private quiet = 0;
  private stale = 0;

  constructor(spec: Omit<ResonanceSpec, 'kind'> = {}) {
    checkResonance({ kind: 'resonance', ...spec });
    this.o = { ...RESONANCE_DEFAULTS, ...spec };
    this.histogram = new Array<number>(this.o.levels + 1).fill(0);
  }

  get stalePoints(): number {
    return this.stale;
  }

  private get learning(): boolean {
    return this.seen < this.o.learningPeriod;
  }

  /** The median level of the histogram (0..levels). */
  private medianLevel(): number {
    const total = this.histogram.reduce((a, b) => a + b, 0);
    let acc = 0;
    for (let i = 0; i < this.histogram.length; i++) {
      acc += this.histogram[i] as number;
      if (acc * 2 >= total) return i;
    }
    return 0;
  }

  /** The block's value: its mean, or the extreme a spike left in it. */
  private blockValue(): number {
    const b = this.block;
    const mean = b.sum / b.count;
    this.average = Number.isNaN(this.average) ? mean : (this.average + mean) / 2;
    let v = Math.abs(b.max - this.average) >= Math.abs(b.min - this.average) ? b.max : b.min;
    if (Math.abs(v - mean) < 0.1 * Math.abs(mean)) v = mean;
    return v;
  }

  private features(): number[] {
    const form = unit(haar(unit(this.levels)));
    const x = [...form, ...this.levels];
    return [...x, ...x.map((f) => 1 - f)];
  }

  /** Match of x with each category: |x ∧ w| / |w|, and the match on the newest level's pair alone. */
  private best(x: readonly number[]): { index: number; match: number; energy: number } {
    let index = -1;
    let match = 0;
    let energy = 0;
    const d = x.length / 2;
    this.cats.forEach((c, i) => {
      let num = 0;
      let den = 0;
      for (let j = 0; j < x.length; j++) {
        const w = c.w[j] as number;
        num += Math.min(w, x[j] as number);
        den += w;
      }
      const m = num / (den || 1e-3);
      if (m > match) {
        match = m;
        index = i;
        const wl = (c.w[d - 1] as number) + (c.w[2 * d - 1] as number);
        const el =
          Math.min(c.w[d - 1] as number, x[d - 1] as number) +
          Math.min(c.w[2 * d - 1] as number, x[2 * d - 1] as number);
        energy = wl > 0 ? el / wl : 1;
      }
    });
    return { index, match, energy };
  }

  private addCategory(x: number[]): void {
    const c = { w: x.map(r4), used: this.blocks };
    if (this.cats.length < this.o.categories) {
      this.cats.push(c);
      return;
    }
    let oldest = 0;
    this.cats.forEach((k, i) => {
      if (k.used < (this.cats[oldest] as Category).used) oldest = i;
    });
    this.cats[oldest] = c;
  }

  /** One block's verdict: its score (0 unless it is an unmasked new behaviour). */
  private judge(x: number[]): { score: number; match: number } {
    const { index, match, energy } = this.best(x);
    const learning = this.learning;
    const upper = learning ? this.o.initialVigilance : this.upper;
    const lower = learning ? this.o.initialVigilance : this.lower;
    let score = 0;
    let novel = false;
    if (index >= 0 && match >= upper) {
      const c = this.cats[index] as Category;
      c.w = c.w.map((w, j) => r4(Math.min(w, x[j] as number)));
      c.used = this.blocks;
    } else {
      novel = index < 0 || match < lower;
      this.addCategory(x);
    }
    if (learning) {
      if (this.seen * 2 >= this.o.learningPeriod && index >= 0) {
        this.learnSum += match;
        this.learnCount++;
      }
      return { score: 0, match };
    }
    // Masking: after a new category (until a calm stretch) and shortly after an anomaly.
    const sinceAnomaly = this.blocks - this.lastAnomaly;
    const afterAnomaly = sinceAnomaly <= this.o.mask;
    if (this.masking && this.calm >= this.o.mask) this.masking = false;
    const masked = this.masking || afterAnomaly;
    const muchWorse = match < this.lastAnomalyMatch * (afterAnomaly ? 0.9 : 0.7);
    if (novel && (!masked || muchWorse)) {
      const m = Math.min(0.999, match);
      const byUpper = (upper - m) / (1 - m);
      const byLower = (lower - m) / (1 - m);
      score = Math.max(0, Math.min(1, 0.35 * byUpper + 0.65 * byLower + 1.5 * (1 - energy)));
      this.lastAnomaly = this.blocks;
      this.lastAnomalyMatch = match;
      this.anomalies++;
      this.anomalyMean += (match - this.anomalyMean) / this.anomalies;
    }
    this.calm = novel ? 0 : this.calm + 1;
    if (novel) this.masking = true;
    return { score, match };
  }

  /** The end of the learning period: both levels are the mean best match of its second half. */
  private startVigilance(): void {
    const start = this.learnCount > 0 ? this.learnSum / this.learnCount : this.o.initialVigilance;
    this.upper = Math.min(0.97, start);
    this.lower = this.upper;
    this.lastUpdate = this.blocks;
  }

  /** After the learning period, every block: the statistics of matches; every half trend: the levels move. */
  private adapt(match: number): void {
    this.matchCount++;
    this.matchMean += (match - this.matchMean) / this.matchCount;
    this.recent.push(match);
    if (this.recent.length > this.o.trend) this.recent.shift();
    if (this.blocks - this.lastUpdate < this.o.trend / 2 && this.blocks - this.lastAnomaly !== this.o.mask) return;
    this.upper = Math.min(0.97, this.matchMean);
    const lowest = Math.min(...this.recent);
    let lower: number;
    if (this.lower <= lowest) lower = this.lower + 0.19 * (lowest - this.lower);
    else {
      const short = this.recent.map((m) => this.upper - m).filter((g) => g > 0.05);
      const drop = short.length > 0 ? short.reduce((s, g) => s + Math.min(0.37, g), 0) / short.length : 0;
      lower = this.lower - Math.max(0.01, drop) / 2;
      if (this.anomalies > 0) lower = Math.max(this.anomalyMean, lower);
    }
    this.lower = Math.min(this.upper, lower);
    this.lastUpdate = this.blocks;
    this.masking = true;
  }

  observe(point: Point): Observation {
    const finite = Number.isFinite(point.value);
    const learnable = finite && point.timestamp > this.last;
    if (finite && !learnable) this.stale++;
    const none = { low: NaN, high: NaN };
    const warm = !this.learning;
    if (!learnable) return { score: 0, expected: none, anomalous: false, warm, reasons: [] };
    const v = point.value;
    this.lo = Number.isNaN(this.lo) ? v : Math.min(this.lo, v);
    this.hi = Number.isNaN(this.hi) ? v : Math.max(this.hi, v);
    this.seen++;
    this.last = point.timestamp;
    const b = this.block;
    b.sum += v;
    b.min = Math.min(b.min, v);
    b.max = Math.max(b.max, v);
    b.count++;
    let score = 0;
    let match = NaN;
    if (b.count >= this.o.step) {
      const raw = this.blockValue();
      this.block = { sum: 0, min: Infinity, max: -Infinity, count: 0 };
      const width = this.hi - this.lo;
      const level = Math.round((width > 0 ? (raw - this.lo) / width : 0) * this.o.levels);
      this.histogram[level] = (this.histogram[level] as number) + 1;
      const median = this.medianLevel();
      let value = level / this.o.levels;
      if (Math.abs(value - median / this.o.levels) < this.o.snap) value = median / this.o.levels;
      this.levels.push(value);
      if (this.levels.length > this.o.window) this.levels.shift();
      this.blocks++;
      if (this.levels.length === this.o.window) {
        if (!this.learning && Number.isNaN(this.upper)) this.startVigilance();
        const verdict = this.judge(this.features());
        score = verdict.score;
        match = verdict.match;
        if (!this.learning) this.adapt(match);
      }
    }
    let anomalous = false;
    if (warm) {
      if (this.quiet > 0) {
        this.quiet--;
        score = 0;
      } else if (score >= ALERT_SCORE) {
        anomalous = true;
        this.quiet = this.o.cooldown;
      }
    }
    return {
      score,
      expected: none,
      anomalous,
      warm,
      reasons: anomalous
        ? [
            `resonance: the last ${this.o.window * this.o.step} points, ending at ${Number(v.toPrecision(4))}, match no known course (best match ${match.toFixed(2)} against a vigilance of ${this.lower.toFixed(2)})`,
          ]
        : [],
    };
  }

  tick(): undefined {
    return undefined;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: 1,
      state: {
        seen: this.seen,
        last: Number.isFinite(this.last) ? this.last : null,
        quiet: this.quiet,
        blocks: this.blocks,
        block: this.block.count > 0 ? [this.block.sum, this.block.count, this.block.min, this.block.max] : [],
        average: Number.isNaN(this.average) ? null : this.average,
        range: Number.isNaN(this.lo) ? [] : [this.lo, this.hi],
        levels: [...this.levels],
        histogram: [...this.histogram],
        vigilance: Number.isNaN(this.upper) ? [] : [this.upper, this.lower],
        match: [this.matchMean, this.matchCount, this.learnSum, this.learnCount],
        recent: this.recent.map(r4),
        lastUpdate: this.lastUpdate,
        lastAnomaly: Number.isFinite(this.lastAnomaly) ? [this.lastAnomaly, this.lastAnomalyMatch] : [],
        anomalies: [this.anomalyMean, this.anomalies],
        masking: [this.calm, this.masking ? 1 : 0],
        categories: this.cats.map((c) => [c.used, ...c.w]),
      },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, 1);
    const d = 4 * this.o.window;
    const seen = reader.integer('seen');
    const last = reader.nullableNumber('last');
    const quiet = reader.integer('quiet');
    const blocks = reader.integer('blocks');
    const block = reader.numbers('block');
    if (block.length !== 0 && (block.length !== 4 || (block[1] as number) < 1 || (block[1] as number) >= this.o.step))
      reader.fail('block', `is not [sum, count (1 to ${this.o.step - 1}), min, max] or []`);
    const average = reader.nullableNumber('average');
    const levels = reader.numbers('levels');
    if (levels.length > this.o.window) reader.fail('levels', `has more than ${this.o.window}`);
    const histogram = reader.numbers('histogram');
    if (histogram.length !== this.o.levels + 1) reader.fail('histogram', `does not have ${this.o.levels + 1} counts`);
    const match = reader.numbers('match');
    if (match.length !== 4) reader.fail('match', 'is not [mean, count, learning sum, learning count]');
    const recent = reader.numbers('recent');
    if (recent.length > this.o.trend) reader.fail('recent', `has more than ${this.o.trend}`);
    const lastUpdate = reader.integer('lastUpdate');
    const anomalies = reader.numbers('anomalies');
    if (anomalies.length !== 2) reader.fail('anomalies', 'is not [mean match, count]');
    const masking = reader.numbers('masking');
    if (masking.length !== 2) reader.fail('masking', 'is not [calm blocks, masking 0 or 1]');
    const pair = (name: string): [number, number] | null => {
      const n = reader.numbers(name);
      if (n.length !== 0 && n.length !== 2) reader.fail(name, 'is not a pair of numbers or []');
      return n.length === 2 ? (n as [number, number]) : null;
    };
    const r = pair('range');
    const vg = pair('vigilance');
    const la = pair('lastAnomaly');
    const categories = reader.list('categories');
    if (categories.length > this.o.categories) reader.fail('categories', `has more than ${this.o.categories}`);
    const cats = categories.map((c, i) => {
      const n = reader.numbers(String(i), { [String(i)]: c });
      if (n.length !== d + 1) reader.fail('categories', `entry ${i} is not a category of ${d} numbers`);
      return { used: n[0] as number, w: n.slice(1) };
    });
    Object.assign(this, {
      seen,
      last: last ?? -Infinity,
      quiet,
      blocks,
      block:
        block.length === 4
          ? { sum: block[0], count: block[1], min: block[2], max: block[3] }
          : { sum: 0, min: Infinity, max: -Infinity, count: 0 },
      average: average ?? NaN,
      lo: r ? r[0] : NaN,
      hi: r ? r[1] : NaN,
      levels,
      histogram,
      upper: vg ? vg[0] : NaN,
      lower: vg ? vg[1] : NaN,
      matchMean: match[0],
      matchCount: match[1],
      learnSum: match[2],
      learnCount: match[3],
      recent,
      lastUpdate,
      lastAnomaly: la ? la[0] : -Infinity,
      lastAnomalyMatch: la ? la[1] : 0,
      anomalyMean: anomalies[0],
      anomalies: anomalies[1],
      calm: masking[0],
      masking: masking[1] === 1,
      cats,
    });
  }
}
