/**
 * The producer engine's pacing and its keep-up report, as pure logic (no Kafka, no timers): the engine
 * asks the pacer how many records the rate allows now, and feeds the monitor what it generated and what
 * Kafka acknowledged; the monitor says, in one plain line, when the machine cannot keep up and why.
 */

/**
 * A rate ceiling: by time `now`, at most `ratePerSecond × elapsed` records, so the rate holds over any
 * window. A stall (a GC pause, a slow acknowledgement) is caught up, but by at most `maxCatchUpMs` worth
 * of records: past that the debt is forgiven (and counted), so a long stall never ends in a burst.
 */
export class Pacer {
  private origin: number;
  private taken = 0;
  /** Records the pacer gave up on because the engine was more than maxCatchUpMs behind. */
  forgiven = 0;

  constructor(
    readonly ratePerSecond: number,
    start: number,
    private readonly maxCatchUpMs = 1000,
  ) {
    this.origin = start;
  }

  /** How many records may be taken at `now` (Infinity without a finite rate). */
  allowance(now: number): number {
    if (!Number.isFinite(this.ratePerSecond)) return Infinity;
    const due = (this.ratePerSecond * (now - this.origin)) / 1000 - this.taken;
    const cap = (this.ratePerSecond * this.maxCatchUpMs) / 1000;
    if (due > cap + 1) {
      // More than maxCatchUpMs behind: keep only that much debt.
      const excess = due - cap;
      this.forgiven += Math.floor(excess);
      this.origin += (excess * 1000) / this.ratePerSecond;
      return Math.floor(cap);
    }
    return Math.max(0, Math.floor(due));
  }

  took(count: number): void {
    this.taken += count;
  }

  /** Milliseconds from `now` until one more record is allowed (0 when one is already). */
  waitMs(now: number): number {
    if (!Number.isFinite(this.ratePerSecond)) return 0;
    const due = (this.ratePerSecond * (now - this.origin)) / 1000 - this.taken;
    return due >= 1 ? 0 : Math.ceil(((1 - due) * 1000) / this.ratePerSecond);
  }
}

/** What the engine saw during one report window. */
export interface WindowStats {
  /** Start and end of the window, ms. */
  from: number;
  to: number;
  /** Records the source was asked for in the window (its expected rate integrated), when known. */
  asked: number | undefined;
  /** Records Kafka acknowledged in the window. */
  acknowledged: number;
  /** How far the source's time trails real time at the end of the window, ms (0 when it keeps up). */
  lagMs: number;
  /** Share of the window the event loop was busy (performance.eventLoopUtilization), 0..1. */
  busy: number;
  /** Share of the window spent generating records (source.next) and serializing them, 0..1. */
  generating: number;
  serializing: number;
  /** Share of the window during which every producer had a batch waiting for its acknowledgement, 0..1. */
  waitingForKafka: number;
  /** Median time from a batch's send to its acknowledgement in the window, ms. */
  ackP50Ms: number;
  producers: number;
}

export interface KeepUpOptions {
  /** Behind real time by more than this, the engine is not keeping up. Default 2000 ms. */
  lagThresholdMs?: number;
  /** The same complaint is repeated at most this often while it lasts. Default 60 s. */
  repeatMs?: number;
  /** Context for the CPU-bound explanation, e.g. `load average 3.1 on 2 cores`. */
  machine?: () => string;
}

export type KeepUpEvent =
  | { kind: 'behind'; message: string; achieved: number; asked: number | undefined; reason: 'cpu' | 'kafka' }
  | { kind: 'recovered'; message: string };

const pct = (share: number) => `${Math.round(share * 100)}%`;
const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

/** Decides, window by window, whether to say that the machine cannot keep up, and why. */
export class KeepUpMonitor {
  private behindSince: number | undefined;
  private lastSaid = -Infinity;
  private readonly lagThresholdMs: number;
  private readonly repeatMs: number;

  constructor(
    private readonly service: string,
    private readonly options: KeepUpOptions = {},
  ) {
    this.lagThresholdMs = options.lagThresholdMs ?? 2000;
    this.repeatMs = options.repeatMs ?? 60_000;
  }

  /** Whether the engine is behind right now (after the last window). */
  get behind(): boolean {
    return this.behindSince !== undefined;
  }

  /** One window's verdict: a line to log, or undefined when there is nothing new to say. */
  observe(w: WindowStats): KeepUpEvent | undefined {
    const seconds = Math.max(0.001, (w.to - w.from) / 1000);
    const achieved = w.acknowledged / seconds;
    const asked = w.asked === undefined ? undefined : w.asked / seconds;
    const short = asked !== undefined && achieved < asked * 0.95;
    const behind = w.lagMs > this.lagThresholdMs && (asked === undefined || short || w.lagMs > 2 * this.lagThresholdMs);
    if (!behind) {
      if (this.behindSince === undefined) return undefined;
      const since = this.behindSince;
      this.behindSince = undefined;
      this.lastSaid = -Infinity;
      return {
        kind: 'recovered',
        message: `${this.service}: caught up with real time after ${Math.round((w.to - since) / 1000)} s behind; Kafka acknowledged ${perSecond(achieved)} over the last ${Math.round(seconds)} s`,
      };
    }
    this.behindSince ??= w.from;
    if (w.to - this.lastSaid < this.repeatMs) return undefined;
    this.lastSaid = w.to;
    const reason: 'cpu' | 'kafka' = w.busy >= 0.85 || w.waitingForKafka < 0.5 ? 'cpu' : 'kafka';
    const why =
      reason === 'cpu'
        ? `this process is short of CPU: its event loop was busy ${pct(w.busy)} of the time (generating records ${pct(w.generating)}, Avro ${pct(w.serializing)}, the Kafka client and TLS the rest)${this.options.machine ? `, ${this.options.machine()}` : ''}; a lower --rate, fewer other processes on the machine, or more cores`
        : `Kafka acknowledges too slowly: all ${w.producers} producer${w.producers === 1 ? '' : 's'} had a batch waiting for acks=all ${pct(w.waitingForKafka)} of the time, median ${Math.round(w.ackP50Ms)} ms per batch (the brokers are short of CPU or disk, or a replica is slow)`;
    const target = asked === undefined ? '' : `asked ${perSecond(asked)}, `;
    return {
      kind: 'behind',
      achieved,
      asked,
      reason,
      message: `${this.service}: cannot keep up: ${target}Kafka acknowledged ${perSecond(achieved)} over the last ${Math.round(seconds)} s, and the records are ${(w.lagMs / 1000).toFixed(1)} s behind real time. Why: ${why}.`,
    };
  }
}
