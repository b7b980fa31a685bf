/**
 * Shape detector: is the recent course of the series one it has seen before? The idea of ARTime (the
 * adaptive-resonance detector that leads NAB): summarise the last stretch of the series as a short
 * feature vector and keep categories (prototypes) of the vectors seen; a vector close to no category is
 * a new behaviour. Written here from that idea, for a stream, in bounded memory:
 *
 * - Points are averaged in blocks of `step`; a shape is the last `window` block means, twice: scaled
 *   into the series' range (its level) and scaled into its own min..max, or a tenth of the series' range
 *   if that is more (its form: noise on a flat stretch is no form). The range widens
 *   at once to take a new value and shrinks back by 1/rangeMemory of itself per point.
 * - At most `prototypes` prototypes. The nearest (mean absolute difference) learns the shape when it is
 *   within `radius`; otherwise the shape becomes a new prototype, replacing the least recently matched.
 * - Score, at each block's end (0 between blocks): d / (d + threshold · usual), where usual is the
 *   series' own usual nearest distance (exponentially weighted mean + 3 mean absolute deviations, over
 *   about 1 000 blocks): 0.5 when the shape is `threshold` times further from everything known than
 *   shapes usually are.
 *
 * State: prototypes × (2·window + 1) numbers, the current window and block, the range, a few numbers;
 * with the defaults (32 prototypes, window 8) about 550 numbers, some 6 KB as JSON.
 */
import { StateReader } from './base';
import { checkNumber, round } from './score';
import {
  ALERT_SCORE,
  type Detector,
  type DetectorSnapshot,
  type Observation,
  type Point,
  type ShapeSpec,
} from './types';

export const SHAPE_DEFAULTS = {
  step: 4,
  window: 8,
  prototypes: 32,
  radius: 0.05,
  threshold: 2,
  rangeMemory: 5000,
  warmup: 300,
  cooldown: 0,
} as const;

const CALIBRATION_ALPHA = 1 / 1000;

export function checkShape(spec: ShapeSpec): void {
  checkNumber('shape', 'step', spec.step, { min: 1, integer: true });
  checkNumber('shape', 'window', spec.window, { min: 2, integer: true });
  checkNumber('shape', 'prototypes', spec.prototypes, { min: 1, integer: true });
  checkNumber('shape', 'radius', spec.radius, { min: 0 });
  checkNumber('shape', 'threshold', spec.threshold, { above: 0 });
  checkNumber('shape', 'rangeMemory', spec.rangeMemory, { min: 0 });
  checkNumber('shape', 'warmup', spec.warmup, { min: 0, integer: true });
  checkNumber('shape', 'cooldown', spec.cooldown, { min: 0, integer: true });
  const prototypes = spec.prototypes ?? SHAPE_DEFAULTS.prototypes;
  const window = spec.window ?? SHAPE_DEFAULTS.window;
  if (prototypes * window > 16_384) {
    checkNumber('shape', 'prototypes × window', prototypes * window, { min: 0, below: 16_385 });
  }
}

interface Prototype {
  v: number[];
  /** Block number when last matched (or made). */
  used: number;
  count: number;
}

export class ShapeDetector implements Detector {
  readonly kind = 'shape' as const;
  private readonly o: Required<Omit<ShapeSpec, 'kind'>>;
  private protos: Prototype[] = [];
  /** Block means of the last `window` blocks (raw values). */
  private means: number[] = [];
  private blockSum = 0;
  private blockCount = 0;
  private blocks = 0;
  private lo = NaN;
  private hi = NaN;
  private usualMean = 0;
  private usualDev = 0;
  private calibrated = 0;
  private seen = 0;
  private last = -Infinity;
  private quiet = 0;
  private stale = 0;

  constructor(spec: Omit<ShapeSpec, 'kind'> = {}) {
    checkShape({ kind: 'shape', ...spec });
    this.o = { ...SHAPE_DEFAULTS, ...spec };
  }

  get stalePoints(): number {
    return this.stale;
  }

  /** The feature vector of a list of block means: level in the range, then form in its own range. */
  private features(means: readonly number[]): number[] {
    const width = this.hi - this.lo;
    const level = means.map((m) => (width > 0 ? (m - this.lo) / width : 0));
    const min = Math.min(...means);
    const max = Math.max(...means);
    // A flat stretch is not stretched into a form: its own range counts as at least a tenth of the series'.
    const span = Math.max(max - min, 0.1 * width);
    const form = means.map((m) => (span > 0 ? (m - min) / span : 0));
    return [...level, ...form];
  }

  private nearest(f: readonly number[]): { index: number; distance: number } {
    let index = -1;
    let distance = Infinity;
    this.protos.forEach((p, i) => {
      let d = 0;
      for (let j = 0; j < f.length; j++) d += Math.abs((f[j] as number) - (p.v[j] as number));
      d /= f.length;
      if (d < distance) {
        distance = d;
        index = i;
      }
    });
    return { index, distance };
  }

