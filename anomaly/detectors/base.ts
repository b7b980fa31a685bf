/**
 * What the statistical detectors share: the point-by-point template (score against what was learned,
 * then learn), warm-up, staleness, and the checked snapshot envelope.
 */
import { SluiceError } from '../../lib/errors';
import { checkDirection, checkNumber, directed, statisticalObservation } from './score';
import { DecayingQuantile, normalAbsQuantile } from './stats';
import type {
  Detector,
  DetectorKind,
  DetectorSnapshot,
  Direction,
  Json,
  Observation,
  Point,
  StatisticalOptions,
} from './types';

export interface ResolvedStatistical {
  threshold: number;
  warmup: number;
  direction: Direction;
  minScale: number;
  relativeMinScale: number;
  calibrationWindow: number;
  calibrationQuantile: number;
  cooldown: number;
}

export const STATISTICAL_DEFAULTS: ResolvedStatistical = {
  threshold: 4,
  warmup: 30,
  direction: 'both',
  minScale: 0,
  relativeMinScale: 0.01,
  calibrationWindow: 2000,
  calibrationQuantile: 0.99,
  cooldown: 50,
};

export function checkStatisticalOptions(kind: string, spec: StatisticalOptions): void {
  checkNumber(kind, 'threshold', spec.threshold, { above: 0 });
  checkNumber(kind, 'warmup', spec.warmup, { min: 0, integer: true });
  checkNumber(kind, 'minScale', spec.minScale, { min: 0 });
  checkNumber(kind, 'relativeMinScale', spec.relativeMinScale, { min: 0 });
  checkNumber(kind, 'calibrationWindow', spec.calibrationWindow, { min: 0, integer: true });
  checkNumber(kind, 'calibrationQuantile', spec.calibrationQuantile, { above: 0, below: 1 });
  checkNumber(kind, 'cooldown', spec.cooldown, { min: 0, integer: true });
  checkDirection(kind, spec.direction);
}

export function resolveStatistical(
  spec: StatisticalOptions,
  defaults: Partial<ResolvedStatistical> = {},
): ResolvedStatistical {
  const d = { ...STATISTICAL_DEFAULTS, ...defaults };
  return {
    threshold: spec.threshold ?? d.threshold,
    warmup: spec.warmup ?? d.warmup,
    direction: spec.direction ?? d.direction,
    minScale: spec.minScale ?? d.minScale,
    relativeMinScale: spec.relativeMinScale ?? d.relativeMinScale,
    calibrationWindow: spec.calibrationWindow ?? d.calibrationWindow,
    calibrationQuantile: spec.calibrationQuantile ?? d.calibrationQuantile,
    cooldown: spec.cooldown ?? d.cooldown,
  };
}

/** What a detector expects at a time: a centre and a scale (a robust standard deviation). */
export interface Expectation {
  centre: number;
  scale: number;
}

/**
 * A deviation enters the calibration history at most at twice the current alert line. An incident's
 * huge deviations (a flat series gives 1e15) would otherwise make the series' "usual extreme" huge and
 * blind the detector for as long as the history remembers them; capped, a series whose deviations are
 * often past the line still moves its calibration up, at most by doubling it at a time.
 */
const KEPT_ALERT_LINES = 2;

/**
 * The template of every statistical detector. For each point: the deviation z = (value − centre) /
 * scale from what the detector expected; calibrated by the detector's own history of deviations, so
 * that z counts in "normal" units only as far as the series behaves normally (a series whose 99th
 * percentile deviation is 10 rather than 2.58 has its deviations divided by 10 / 2.58; calibration
 * never makes a deviation larger); scored z / (z + threshold); then learned.
 */
export abstract class StatisticalDetector implements Detector {
  abstract readonly kind: DetectorKind;
  /** Points learned so far. */
  protected seen = 0;
  /** Timestamp of the last point learned. */
  protected last = -Infinity;
  /** Points still to pass before flagging again. */
  private quiet = 0;
  private stale = 0;
  private readonly history: DecayingQuantile | undefined;

  protected constructor(protected readonly options: ResolvedStatistical) {
    this.history = options.calibrationWindow > 0 ? new DecayingQuantile(options.calibrationWindow) : undefined;
  }

  /** What the detector expects at `timestamp`, or undefined before it has learned anything. */
  protected abstract expect(timestamp: number): Expectation | undefined;
  protected abstract learn(point: Point, expected: Expectation | undefined): void;
  protected abstract saveState(): { [key: string]: Json };
  protected abstract loadState(state: { [key: string]: Json }, reader: StateReader): void;
  /** Snapshot format version of this kind. */
  protected readonly version: number = 1;

  /** How much wider than normal the series' deviations are (at least 1). */
  private calibration(): number {
    // A quantile of fewer than 1/(1 − q) points is just their maximum: wait for enough of them.
    if (!this.history || this.history.size < 1 / (1 - this.options.calibrationQuantile)) return 1;
    const usual = this.history.quantile(this.options.calibrationQuantile);
    return Math.max(1, usual / normalAbsQuantile(this.options.calibrationQuantile));
  }

  get stalePoints(): number {
    return this.stale;
  }

