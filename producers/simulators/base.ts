/**
 * What the three simulators share: simulated time starting at the first `next(now)`, the event loop,
 * and the anomaly scheduler that starts anomalies as a Poisson process and writes one label for each.
 */
import { SluiceError } from '../../lib/errors';
import { exponential } from './distributions';
import type { Random } from './random';
import { Scheduler, type Process } from './scheduler';
import { SIMULATOR_TOPICS } from './topics';
import type { AnomalyLabel, SimulatedRecord, Simulator, SimulatorSource } from './types';

/** An anomaly a simulator has planned; the scheduler turns it into a label. */
export interface PlannedAnomaly {
  kind: string;
  key: string;
  /** The event field that `key` matches (web.access-logs: path or client_ip). */
  keyField: string;
  start: number;
  end: number;
  /** Kind-specific parameters, written into the label's detail JSON after key_field. */
  detail: Record<string, unknown>;
}

export abstract class BaseSimulator implements Simulator {
  abstract readonly source: SimulatorSource;
  private scheduler: Scheduler | undefined;
  private until = -Infinity;

  protected constructor(
    protected readonly rng: Random,
    private readonly anomalyRate: number,
    private readonly anomalyKinds: readonly string[],
  ) {}

  abstract referenceData(at?: number): SimulatedRecord[];
  abstract expectedRate(t: number): number;

  /** Adds the processes of normal traffic, starting after `origin`. */
  protected abstract start(origin: number, scheduler: Scheduler): void;

  /**
   * Plans an anomaly of `kind` beginning at `t` (adding its processes to `scheduler`), or returns
   * undefined when nothing is free to take it (every candidate key is already in an anomaly).
   */
  protected abstract plan(kind: string, t: number, rng: Random, scheduler: Scheduler): PlannedAnomaly | undefined;

  next(now: number): SimulatedRecord[] {
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `next(now) needs a finite time in ms since the epoch, got ${String(now)}`,
        {
          path: 'now',
          fix: 'pass the simulated time as a number, e.g. Date.now()',
        },
      );
    }
    now = Math.floor(now);
    if (!this.scheduler) {
      this.scheduler = new Scheduler();
      this.start(now, this.scheduler);
      this.scheduler.add(
        new AnomalyScheduler(this, this.rng.derive('anomalies'), now, this.anomalyRate, this.anomalyKinds),
      );
      this.until = now;
      return [];
    }
    if (now <= this.until) return [];
    const out: SimulatedRecord[] = [];
    this.scheduler.runUntil(now, out);
    this.until = now;
    return out;
  }

  /** Called by the anomaly scheduler. */
  startAnomaly(kind: string, t: number, rng: Random, out: SimulatedRecord[]): void {
    const planned = this.plan(kind, t, rng, this.scheduler as Scheduler);
    if (!planned) return;
    const label: AnomalyLabel = {
      label_id: rng.uuid(),
      source: this.source,
      kind: planned.kind,
      key: planned.key,
      start_ts: planned.start,
      end_ts: planned.end,
      detail: JSON.stringify({ key_field: planned.keyField, ...planned.detail }),
    };
    out.push({ topic: SIMULATOR_TOPICS[this.source].labels, key: planned.key, value: label, timestamp: Math.floor(t) });
  }
}

/** Starts anomalies as a Poisson process: `perHour` on average, each of a kind chosen with equal chance. */
class AnomalyScheduler implements Process {
  nextTime: number;
  private readonly ratePerMs: number;

  constructor(
    private readonly simulator: BaseSimulator,
    private readonly rng: Random,
    origin: number,
    perHour: number,
    private readonly kinds: readonly string[],
  ) {
    this.ratePerMs = perHour / 3_600_000;
    this.nextTime = this.ratePerMs > 0 ? Math.ceil(origin + exponential(rng, this.ratePerMs)) : Infinity;
  }

  fire(out: SimulatedRecord[]): void {
    const t = this.nextTime;
    this.simulator.startAnomaly(this.rng.pick(this.kinds), t, this.rng, out);
    this.nextTime = Math.ceil(t + Math.max(1, exponential(this.rng, this.ratePerMs)));
  }
}

/** Which keys are in an anomaly until when, so two anomalies never overlap on one key. */
export class BusyKeys {
  private readonly until = new Map<string, number>();

  isFree(key: string, t: number): boolean {
    return (this.until.get(key) ?? -Infinity) < t;
  }

  /** Marks `key` busy until `end` plus a quiet gap, so the anomalies' effects stay apart. */
  hold(key: string, end: number, gapMs: number): void {
    this.until.set(key, end + gapMs);
  }

  /** A key that is free at `t`, drawn with `draw` (up to `tries` draws), or undefined when none was. */
  find(t: number, draw: () => string, tries = 20): string | undefined {
    for (let i = 0; i < tries; i++) {
      const key = draw();
      if (this.isFree(key, t)) return key;
    }
    return undefined;
  }
}
