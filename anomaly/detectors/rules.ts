/**
 * Rules declared in configuration (the pipeline spec will carry them): a threshold, a rate of change per
 * minute, and the absence of data. They need no learning, so they are warm from the first point and
 * flag at once; a broken rule scores 1, a kept one 0.
 */
import { SluiceError } from '../../lib/errors';
import { StateReader } from './base';
import { checkDirection, checkNumber, directed, round } from './score';
import type {
  AbsenceSpec,
  Band,
  Detector,
  DetectorSnapshot,
  Direction,
  Observation,
  Point,
  RateOfChangeSpec,
  ThresholdSpec,
} from './types';

const UNBOUNDED: Band = { low: -Infinity, high: Infinity };

function verdict(broken: boolean, expected: Band, reason: string): Observation {
  return { score: broken ? 1 : 0, expected, anomalous: broken, warm: true, reasons: broken ? [reason] : [] };
}

export function checkThreshold(spec: ThresholdSpec): void {
  checkNumber('threshold', 'above', spec.above, {});
  checkNumber('threshold', 'below', spec.below, {});
  if (spec.above === undefined && spec.below === undefined) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', 'detector threshold: needs above, below or both', {
      path: 'threshold',
      fix: 'add above: <value> (flag values higher than it) and/or below: <value> (flag values lower than it)',
    });
  }
}

export class ThresholdRule implements Detector {
  readonly kind = 'threshold' as const;
  private readonly above: number;
  private readonly below: number;
  /** Newest timestamp seen, only for the stale count (the rule learns nothing; kept out of the snapshot). */
  private newest = -Infinity;
  private stale = 0;

  /** Points not later than the newest seen. The rule judges them all the same: it has nothing to learn. */
  get stalePoints(): number {
    return this.stale;
  }

  constructor(spec: Omit<ThresholdSpec, 'kind'>) {
    checkThreshold({ kind: 'threshold', ...spec });
    this.above = spec.above ?? Infinity;
    this.below = spec.below ?? -Infinity;
  }

  observe(point: Point): Observation {
    const expected = { low: this.below, high: this.above };
    if (!Number.isFinite(point.value)) return verdict(false, expected, '');
    if (point.timestamp > this.newest) this.newest = point.timestamp;
    else this.stale++;
    if (point.value > this.above)
      return verdict(true, expected, `threshold: ${round(point.value)} above ${round(this.above)}`);
    return verdict(point.value < this.below, expected, `threshold: ${round(point.value)} below ${round(this.below)}`);
  }

  tick(): undefined {
    return undefined;
  }

  snapshot(): DetectorSnapshot {
    return { kind: this.kind, version: 1, state: {} };
  }

  restore(snapshot: DetectorSnapshot): void {
    new StateReader(snapshot, this.kind, 1);
  }
}

export function checkRateOfChange(spec: RateOfChangeSpec): void {
  if (spec.maxPerMinute === undefined) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', 'detector rate-of-change: needs maxPerMinute', {
      path: 'rate-of-change.maxPerMinute',
      fix: 'add maxPerMinute: <units per minute>',
    });
  }
  checkNumber('rate-of-change', 'maxPerMinute', spec.maxPerMinute, { min: 0 });
  checkDirection('rate-of-change', spec.direction);
}

/** Flags a change faster than maxPerMinute since the previous point (per minute of event time). */
export class RateOfChangeRule implements Detector {
  readonly kind = 'rate-of-change' as const;
  private readonly maxPerMinute: number;
  private readonly direction: Direction;
  private previous: Point | undefined;
  private stale = 0;

  get stalePoints(): number {
    return this.stale;
  }

  constructor(spec: Omit<RateOfChangeSpec, 'kind'>) {
    checkRateOfChange({ kind: 'rate-of-change', ...spec });
    this.maxPerMinute = spec.maxPerMinute;
    this.direction = spec.direction ?? 'both';
  }