  observe(point: Point): Observation {
    const learnable = Number.isFinite(point.value) && point.timestamp > this.last;
    if (Number.isFinite(point.value) && !learnable) this.stale++;
    const expected = this.expect(point.timestamp);
    if (!expected) {
      if (learnable) this.learnPoint(point, undefined, undefined);
      return { score: 0, expected: { low: NaN, high: NaN }, anomalous: false, warm: false, reasons: [] };
    }
    const warm = this.seen >= this.options.warmup;
    const calibration = this.calibration();
    const spread = expected.scale * calibration;
    let observation = statisticalObservation(
      this.kind,
      point.value,
      expected.centre,
      spread,
      this.options,
      warm,
      learnable,
    );
    if (learnable && warm) {
      if (this.quiet > 0) {
        this.quiet--;
        observation = { ...observation, score: 0, anomalous: false, reasons: [] };
      } else if (observation.anomalous) {
        this.quiet = this.options.cooldown;
      }
    }
    // Every learned deviation enters the calibration (capped): after a level shift the detector alerts
    // once, then learns that the new level's deviations are usual, as a person on call would.
    if (learnable) {
      const deviation = directed((point.value - expected.centre) / expected.scale, this.options.direction);
      this.learnPoint(
        point,
        expected,
        warm ? Math.min(deviation, KEPT_ALERT_LINES * this.options.threshold * calibration) : undefined,
      );
    }
    return observation;
  }

  private learnPoint(point: Point, expected: Expectation | undefined, deviation: number | undefined): void {
    if (deviation !== undefined && this.history) this.history.add(deviation);
    this.learn(point, expected);
    this.seen++;
    this.last = point.timestamp;
  }

  tick(): undefined {
    return undefined;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: this.version,
      state: {
        seen: this.seen,
        last: Number.isFinite(this.last) ? this.last : null,
        quiet: this.quiet,
        calibration: this.history ? this.history.save() : null,
        ...this.saveState(),
      },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, this.version);
    const seen = reader.integer('seen');
    const last = reader.nullableNumber('last');
    const quiet = reader.integer('quiet');
    // A snapshot with a calibration restored into a detector without one simply does not use it.
    let calibration: { weight: number; total: number; counts: number[] } | undefined;
    if (this.history) {
      const c = reader.object('calibration');
      calibration = {
        weight: reader.number('weight', c),
        total: reader.number('total', c),
        counts: reader.numbers('counts', c),
      };
      if (calibration.counts.length !== DecayingQuantile.BINS || !(calibration.weight > 0))
        reader.fail('calibration', `is not a calibration of ${DecayingQuantile.BINS} bins`);
    }
    this.loadState(reader.state, reader);
    if (this.history && calibration) this.history.load(calibration);
    this.seen = seen;
    this.last = last ?? -Infinity;
    this.quiet = quiet;
  }
}

/** Reads a snapshot's state, failing with SLUICE_DATA_INVALID naming the field at fault. */
export class StateReader {
  readonly state: { [key: string]: Json };

  constructor(
    snapshot: unknown,
    private readonly kind: DetectorKind,
    version: number,
  ) {
    const s = snapshot as Partial<DetectorSnapshot> | null;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) this.fail('snapshot', 'is not an object');
    if (s.kind !== kind) this.fail('kind', `is ${JSON.stringify(s.kind)}, not '${kind}'`);
    if (s.version !== version)
      this.fail('version', `is ${JSON.stringify(s.version)}; this ${kind} detector reads version ${version}`);
    if (s.state === null || typeof s.state !== 'object' || Array.isArray(s.state))
      this.fail('state', 'is not an object');
    this.state = s.state as { [key: string]: Json };
  }

  fail(field: string, problem: string): never {
    throw new SluiceError(
      'SLUICE_DATA_INVALID',
      `the saved state of a ${this.kind} detector is unusable: ${field} ${problem}`,
      {
        path: `snapshot.${field}`,
        fix: 'restore a snapshot taken from a detector of the same kind, or start the detector afresh (it warms up again)',
      },
    );
  }

  number(field: string, from: { [key: string]: Json } = this.state): number {
    const v = from[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `is ${JSON.stringify(v)}, not a finite number`);
    return v;
  }

  nullableNumber(field: string, from: { [key: string]: Json } = this.state): number | null {
    return from[field] === null ? null : this.number(field, from);
  }

  integer(field: string, from: { [key: string]: Json } = this.state): number {
    const v = this.number(field, from);
    if (!Number.isInteger(v) || v < 0) this.fail(field, `is ${v}, not a count`);
    return v;
  }

  numbers(field: string, from: { [key: string]: Json } = this.state): number[] {
    const v = from[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
      this.fail(field, 'is not a list of finite numbers');
    return v as number[];
  }

  object(field: string, from: { [key: string]: Json } = this.state): { [key: string]: Json } {
    const v = from[field];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(field, 'is not an object');
    return v as { [key: string]: Json };
  }

  list(field: string, from: { [key: string]: Json } = this.state): Json[] {
    const v = from[field];
    if (!Array.isArray(v)) this.fail(field, 'is not a list');
    return v;
  }
}
