/**
 * Context detector: what usually comes next. The idea of the context-based detectors that lead NAB
 * (CAD OSE's contexts, HTM's sequence memory): learn which state follows which sequence of states, and
 * call a point anomalous when the series goes somewhere its recent past does not lead. Written here from
 * that idea, in bounded memory:
 *
 * - The value is quantised into `bins` levels between the series' extremes. The extremes widen at once
 *   to take a new value and shrink back slowly (by 1/rangeMemory of the range per point) so that one
 *   old spike does not squeeze every later value into one level for ever.
 * - For each order k = 1..order, the last k levels form a context; a table per order holds, for each
 *   context (hashed into `slots` when there are more than that), how often each level followed it.
 *   Counts halve when a context's count reaches maxCount, so old habits fade.
 * - Raw score: the mean, over the orders whose context has been seen minSupport times, of 1 − the
 *   share of times the new level followed that context; 1 when no order knows the context; 1 when the
 *   value is beyond the range by more than noveltyMargin of it.
 *
 * State: order × min(bins^k, slots) × bins small integers, plus the last `order` levels and the range:
 * with the defaults (8 bins, order 3, 64 slots) 8·8 + 64·8 + 64·8 = 1 088 counts, about 3 KB as JSON.
 */
import { SluiceError } from '../../lib/errors';
import { StateReader } from './base';
import { checkNumber, round } from './score';
import {
  ALERT_SCORE,
  type Band,
  type ContextSpec,
  type Detector,
  type DetectorSnapshot,
  type Observation,
  type Point,
} from './types';

export const CONTEXT_DEFAULTS = {
  bins: 8,
  order: 3,
  slots: 64,
  minSupport: 3,
  maxCount: 64,
  rangeMemory: 2000,
  noveltyMargin: 0.1,
  warmup: 30,
  cooldown: 0,
} as const;

export function checkContext(spec: ContextSpec): void {
  checkNumber('context', 'bins', spec.bins, { min: 2, integer: true });
  checkNumber('context', 'order', spec.order, { min: 1, integer: true });
  checkNumber('context', 'slots', spec.slots, { min: 1, integer: true });
  checkNumber('context', 'minSupport', spec.minSupport, { min: 1, integer: true });
  checkNumber('context', 'maxCount', spec.maxCount, { min: 2, integer: true });
  checkNumber('context', 'rangeMemory', spec.rangeMemory, { min: 0 });
  checkNumber('context', 'noveltyMargin', spec.noveltyMargin, { min: 0 });
  checkNumber('context', 'warmup', spec.warmup, { min: 0, integer: true });
  checkNumber('context', 'cooldown', spec.cooldown, { min: 0, integer: true });
  const bins = spec.bins ?? CONTEXT_DEFAULTS.bins;
  const order = spec.order ?? CONTEXT_DEFAULTS.order;
  const slots = spec.slots ?? CONTEXT_DEFAULTS.slots;
  // Memory bound: refuse a table of more than 64k counts (about 200 KB per series).
  if (order * Math.min(slots, bins ** order) * bins > 65_536) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `detector context: order × slots × bins is over 65536 counts`, {
      path: 'context.slots',
      fix: 'lower slots, order or bins: the table is held for every series',
    });
  }
}

export class ContextDetector implements Detector {
  readonly kind = 'context' as const;
  private readonly o: Required<Omit<ContextSpec, 'kind'>>;
  /** Contexts per order (index k − 1). */
  private readonly sizes: number[];
  /** Per order: sizes[k] × bins counts. */
  private tables: Uint16Array[];
  /** The last levels, newest last (at most `order`). */
  private recent: number[] = [];
  private lo = NaN;
  private hi = NaN;
  private seen = 0;
  private last = -Infinity;
  private quiet = 0;
  private stale = 0;

  constructor(spec: Omit<ContextSpec, 'kind'> = {}) {
    checkContext({ kind: 'context', ...spec });
    this.o = { ...CONTEXT_DEFAULTS, ...spec };
    this.sizes = Array.from({ length: this.o.order }, (_, k) => Math.min(this.o.slots, this.o.bins ** (k + 1)));
    this.tables = this.sizes.map((n) => new Uint16Array(n * this.o.bins));
  }

  get stalePoints(): number {
    return this.stale;
  }

  /** The level of a value in the current range (clamped to the first and last level). */
  private level(value: number): number {
    const width = this.hi - this.lo;
    if (!(width > 0)) return 0;
    return Math.max(0, Math.min(this.o.bins - 1, Math.floor(((value - this.lo) / width) * this.o.bins)));
  }

  /** Row of the context made of the last k levels in order k's table. */
  private row(k: number): number | undefined {
    if (this.recent.length < k) return undefined;
    let h = 0;
    const size = this.sizes[k - 1] as number;
    if (this.o.bins ** k <= size) {
      for (let i = this.recent.length - k; i < this.recent.length; i++)
        h = h * this.o.bins + (this.recent[i] as number);
      return h;
    }
    // FNV-1a over the levels, then into the slots.
    h = 2166136261;
    for (let i = this.recent.length - k; i < this.recent.length; i++)
      h = Math.imul(h ^ ((this.recent[i] as number) + 1), 16777619);
    return (h >>> 0) % size;
  }