  observe(point: Point): Observation {
    const prev = this.previous;
    const learnable = Number.isFinite(point.value) && (prev === undefined || point.timestamp > prev.timestamp);
    if (Number.isFinite(point.value) && !learnable) this.stale++;
    if (!learnable) return { score: 0, expected: UNBOUNDED, anomalous: false, warm: prev !== undefined, reasons: [] };
    this.previous = { timestamp: point.timestamp, value: point.value };
    if (prev === undefined) return { score: 0, expected: UNBOUNDED, anomalous: false, warm: false, reasons: [] };
    const minutes = (point.timestamp - prev.timestamp) / 60_000;
    const allowed = this.maxPerMinute * minutes;
    const expected = {
      low: this.direction === 'up' ? -Infinity : prev.value - allowed,
      high: this.direction === 'down' ? Infinity : prev.value + allowed,
    };
    const rate = (point.value - prev.value) / minutes;
    return verdict(
      directed(rate, this.direction) > this.maxPerMinute,
      expected,
      `rate-of-change: ${round(rate)}/min (limit ${round(this.maxPerMinute)}/min)`,
    );
  }

  tick(): undefined {
    return undefined;
  }

  snapshot(): DetectorSnapshot {
    return {
      kind: this.kind,
      version: 1,
      state: { previous: this.previous ? { timestamp: this.previous.timestamp, value: this.previous.value } : null },
    };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, 1);
    if (reader.state.previous === null || reader.state.previous === undefined) {
      this.previous = undefined;
      return;
    }
    const previous = reader.object('previous');
    this.previous = { timestamp: reader.number('timestamp', previous), value: reader.number('value', previous) };
  }
}

export function checkAbsence(spec: AbsenceSpec): void {
  if (spec.afterSeconds === undefined) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', 'detector absence: needs afterSeconds', {
      path: 'absence.afterSeconds',
      fix: 'add afterSeconds: <seconds without a point>',
    });
  }
  checkNumber('absence', 'afterSeconds', spec.afterSeconds, { above: 0 });
}

/**
 * Flags silence: tick(now) reports once when no point has come for afterSeconds since the last one,
 * and again only after a point has come back. A series that never had a point is not watched (nothing
 * says it should exist). Choose afterSeconds longer than a window plus the time the window takes to
 * arrive (lateness and checkpoint), or every window is "late".
 */
export class AbsenceRule implements Detector {
  readonly kind = 'absence' as const;
  private readonly afterMs: number;
  private lastSeen: number | undefined;
  private reported = false;
  private stale = 0;

  get stalePoints(): number {
    return this.stale;
  }

  constructor(spec: Omit<AbsenceSpec, 'kind'>) {
    checkAbsence({ kind: 'absence', ...spec });
    this.afterMs = spec.afterSeconds * 1000;
  }

  /** When the last point came (ms), or undefined before any. */
  get lastPoint(): number | undefined {
    return this.lastSeen;
  }

  observe(point: Point): Observation {
    if (Number.isFinite(point.value) && (this.lastSeen === undefined || point.timestamp > this.lastSeen)) {
      this.lastSeen = point.timestamp;
      this.reported = false;
    } else if (Number.isFinite(point.value)) this.stale++;
    return { score: 0, expected: UNBOUNDED, anomalous: false, warm: this.lastSeen !== undefined, reasons: [] };
  }

  tick(now: number): Observation | undefined {
    if (this.lastSeen === undefined || this.reported || now - this.lastSeen < this.afterMs) return undefined;
    this.reported = true;
    const seconds = Math.round((now - this.lastSeen) / 1000);
    return verdict(true, UNBOUNDED, `absence: no point for ${seconds}s (limit ${round(this.afterMs / 1000)}s)`);
  }

  snapshot(): DetectorSnapshot {
    return { kind: this.kind, version: 1, state: { lastSeen: this.lastSeen ?? null, reported: this.reported } };
  }

  restore(snapshot: DetectorSnapshot): void {
    const reader = new StateReader(snapshot, this.kind, 1);
    const lastSeen = reader.nullableNumber('lastSeen');
    const reported = reader.state.reported;
    if (typeof reported !== 'boolean') reader.fail('reported', 'is not true or false');
    this.lastSeen = lastSeen ?? undefined;
    this.reported = reported as boolean;
  }
}