  observe(point: Point): Observation {
    const finite = Number.isFinite(point.value);
    const learnable = finite && point.timestamp > this.last;
    if (finite && !learnable) this.stale++;
    const none = { low: NaN, high: NaN };
    const warm = this.seen >= this.o.warmup;
    if (!learnable) return { score: 0, expected: none, anomalous: false, warm, reasons: [] };
    const v = point.value;
    // The range moves with every point.
    if (!Number.isFinite(this.lo)) {
      this.lo = v;
      this.hi = v;
    } else {
      const shrink = this.o.rangeMemory > 0 ? (this.hi - this.lo) / this.o.rangeMemory : 0;
      this.lo = Math.min(v, this.lo + shrink);
      this.hi = Math.max(v, this.hi - shrink);
    }
    this.seen++;
    this.last = point.timestamp;
    this.blockSum += v;
    this.blockCount++;
    if (this.blockCount < this.o.step) {
      if (this.quiet > 0 && warm) this.quiet--;
      return { score: 0, expected: none, anomalous: false, warm, reasons: [] };
    }
    // A block ends: a new shape.
    this.means.push(this.blockSum / this.blockCount);
    if (this.means.length > this.o.window) this.means.shift();
    this.blockSum = 0;
    this.blockCount = 0;
    this.blocks++;
    if (this.means.length < this.o.window) return { score: 0, expected: none, anomalous: false, warm, reasons: [] };
    const f = this.features(this.means);
    const { index, distance } = this.nearest(f);
    const usual = this.usualMean + 3 * this.usualDev;
    let score = 0;
    if (warm && Number.isFinite(distance) && this.calibrated > 0) {
      const scale = this.o.threshold * Math.max(usual, 1e-3);
      score = distance / (distance + scale);
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
    // Learn: calibration, then the prototypes.
    if (Number.isFinite(distance)) {
      if (this.calibrated === 0) this.usualMean = distance;
      const a = Math.max(CALIBRATION_ALPHA, 1 / (this.calibrated + 1));
      const dev = Math.abs(distance - this.usualMean);
      this.usualMean += a * (distance - this.usualMean);
      this.usualDev += a * (dev - this.usualDev);
      this.calibrated++;
    }
    if (index >= 0 && distance <= this.o.radius) {
      const p = this.protos[index] as Prototype;
      p.count++;
      const rate = Math.max(0.05, 1 / p.count);
      for (let j = 0; j < f.length; j++) p.v[j] = (p.v[j] as number) + rate * ((f[j] as number) - (p.v[j] as number));
      p.used = this.blocks;
    } else if (this.protos.length < this.o.prototypes) {
      this.protos.push({ v: f, used: this.blocks, count: 1 });
    } else {
      let oldest = 0;
      this.protos.forEach((p, i) => {
        if (p.used < (this.protos[oldest] as Prototype).used) oldest = i;
      });
      this.protos[oldest] = { v: f, used: this.blocks, count: 1 };
    }
    return {
      score,
      expected: none,
      anomalous,
      warm,
      reasons: anomalous
        ? [
            `shape: the last ${this.o.window * this.o.step} points ending at ${round(v)} are unlike any course seen (${round(distance / Math.max(usual, 1e-3))}× the usual distance)`,
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
        blockSum: this.blockSum,
        blockCount: this.blockCount,
        means: [...this.means],
        lo: Number.isFinite(this.lo) ? this.lo : null,
        hi: Number.isFinite(this.hi) ? this.hi : null,
        usual: [this.usualMean, this.usualDev, this.calibrated],
        prototypes: this.protos.map((p) => [p.used, p.count, ...p.v]),
      },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, 1);
    const seen = reader.integer('seen');
    const last = reader.nullableNumber('last');
    const quiet = reader.integer('quiet');
    const blocks = reader.integer('blocks');
    const blockSum = reader.number('blockSum');
    const blockCount = reader.integer('blockCount');
    const means = reader.numbers('means');
    const lo = reader.nullableNumber('lo');
    const hi = reader.nullableNumber('hi');
    const usual = reader.numbers('usual');
    if (usual.length !== 3) reader.fail('usual', 'is not [mean, deviation, count]');
    if (means.length > this.o.window || blockCount >= this.o.step)
      reader.fail('means', `does not fit a window of ${this.o.window} blocks of ${this.o.step}`);
    const list = reader.list('prototypes');
    if (list.length > this.o.prototypes) reader.fail('prototypes', `has more than ${this.o.prototypes}`);
    const protos = list.map((p, i) => {
      const n = reader.numbers(String(i), { [String(i)]: p });
      if (n.length !== 2 + 2 * this.o.window)
        reader.fail('prototypes', `entry ${i} is not a shape of ${this.o.window}`);
      return { used: n[0] as number, count: n[1] as number, v: n.slice(2) };
    });
    this.seen = seen;
    this.last = last ?? -Infinity;
    this.quiet = quiet;
    this.blocks = blocks;
    this.blockSum = blockSum;
    this.blockCount = blockCount;
    this.means = means;
    this.lo = lo ?? NaN;
    this.hi = hi ?? NaN;
    [this.usualMean, this.usualDev, this.calibrated] = usual as [number, number, number];
    this.protos = protos;
  }
}