  /** Raw surprise of `level` after the current contexts, and the levels seen after the longest known one. */
  private surprise(level: number): { score: number; known: number[] } {
    let sum = 0;
    let orders = 0;
    let known: number[] = [];
    for (let k = 1; k <= this.o.order; k++) {
      const r = this.row(k);
      if (r === undefined) continue;
      const table = this.tables[k - 1] as Uint16Array;
      let total = 0;
      for (let b = 0; b < this.o.bins; b++) total += table[r * this.o.bins + b] as number;
      if (total < this.o.minSupport) continue;
      sum += 1 - (table[r * this.o.bins + level] as number) / total;
      orders++;
      known = [];
      for (let b = 0; b < this.o.bins; b++) if ((table[r * this.o.bins + b] as number) > 0) known.push(b);
    }
    return { score: orders === 0 ? 1 : sum / orders, known };
  }

  private bandOf(levels: number[]): Band {
    if (levels.length === 0 || !(this.hi > this.lo)) return { low: NaN, high: NaN };
    const step = (this.hi - this.lo) / this.o.bins;
    const first = levels[0] as number;
    const lastLevel = levels[levels.length - 1] as number;
    return {
      low: first === 0 ? -Infinity : this.lo + first * step,
      high: lastLevel === this.o.bins - 1 ? Infinity : this.lo + (lastLevel + 1) * step,
    };
  }

  observe(point: Point): Observation {
    const finite = Number.isFinite(point.value);
    const learnable = finite && point.timestamp > this.last;
    if (finite && !learnable) this.stale++;
    if (!finite || this.seen === 0) {
      if (learnable) this.learn(point, this.level(point.value));
      return { score: 0, expected: { low: NaN, high: NaN }, anomalous: false, warm: false, reasons: [] };
    }
    const warm = this.seen >= this.o.warmup;
    const width = this.hi - this.lo;
    const margin = this.o.noveltyMargin * width;
    const novel = width > 0 && (point.value > this.hi + margin || point.value < this.lo - margin);
    const level = this.level(point.value);
    const { score: raw, known } = this.surprise(level);
    let score = warm ? (novel ? 1 : raw) : 0;
    let anomalous = false;
    if (learnable && warm) {
      if (this.quiet > 0) {
        this.quiet--;
        score = 0;
      } else if (score >= ALERT_SCORE) {
        anomalous = true;
        this.quiet = this.o.cooldown;
      }
    }
    const expected = this.bandOf(known);
    if (learnable) this.learn(point, level);
    return {
      score,
      expected,
      anomalous,
      warm,
      reasons: anomalous
        ? [
            novel
              ? `context: ${round(point.value)} is outside the range seen (${round(this.lo)} to ${round(this.hi)})`
              : `context: ${round(point.value)} rarely follows the last ${this.o.order} values (surprise ${score.toFixed(2)})`,
          ]
        : [],
    };
  }

  private learn(point: Point, levelBefore: number): void {
    const v = point.value;
    if (this.seen === 0 || !Number.isFinite(this.lo)) {
      this.lo = v;
      this.hi = v;
    } else {
      // Count the transition in the range the point was judged in, then move the range.
      for (let k = 1; k <= this.o.order; k++) {
        const r = this.row(k);
        if (r === undefined) continue;
        const table = this.tables[k - 1] as Uint16Array;
        const at = r * this.o.bins + levelBefore;
        table[at] = (table[at] as number) + 1;
        if ((table[at] as number) >= this.o.maxCount) {
          for (let b = 0; b < this.o.bins; b++)
            table[r * this.o.bins + b] = (table[r * this.o.bins + b] as number) >> 1;
        }
      }
      const shrink = this.o.rangeMemory > 0 ? (this.hi - this.lo) / this.o.rangeMemory : 0;
      this.lo = Math.min(v, this.lo + shrink);
      this.hi = Math.max(v, this.hi - shrink);
    }
    this.recent.push(this.level(v));
    if (this.recent.length > this.o.order) this.recent.shift();
    this.seen++;
    this.last = point.timestamp;
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
        lo: Number.isFinite(this.lo) ? this.lo : null,
        hi: Number.isFinite(this.hi) ? this.hi : null,
        recent: [...this.recent],
        tables: this.tables.map((t) => Array.from(t)),
      },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, 1);
    const seen = reader.integer('seen');
    const last = reader.nullableNumber('last');
    const quiet = reader.integer('quiet');
    const lo = reader.nullableNumber('lo');
    const hi = reader.nullableNumber('hi');
    const recent = reader.numbers('recent');
    if (recent.length > this.o.order || recent.some((l) => !Number.isInteger(l) || l < 0 || l >= this.o.bins))
      reader.fail('recent', `is not a list of at most ${this.o.order} levels below ${this.o.bins}`);
    const tables = reader.list('tables');
    if (tables.length !== this.o.order)
      reader.fail('tables', `has ${tables.length} orders; this detector has ${this.o.order}`);
    const loaded = tables.map((t, k) => {
      const counts = reader.numbers(String(k), { [String(k)]: t });
      if (
        counts.length !== (this.sizes[k] as number) * this.o.bins ||
        counts.some((c) => !Number.isInteger(c) || c < 0 || c > 65_535)
      )
        reader.fail('tables', `order ${k + 1} is not ${(this.sizes[k] as number) * this.o.bins} counts`);
      return Uint16Array.from(counts);
    });
    this.tables = loaded;
    this.recent = recent;
    this.seen = seen;
    this.last = last ?? -Infinity;
    this.quiet = quiet;
    this.lo = lo ?? NaN;
    this.hi = hi ?? NaN;
  }
}
